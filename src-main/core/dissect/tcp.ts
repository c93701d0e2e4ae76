// TCP: header, options (MSS, WS, SACK_PERM, SACK, TS, NOP/EOL), relative sequence numbers,
// sequence analysis (tcp/analysis.ts, first pass, results kept per frame), reassembly of PDUs
// split over segments (tcp/reassembly.ts), and handing payload to the conversation's dissector
// (set by e.g. HTTP after a CONNECT 200), the "tcp.port" table (lower port first) or the "tcp"
// heuristics. Info exactly as Wireshark: "48716 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 …".

import type { FieldNode } from './types.js';
import type { DissectorTable, ExpertDef, HeuristicList, ProtocolModule } from './registry.js';
import {
  DESEGMENT_ONE_MORE_SEGMENT,
  DESEGMENT_UNTIL_FIN,
  MODE_FULL,
  type PacketContext,
} from './engine-context.js';
import { dataModule, secs9 } from './frame.js';
import { tcpFlagsText } from './tcp-flags.js';
import { TcpInfo } from './tcp-info.js';
import { walkTcpOptions } from './tcp-options.js';
import {
  ANALYSIS_EXPERTS,
  TCP_ANALYSIS_MASK,
  TCP_A_DUPLICATE_ACK,
  TCP_A_FAST_RETRANSMISSION,
  TCP_A_KEEP_ALIVE,
  TCP_A_OUT_OF_ORDER,
  TCP_A_RETRANSMISSION,
  TCP_A_REUSED_PORTS,
  TCP_A_SPURIOUS_RETRANSMISSION,
  TCP_A_ZERO_WINDOW_PROBE,
  TCP_CONNECTION_RST,
  TCP_REASSEMBLED_PDU,
  TCP_SEGMENT_OF_PDU,
  TH_ACK,
  TH_FIN,
  TH_RST,
  TH_SYN,
  TH_URG,
  TcpConvState,
  analysisPrefix,
  analyzeSegment,
  noteWindowScale,
  relSeq,
  type SegmentAnalysis,
} from '../tcp/analysis.js';
import { Msp, decodeRecord, encodeRecord, rebuild, type ReasmRecord } from '../tcp/reassembly.js';

/** Per-frame analysis result kept for random access (only frames with flags). */
interface FrameAnalysis {
  flags: number;
  dupAckNum: number;
  dupAckFrame: number;
  rtoFrame: number;
  rto: number;
}

const EXPERT_SYN: ExpertDef = {
  id: 'tcp.connection.syn',
  severity: 'chat',
  group: 'sequence',
  message: 'Connection establish request (SYN)',
};
const EXPERT_SYNACK: ExpertDef = {
  id: 'tcp.connection.synack',
  severity: 'chat',
  group: 'sequence',
  message: 'Connection establish acknowledge (SYN+ACK)',
};
const EXPERT_FIN: ExpertDef = {
  id: 'tcp.connection.fin',
  severity: 'chat',
  group: 'sequence',
  message: 'Connection finish (FIN)',
};
const EXPERT_RST: ExpertDef = {
  id: 'tcp.connection.rst',
  severity: 'warn',
  group: 'sequence',
  message: 'Connection reset (RST)',
};
const EXPERT_BOGUS_HL: ExpertDef = {
  id: 'tcp.bogus_header_length',
  severity: 'error',
  group: 'malformed',
  message: 'Bogus TCP header length',
};
const EXPERT_OPT_LEN: ExpertDef = {
  id: 'tcp.option.len.invalid',
  severity: 'error',
  group: 'malformed',
  message: 'Invalid TCP option length',
};
const ANALYSIS_DEFS: ExpertDef[] = ANALYSIS_EXPERTS.map((e) => ({
  id: e.id,
  severity: e.severity,
  group: 'sequence',
  message: e.message,
}));

const scratch: SegmentAnalysis = {
  flags: 0,
  dupAckNum: 0,
  dupAckFrame: 0,
  rtoFrame: 0,
  rto: 0,
  acksFrame: 0,
  ackRtt: 0,
};

/**
 * Payload-handling skip: these segments repeat data already dissected (or, for keep-alives and
 * zero-window probes, carry a byte that is sent again later); feeding them to a PDU being
 * collected would break it.
 */
const REPEATED =
  TCP_A_RETRANSMISSION |
  TCP_A_SPURIOUS_RETRANSMISSION |
  TCP_A_FAST_RETRANSMISSION |
  TCP_A_OUT_OF_ORDER |
  TCP_A_KEEP_ALIVE |
  TCP_A_ZERO_WINDOW_PROBE;

const OPTION_NAMES: Record<number, string> = {
  0: 'End of Option List (EOL)',
  1: 'No-Operation (NOP)',
  2: 'Maximum segment size',
  3: 'Window scale',
  4: 'SACK permitted',
  5: 'SACK',
  8: 'Timestamps',
  30: 'Multipath TCP',
  34: 'TCP Fast Open Cookie',
};

export const tcpModule: ProtocolModule = {
  name: 'tcp',
  column: 'TCP',
  title: 'Transmission Control Protocol',
  fields: [
    { name: 'tcp.srcport', label: 'Source Port', type: 'uint' },
    { name: 'tcp.dstport', label: 'Destination Port', type: 'uint' },
    { name: 'tcp.port', label: 'Source or Destination Port', type: 'uint' },
    { name: 'tcp.stream', label: 'Stream index', type: 'uint' },
    { name: 'tcp.len', label: 'TCP Segment Len', type: 'uint' },
    { name: 'tcp.seq', label: 'Sequence Number', type: 'uint' },
    { name: 'tcp.seq_raw', label: 'Sequence Number (raw)', type: 'uint' },
    { name: 'tcp.nxtseq', label: 'Next Sequence Number', type: 'uint' },
    { name: 'tcp.ack', label: 'Acknowledgment Number', type: 'uint' },
    { name: 'tcp.ack_raw', label: 'Acknowledgment number (raw)', type: 'uint' },
    { name: 'tcp.hdr_len', label: 'Header Length', type: 'uint' },
    { name: 'tcp.flags', label: 'Flags', type: 'uint' },
    { name: 'tcp.flags.res', label: 'Reserved', type: 'bool' },
    { name: 'tcp.flags.ae', label: 'Accurate ECN', type: 'bool' },
    { name: 'tcp.flags.cwr', label: 'Congestion Window Reduced', type: 'bool' },
    { name: 'tcp.flags.ece', label: 'ECN-Echo', type: 'bool' },
    { name: 'tcp.flags.urg', label: 'Urgent', type: 'bool' },
    { name: 'tcp.flags.ack', label: 'Acknowledgment', type: 'bool' },
    { name: 'tcp.flags.push', label: 'Push', type: 'bool' },
    { name: 'tcp.flags.reset', label: 'Reset', type: 'bool' },
    { name: 'tcp.flags.syn', label: 'Syn', type: 'bool' },
    { name: 'tcp.flags.fin', label: 'Fin', type: 'bool' },
    { name: 'tcp.flags.str', label: 'TCP Flags', type: 'string' },
    { name: 'tcp.window_size_value', label: 'Window', type: 'uint' },
    { name: 'tcp.window_size', label: 'Calculated window size', type: 'uint' },
    { name: 'tcp.window_size_scalefactor', label: 'Window size scaling factor', type: 'int' },
    { name: 'tcp.checksum', label: 'Checksum', type: 'uint' },
    { name: 'tcp.checksum.status', label: 'Checksum Status', type: 'uint' },
    { name: 'tcp.urgent_pointer', label: 'Urgent Pointer', type: 'uint' },
    { name: 'tcp.options', label: 'TCP Options', type: 'bytes' },
    { name: 'tcp.option_kind', label: 'Kind', type: 'uint' },
    { name: 'tcp.option_len', label: 'Length', type: 'uint' },
    { name: 'tcp.options.mss_val', label: 'MSS Value', type: 'uint' },
    { name: 'tcp.options.wscale.shift', label: 'Shift count', type: 'uint' },
    { name: 'tcp.options.wscale.multiplier', label: 'Multiplier', type: 'uint' },
    { name: 'tcp.options.sack_perm', label: 'TCP SACK Permitted Option', type: 'none' },
    { name: 'tcp.options.sack_le', label: 'left edge', type: 'uint' },
    { name: 'tcp.options.sack_re', label: 'right edge', type: 'uint' },
    { name: 'tcp.options.timestamp.tsval', label: 'Timestamp value', type: 'uint' },
    { name: 'tcp.options.timestamp.tsecr', label: 'Timestamp echo reply', type: 'uint' },
    { name: 'tcp.analysis', label: 'SEQ/ACK analysis', type: 'none' },
    { name: 'tcp.analysis.flags', label: 'TCP Analysis Flags', type: 'none' },
    { name: 'tcp.analysis.acks_frame', label: 'This is an ACK to the segment in frame', type: 'framenum' },
    { name: 'tcp.analysis.ack_rtt', label: 'The RTT to ACK the segment was', type: 'reltime' },
    { name: 'tcp.analysis.initial_rtt', label: 'iRTT', type: 'reltime' },
    { name: 'tcp.analysis.duplicate_ack_num', label: 'Duplicate ACK #', type: 'uint' },
    { name: 'tcp.analysis.duplicate_ack_frame', label: 'Duplicate to the ACK in frame', type: 'framenum' },
    { name: 'tcp.analysis.rto', label: 'The RTO for this segment was', type: 'reltime' },
    { name: 'tcp.analysis.rto_frame', label: 'RTO based on delta from frame', type: 'framenum' },
    ...ANALYSIS_EXPERTS.map((e) => ({ name: e.id, label: e.message, type: 'none' as const })),
    { name: 'tcp.payload', label: 'TCP payload', type: 'bytes' },
    { name: 'tcp.segment_data', label: 'TCP segment data', type: 'bytes' },
    { name: 'tcp.reassembled_in', label: 'Reassembled PDU in frame', type: 'framenum' },
    { name: 'tcp.reassembled.length', label: 'Reassembled TCP length', type: 'uint' },
    { name: 'tcp.segments', label: 'Reassembled TCP Segments', type: 'none' },
    { name: 'tcp.segment', label: 'TCP Segment', type: 'framenum' },
    { name: 'tcp.segment.count', label: 'Segment count', type: 'uint' },
    { name: 'tcp.time_relative', label: 'Time since first frame in this TCP stream', type: 'reltime' },
  ],
  experts: [
    EXPERT_SYN,
    EXPERT_SYNACK,
    EXPERT_FIN,
    EXPERT_RST,
    EXPERT_BOGUS_HL,
    EXPERT_OPT_LEN,
    ...ANALYSIS_DEFS,
  ],
  register(r) {
    r.table('ip.proto').add(6, tcpModule);
    portTable = r.table('tcp.port');
    heuristics = r.heuristics('tcp');
  },
  dissect: dissectTcp,
};

let portTable: DissectorTable | null = null;
let heuristics: HeuristicList | null = null;

interface Options {
  wsShift: number;
  /** MSS option value of the SYN being read, -1 if none */
  mss: number;
}
const opts: Options = { wsShift: -1, mss: -1 };
/** each context's deferred Info of the segment it is dissecting (reused from packet to packet) */
const tcpInfos = new WeakMap<PacketContext, TcpInfo>();

function dissectTcp(ctx: PacketContext, off: number, end: number, tree: FieldNode[] | null): number {
  ctx.enter(tcpModule);
  const d = ctx.data;
  const inError = ctx.inError > 0;
  if (inError) {
    // an ICMP error quotes at least the ports and the sequence number
    ctx.need(off, 4, end);
    return quoted(ctx, off, end, tree);
  }
  // Wireshark writes the ports before it reads further
  if (ctx.cols && end - off >= 4 && end - off < 20)
    ctx.setInfo(`${(d[off] << 8) | d[off + 1]} → ${(d[off + 2] << 8) | d[off + 3]}`);
  ctx.need(off, 20, end);
  const sport = (d[off] << 8) | d[off + 1];
  const dport = (d[off + 2] << 8) | d[off + 3];
  const seqAbs = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
  const ackAbs = ((d[off + 8] << 24) | (d[off + 9] << 16) | (d[off + 10] << 8) | d[off + 11]) >>> 0;
  const hl = (d[off + 12] >> 4) * 4;
  const flags = ((d[off + 12] & 1) << 8) | d[off + 13];
  const win = (d[off + 14] << 8) | d[off + 15];
  const urgPtr = (d[off + 18] << 8) | d[off + 19];
  ctx.srcPort = sport;
  ctx.dstPort = dport;
  ctx.tcpFlags = flags;
  ctx.tcpSeq = seqAbs;
  ctx.tcpAck = ackAbs;
  ctx.tcpWindow = win;
  if (hl < 20) {
    const t = ctx.protoTree(
      tree,
      tcpModule,
      off,
      20,
      `Transmission Control Protocol, Src Port: ${sport}, Dst Port: ${dport}`,
    );
    const conv = ctx.conversation(6);
    const fwd = conv?.tcp?.dirs[ctx.dir];
    const rev = conv?.tcp?.dirs[ctx.dir ^ 1];
    const rseq = fwd && fwd.baseSeq >= 0 ? (seqAbs - fwd.baseSeq) >>> 0 : 1;
    const rack = rev && rev.baseSeq >= 0 ? (ackAbs - rev.baseSeq) >>> 0 : 1;
    if (ctx.cols) {
      ctx.setInfo(
        `${sport} → ${dport} [${tcpFlagsText(flags)}] Seq=${rseq}${flags & TH_ACK ? ` Ack=${rack}` : ''} Win=${win}, bogus TCP header length (${hl}, must be at least 20)`,
      );
    }
    const message = `Bogus TCP header length (${hl}, must be at least 20)`;
    if (t)
      ctx.expert(
        ctx.add(
          t,
          `Header Length: ${hl} bytes (${hl / 4}) (bogus, must be at least 20)`,
          'tcp.hdr_len',
          hl,
          off + 12,
          1,
        ),
        EXPERT_BOGUS_HL,
        message,
      );
    else ctx.expert(null, EXPERT_BOGUS_HL, message);
    ctx.malformed(tcpModule, t, off + 12, undefined, true);
    return end - off;
  }
  const reported = ctx.ipPayloadLen >= 0 ? ctx.ipPayloadLen : end - off;
  const seglen = Math.max(0, reported - hl);
  ctx.tcpLen = seglen;
  const hdrCaptured = off + hl <= end;

  // conversation, port reuse, analysis (first pass) or its recorded result (random access)
  let conv = ctx.conversation(6);
  let fa: FrameAnalysis | undefined;
  let tcs: TcpConvState | null = null;
  if (conv) {
    if (ctx.firstPass) {
      if ((flags & (TH_SYN | TH_ACK)) === TH_SYN) {
        // a new SYN on a conversation that carried data (or whose state was released after it
        // ended) starts a new one: port reuse
        const t = conv.tcp;
        const base = t ? t.dirs[ctx.dir].baseSeq : -1;
        if (
          conv.released ||
          (t &&
            base >= 0 &&
            base !== seqAbs &&
            (t.dirs[ctx.dir].nextSeq !== 0 || t.dirs[ctx.dir ^ 1].nextSeq !== 0))
        ) {
          conv = ctx.restartConversation(6);
          ctx.flags |= TCP_A_REUSED_PORTS;
        }
      }
      tcs = conv.tcp ??= new TcpConvState();
      if (hdrCaptured && flags & TH_SYN) {
        parseOptionsFast(d, off + 20, off + hl);
        noteWindowScale(tcs, ctx.dir, (flags & TH_ACK) !== 0, opts.wsShift);
        ctx.tcpMss = opts.mss;
      }
    } else tcs = conv.tcp;
  }
  let rseq = seqAbs;
  let rack = ackAbs;
  let calcWin = win;
  let scale = -1;
  if (tcs) {
    const fwd = tcs.dirs[ctx.dir];
    const rev = tcs.dirs[ctx.dir ^ 1];
    if (ctx.firstPass) {
      rseq = relSeq(fwd, seqAbs, (flags & TH_SYN) !== 0);
      if (flags & TH_ACK && rev.baseSeq < 0) rev.baseSeq = (ackAbs - 1) >>> 0;
      rack = flags & TH_ACK ? (ackAbs - rev.baseSeq) >>> 0 : 0;
      const a = analyzeSegment(tcs, ctx.dir, rseq, rack, seglen, flags, win, ctx.relTime, ctx.no, scratch);
      const all = a.flags | (ctx.flags & TCP_A_REUSED_PORTS);
      if (all !== 0) {
        ctx.setFrameData('tcp', {
          flags: all,
          dupAckNum: a.dupAckNum,
          dupAckFrame: a.dupAckFrame,
          rtoFrame: a.rtoFrame,
          rto: a.rto,
        } satisfies FrameAnalysis);
      }
      // acks_frame: one small integer per ACKing frame; ack_rtt is rebuilt from the two frames'
      // timestamps on random access (no double kept per frame)
      if (a.acksFrame > 0) ctx.setFrameData('tcp.ack', a.acksFrame);
      ctx.flags |= all;
    } else {
      rseq = fwd.baseSeq >= 0 ? (seqAbs - fwd.baseSeq) >>> 0 : seqAbs;
      rack = flags & TH_ACK ? (rev.baseSeq >= 0 ? (ackAbs - rev.baseSeq) >>> 0 : ackAbs) : 0;
      fa = ctx.frameData<FrameAnalysis>('tcp');
      if (fa) ctx.flags |= fa.flags;
    }
    scale = fwd.winScale;
    if (!(flags & TH_SYN) && scale >= 0) calcWin = win * 2 ** scale;
  }
  if (flags & TH_RST) ctx.flags |= TCP_CONNECTION_RST;
  const aflags = ctx.flags & TCP_ANALYSIS_MASK;

  // columns
  if (ctx.cols) {
    let ti = tcpInfos.get(ctx);
    if (ti === undefined) tcpInfos.set(ctx, (ti = new TcpInfo()));
    ti.sport = sport;
    ti.dport = dport;
    ti.flags = flags;
    ti.seq = rseq;
    ti.ack = flags & TH_ACK ? rack : -1;
    ti.win = calcWin;
    ti.urg = flags & TH_URG ? urgPtr : -1;
    ti.len = seglen;
    ti.data = d;
    ti.optStart = off + 20;
    ti.optEnd = hdrCaptured && hl > 20 ? off + hl : off + 20;
    ti.revBase = tcs ? tcs.dirs[ctx.dir ^ 1].baseSeq : -1;
    ctx.setInfoDeferred(ti);
    if (aflags)
      ctx.prependFence(
        analysisPrefix(aflags, fa?.dupAckNum ?? scratch.dupAckNum, fa?.dupAckFrame ?? scratch.dupAckFrame),
      );
  }

  // tree
  let t: FieldNode[] | null = null;
  if (tree) {
    let title = `Transmission Control Protocol, Src Port: ${sport}, Dst Port: ${dport}, Seq: ${rseq}`;
    if (flags & TH_ACK) title += `, Ack: ${rack}`;
    title += `, Len: ${seglen}`;
    t = ctx.protoTree(tree, tcpModule, off, Math.min(hl, end - off), title)!;
    addHeaderTree(ctx, t, off, end, {
      sport,
      dport,
      seqAbs,
      ackAbs,
      rseq,
      rack,
      hl,
      flags,
      win,
      calcWin,
      scale,
      urgPtr,
      seglen,
      conv: conv?.stream ?? -1,
      tcs,
    });
    const acks = ctx.frameData<number>('tcp.ack');
    if (aflags || (tcs && tcs.irtt >= 0) || acks) addAnalysisTree(ctx, t, aflags, fa, tcs, acks);
    if (conv) {
      const tt = ctx.addTree(t, '[Timestamps]', undefined, undefined, 0, 0);
      t[t.length - 1].generated = true;
      const since = Math.max(0, ctx.relTime - conv.firstTime);
      ctx.addGenerated(
        tt,
        `Time since first frame in this TCP stream: ${secs9(since)} seconds`,
        'tcp.time_relative',
        since,
      );
    }
  } else if (aflags) {
    // severity for the index and the summary
    for (let i = 0; i < ANALYSIS_EXPERTS.length; i++)
      if (aflags & ANALYSIS_EXPERTS[i].bit) ctx.expert(null, ANALYSIS_DEFS[i]);
  }
  if (!tree) {
    // the same severities as the tree path adds through its flag lines
    if (flags & TH_RST) ctx.expert(null, EXPERT_RST);
    if (flags & TH_SYN) ctx.expert(null, flags & TH_ACK ? EXPERT_SYNACK : EXPERT_SYN);
    if (flags & TH_FIN) ctx.expert(null, EXPERT_FIN);
  }

  if (!hdrCaptured) {
    ctx.malformed(tcpModule, t, off + 20);
    return end - off;
  }
  // payload
  const pStart = off + hl;
  const pEnd = Math.min(end, pStart + seglen);
  if (seglen > 0 && pEnd > pStart) {
    if (t)
      ctx.add(
        t,
        `TCP payload (${pEnd - pStart} byte${pEnd - pStart === 1 ? '' : 's'})`,
        'tcp.payload',
        ctx.data.slice(pStart, pEnd),
        pStart,
        pEnd - pStart,
      );
    payload(ctx, tree, t, rseq, pStart, pEnd, seglen === pEnd - pStart, aflags);
  }
  // a PDU still waiting when its sender finishes (or the connection resets) never completes
  if (ctx.firstPass && tcs && flags & (TH_FIN | TH_RST)) {
    tcs.dirs[ctx.dir].msp = null;
    if (flags & TH_RST) tcs.dirs[ctx.dir ^ 1].msp = null;
  }
  return end - off;
}

/** What an ICMP error quotes of a TCP header: ports (and sequence number when present). */
function quoted(ctx: PacketContext, off: number, end: number, tree: FieldNode[] | null): number {
  const d = ctx.data;
  const sport = (d[off] << 8) | d[off + 1];
  const dport = (d[off + 2] << 8) | d[off + 3];
  const t = ctx.protoTree(
    tree,
    tcpModule,
    off,
    end - off,
    `Transmission Control Protocol, Src Port: ${sport}, Dst Port: ${dport}`,
  );
  if (t) {
    ctx.add(t, `Source Port: ${sport}`, 'tcp.srcport', sport, off, 2);
    ctx.add(t, `Destination Port: ${dport}`, 'tcp.dstport', dport, off + 2, 2);
    ctx.record('tcp.port', sport);
    ctx.record('tcp.port', dport);
    if (end - off >= 8) {
      const seq = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
      ctx.add(t, `Sequence Number (raw): ${seq}`, 'tcp.seq_raw', seq, off + 4, 4);
    }
    if (end - off >= 14) {
      const flags = ((d[off + 12] & 1) << 8) | d[off + 13];
      ctx.add(
        t,
        `Flags: 0x${flags.toString(16).padStart(3, '0')} (${tcpFlagsText(flags)})`,
        'tcp.flags',
        flags,
        off + 12,
        2,
      );
    }
  }
  return end - off;
}

interface HeaderInfo {
  sport: number;
  dport: number;
  seqAbs: number;
  ackAbs: number;
  rseq: number;
  rack: number;
  hl: number;
  flags: number;
  win: number;
  calcWin: number;
  scale: number;
  urgPtr: number;
  seglen: number;
  conv: number;
  tcs: TcpConvState | null;
}

function bit(flags: number, mask: number, pos: string, name: string): string {
  return `${pos.replace('X', flags & mask ? '1' : '0')} = ${name}: ${flags & mask ? 'Set' : 'Not set'}`;
}

function addHeaderTree(ctx: PacketContext, t: FieldNode[], off: number, end: number, h: HeaderInfo): void {
  const { sport, dport, flags } = h;
  ctx.add(t, () => `Source Port: ${sport}`, 'tcp.srcport', sport, off, 2);
  ctx.add(t, () => `Destination Port: ${dport}`, 'tcp.dstport', dport, off + 2, 2);
  ctx.record('tcp.port', sport);
  ctx.record('tcp.port', dport);
  if (h.conv >= 0) ctx.addGenerated(t, () => `Stream index: ${h.conv}`, 'tcp.stream', h.conv);
  ctx.addGenerated(t, () => `TCP Segment Len: ${h.seglen}`, 'tcp.len', h.seglen);
  ctx.add(t, () => `Sequence Number: ${h.rseq}    (relative sequence number)`, 'tcp.seq', h.rseq, off + 4, 4);
  ctx.add(t, () => `Sequence Number (raw): ${h.seqAbs}`, 'tcp.seq_raw', h.seqAbs, off + 4, 4);
  const nxt = (h.rseq + h.seglen + (flags & (TH_SYN | TH_FIN) ? 1 : 0)) >>> 0;
  if (h.seglen > 0 || flags & (TH_SYN | TH_FIN))
    ctx.addGenerated(
      t,
      () => `Next Sequence Number: ${nxt}    (relative sequence number)`,
      'tcp.nxtseq',
      nxt,
    );
  if (flags & TH_ACK)
    ctx.add(
      t,
      () => `Acknowledgment Number: ${h.rack}    (relative ack number)`,
      'tcp.ack',
      h.rack,
      off + 8,
      4,
    );
  else ctx.add(t, () => `Acknowledgment Number: ${h.ackAbs}`, undefined, undefined, off + 8, 4);
  ctx.add(t, () => `Acknowledgment number (raw): ${h.ackAbs}`, 'tcp.ack_raw', h.ackAbs, off + 8, 4);
  ctx.add(
    t,
    () => `${(h.hl / 4).toString(2).padStart(4, '0')} .... = Header Length: ${h.hl} bytes (${h.hl / 4})`,
    'tcp.hdr_len',
    h.hl,
    off + 12,
    1,
  );
  const ft = ctx.addTree(
    t,
    () => `Flags: 0x${flags.toString(16).padStart(3, '0')} (${tcpFlagsText(flags).replace(/, /g, ', ')})`,
    'tcp.flags',
    flags,
    off + 12,
    2,
  );
  ctx.add(ft, () => `000. .... .... = Reserved: Not set`, 'tcp.flags.res', false, off + 12, 1);
  ctx.add(
    ft,
    () => bit(flags, 0x100, '...X .... ....', 'Accurate ECN'),
    'tcp.flags.ae',
    (flags & 0x100) !== 0,
    off + 12,
    1,
  );
  ctx.add(
    ft,
    () => bit(flags, 0x80, '.... X... ....', 'Congestion Window Reduced'),
    'tcp.flags.cwr',
    (flags & 0x80) !== 0,
    off + 13,
    1,
  );
  ctx.add(
    ft,
    () => bit(flags, 0x40, '.... .X.. ....', 'ECN-Echo'),
    'tcp.flags.ece',
    (flags & 0x40) !== 0,
    off + 13,
    1,
  );
  ctx.add(
    ft,
    () => bit(flags, 0x20, '.... ..X. ....', 'Urgent'),
    'tcp.flags.urg',
    (flags & 0x20) !== 0,
    off + 13,
    1,
  );
  ctx.add(
    ft,
    () => bit(flags, 0x10, '.... ...X ....', 'Acknowledgment'),
    'tcp.flags.ack',
    (flags & 0x10) !== 0,
    off + 13,
    1,
  );
  ctx.add(
    ft,
    () => bit(flags, 0x08, '.... .... X...', 'Push'),
    'tcp.flags.push',
    (flags & 0x08) !== 0,
    off + 13,
    1,
  );
  const rst = ctx.add(
    ft,
    () => bit(flags, 0x04, '.... .... .X..', 'Reset'),
    'tcp.flags.reset',
    (flags & 0x04) !== 0,
    off + 13,
    1,
  );
  if (flags & TH_RST) ctx.expert(rst, EXPERT_RST);
  const syn = ctx.add(
    ft,
    () => bit(flags, 0x02, '.... .... ..X.', 'Syn'),
    'tcp.flags.syn',
    (flags & 0x02) !== 0,
    off + 13,
    1,
  );
  if (flags & TH_SYN) {
    if (flags & TH_ACK)
      ctx.expert(syn, EXPERT_SYNACK, `Connection establish acknowledge (SYN+ACK): server port ${sport}`);
    else ctx.expert(syn, EXPERT_SYN, `Connection establish request (SYN): server port ${dport}`);
  }
  const fin = ctx.add(
    ft,
    () => bit(flags, 0x01, '.... .... ...X', 'Fin'),
    'tcp.flags.fin',
    (flags & 0x01) !== 0,
    off + 13,
    1,
  );
  if (flags & TH_FIN) ctx.expert(fin, EXPERT_FIN);
  const str = FLAG_STR_ORDER.map(([m, c]) => (flags & m ? c : '·')).join('');
  ctx.add(ft, () => `[TCP Flags: ${str}]`, 'tcp.flags.str', str, off + 12, 2).generated = true;
  ctx.add(t, () => `Window: ${h.win}`, 'tcp.window_size_value', h.win, off + 14, 2);
  ctx.addGenerated(t, () => `Calculated window size: ${h.calcWin}`, 'tcp.window_size', h.calcWin);
  if (!(flags & TH_SYN)) {
    const sf = h.scale >= 0 ? 2 ** h.scale : h.scale;
    ctx.addGenerated(
      t,
      () =>
        `Window size scaling factor: ${sf}${h.scale === -1 ? ' (unknown)' : h.scale === -2 ? ' (no window scaling used)' : ''}`,
      'tcp.window_size_scalefactor',
      sf,
    );
  }
  const ck = (ctx.data[off + 16] << 8) | ctx.data[off + 17];
  ctx.add(
    t,
    () => `Checksum: 0x${ck.toString(16).padStart(4, '0')} [unverified]`,
    'tcp.checksum',
    ck,
    off + 16,
    2,
  );
  ctx.addGenerated(t, 'Checksum Status: Unverified', 'tcp.checksum.status', 2);
  ctx.add(t, () => `Urgent Pointer: ${h.urgPtr}`, 'tcp.urgent_pointer', h.urgPtr, off + 18, 2);
  if (h.hl > 20 && off + h.hl <= end) addOptionsTree(ctx, t, off + 20, off + h.hl, h.tcs);
}

const FLAG_STR_ORDER: [number, string][] = [
  [0x100, 'A'],
  [0x80, 'C'],
  [0x40, 'E'],
  [0x20, 'U'],
  [0x10, 'A'],
  [0x08, 'P'],
  [0x04, 'R'],
  [0x02, 'S'],
  [0x01, 'F'],
];

function addAnalysisTree(
  ctx: PacketContext,
  t: FieldNode[],
  aflags: number,
  fa: FrameAnalysis | undefined,
  tcs: TcpConvState | null,
  acks: number | undefined,
): void {
  const at = ctx.addTree(t, '[SEQ/ACK analysis]', 'tcp.analysis', true, 0, 0);
  const parent = t[t.length - 1];
  parent.generated = true;
  if (acks) {
    ctx.addGenerated(at, `This is an ACK to the segment in frame: ${acks}`, 'tcp.analysis.acks_frame', acks);
    const acked = acks === ctx.no ? ctx.raw : ctx.fetchFrame(acks);
    if (acked) {
      const rtt = ctx.raw.tsSec - acked.tsSec + (ctx.raw.tsNsec - acked.tsNsec) / 1e9;
      ctx.addGenerated(
        at,
        `The RTT to ACK the segment was: ${secs9(rtt)} seconds`,
        'tcp.analysis.ack_rtt',
        rtt,
      );
    }
  }
  if (tcs && tcs.irtt >= 0)
    ctx.addGenerated(at, `iRTT: ${secs9(tcs.irtt)} seconds`, 'tcp.analysis.initial_rtt', tcs.irtt);
  if (!aflags) return;
  if (fa && fa.rtoFrame) {
    ctx.addGenerated(
      at,
      `The RTO for this segment was: ${secs9(fa.rto)} seconds`,
      'tcp.analysis.rto',
      fa.rto,
    );
    ctx.addGenerated(
      at,
      `RTO based on delta from frame: ${fa.rtoFrame}`,
      'tcp.analysis.rto_frame',
      fa.rtoFrame,
    );
  }
  const ft = ctx.addTree(at, '[TCP Analysis Flags]', 'tcp.analysis.flags', true, 0, 0);
  at[at.length - 1].generated = true;
  for (let i = 0; i < ANALYSIS_EXPERTS.length; i++) {
    const e = ANALYSIS_EXPERTS[i];
    if (!(aflags & e.bit)) continue;
    if (e.bit === TCP_A_DUPLICATE_ACK && fa) {
      const n = ctx.addGenerated(ft, `This is a TCP duplicate ack`, e.id, true);
      ctx.expert(n, ANALYSIS_DEFS[i], `Duplicate ACK (#${fa.dupAckNum})`);
      ctx.addGenerated(
        at,
        `Duplicate ACK #: ${fa.dupAckNum}`,
        'tcp.analysis.duplicate_ack_num',
        fa.dupAckNum,
      );
      ctx.addGenerated(
        at,
        `Duplicate to the ACK in frame: ${fa.dupAckFrame}`,
        'tcp.analysis.duplicate_ack_frame',
        fa.dupAckFrame,
      );
      continue;
    }
    const n = ctx.addGenerated(ft, e.message, e.id, true);
    ctx.expert(n, ANALYSIS_DEFS[i]);
  }
}

/** First-pass option scan: only what analysis needs (window scale and MSS on SYNs). */
function parseOptionsFast(d: Uint8Array, p: number, end: number): void {
  opts.wsShift = -1;
  opts.mss = -1;
  walkTcpOptions(d, p, end, fastOption);
}
function fastOption(d: Uint8Array, kind: number, p: number, len: number): void {
  if (kind === 3 && len === 3) opts.wsShift = d[p + 2];
  else if (kind === 2 && len === 4) opts.mss = (d[p + 2] << 8) | d[p + 3];
}

function u32(d: Uint8Array, p: number): number {
  return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
}

/** Options as Wireshark appends them to Info: " MSS=1460 SACK_PERM TSval=… TSecr=0 WS=128". */
function addOptionsTree(
  ctx: PacketContext,
  t: FieldNode[],
  start: number,
  end: number,
  tcs: TcpConvState | null,
): void {
  const d = ctx.data;
  const names: string[] = [];
  const ot = ctx.addTree(t, '', 'tcp.options', d.slice(start, end), start, end - start);
  const otNode = t[t.length - 1];
  let p = start;
  const revBase = tcs ? tcs.dirs[ctx.dir ^ 1].baseSeq : -1;
  while (p < end) {
    const kind = d[p];
    const name = OPTION_NAMES[kind] ?? `Unknown (${kind})`;
    names.push(name);
    if (kind === 0 || kind === 1) {
      const n = ctx.addTree(ot, `TCP Option - ${name}`, undefined, undefined, p, 1);
      ctx.add(n, `Kind: ${name} (${kind})`, 'tcp.option_kind', kind, p, 1);
      p++;
      if (kind === 0) break;
      continue;
    }
    if (p + 1 >= end || d[p + 1] < 2 || p + d[p + 1] > end) {
      const n = ctx.add(ot, `TCP Option - ${name}: invalid length`, 'tcp.option_kind', kind, p, end - p);
      ctx.expert(n, EXPERT_OPT_LEN);
      break;
    }
    const len = d[p + 1];
    let label = `TCP Option - ${name}`;
    if (kind === 2 && len === 4) label += `: ${(d[p + 2] << 8) | d[p + 3]} bytes`;
    else if (kind === 3 && len === 3) label += `: ${d[p + 2]} (multiply by ${2 ** Math.min(d[p + 2], 14)})`;
    else if (kind === 8 && len === 10) label += `: TSval ${u32(d, p + 2)}, TSecr ${u32(d, p + 6)}`;
    const n = ctx.addTree(ot, label, undefined, undefined, p, len);
    ctx.add(n, `Kind: ${name} (${kind})`, 'tcp.option_kind', kind, p, 1);
    ctx.add(n, `Length: ${len}`, 'tcp.option_len', len, p + 1, 1);
    if (kind === 2 && len === 4)
      ctx.add(
        n,
        `MSS Value: ${(d[p + 2] << 8) | d[p + 3]}`,
        'tcp.options.mss_val',
        (d[p + 2] << 8) | d[p + 3],
        p + 2,
        2,
      );
    else if (kind === 3 && len === 3) {
      ctx.add(n, `Shift count: ${d[p + 2]}`, 'tcp.options.wscale.shift', d[p + 2], p + 2, 1);
      ctx.add(
        n,
        `[Multiplier: ${2 ** Math.min(d[p + 2], 14)}]`,
        'tcp.options.wscale.multiplier',
        2 ** Math.min(d[p + 2], 14),
        p + 2,
        1,
      ).generated = true;
    } else if (kind === 4) ctx.record('tcp.options.sack_perm', true);
    else if (kind === 8 && len === 10) {
      ctx.add(n, `Timestamp value: ${u32(d, p + 2)}`, 'tcp.options.timestamp.tsval', u32(d, p + 2), p + 2, 4);
      ctx.add(
        n,
        `Timestamp echo reply: ${u32(d, p + 6)}`,
        'tcp.options.timestamp.tsecr',
        u32(d, p + 6),
        p + 6,
        4,
      );
    } else if (kind === 5) {
      for (let q = p + 2; q + 8 <= p + len; q += 8) {
        const le = revBase >= 0 ? (u32(d, q) - revBase) >>> 0 : u32(d, q);
        const re = revBase >= 0 ? (u32(d, q + 4) - revBase) >>> 0 : u32(d, q + 4);
        ctx.add(n, `left edge = ${le} (relative)`, 'tcp.options.sack_le', le, q, 4);
        ctx.add(n, `right edge = ${re} (relative)`, 'tcp.options.sack_re', re, q + 4, 4);
      }
    }
    p += len;
  }
  otNode.label = `Options: (${end - start} bytes), ${names.join(', ')}`;
}

// ------------------------------------------------------------------ payload and reassembly

/** The module for this conversation's payload: tunnel/conversation dissector, port table, heuristics. */
function chooseModule(ctx: PacketContext, off: number, end: number): ProtocolModule | undefined {
  const conv = ctx.conv;
  const set = conv?.dissectorAt(ctx.no);
  if (set) return set;
  const table = portTable ?? ctx.registry.table('tcp.port');
  const lo = ctx.srcPort < ctx.dstPort ? ctx.srcPort : ctx.dstPort;
  const hi = ctx.srcPort < ctx.dstPort ? ctx.dstPort : ctx.srcPort;
  const byPort = table.get(lo) ?? table.get(hi);
  if (byPort && (!byPort.heuristic || byPort.heuristic(ctx, off, end))) return byPort;
  for (const m of (heuristics ?? ctx.registry.heuristics('tcp')).list)
    if (m.heuristic!(ctx, off, end)) return m;
  return byPort;
}

/** Calls `m` on ctx.data[off, end); returns the bytes it took. Clears the desegment request first. */
function callPayload(
  ctx: PacketContext,
  m: ProtocolModule,
  off: number,
  end: number,
  tree: FieldNode[] | null,
): number {
  ctx.desegmentLen = 0;
  ctx.desegmentOffset = 0;
  return ctx.call(m, off, end, tree);
}

function payload(
  ctx: PacketContext,
  tree: FieldNode[] | null,
  t: FieldNode[] | null,
  rseq: number,
  pStart: number,
  pEnd: number,
  complete: boolean,
  aflags: number,
): void {
  const conv = ctx.conv;
  const tcs = conv?.tcp;
  if (!conv || !tcs || ctx.source !== 0) {
    direct(ctx, tree, pStart, pEnd, false);
    return;
  }
  if (ctx.firstPass) {
    if (aflags & REPEATED || !complete) return;
    const waitsAlone = firstPassPayload(ctx, tcs.dirs[ctx.dir], rseq, pStart, pEnd, tree);
    // a single pass shows what it knows now (tshark -r): the marker only on frames whose data
    // waits for more with nothing dissected before it ("Server Hello" alone, not "+ marker")
    if (ctx.cols && waitsAlone) ctx.appendInfo('[TCP segment of a reassembled PDU]');
    return;
  }
  if (aflags & REPEATED) {
    if (ctx.mode === MODE_FULL) ctx.call(dataModule, pStart, pEnd, tree);
    return;
  }
  const rec = decodeRecord(ctx.frameData('tcp.reasm'));
  let pos = pStart;
  if (rec?.completes) {
    const c = rec.completes;
    const bytes =
      c.bytes ??
      ctx.recentPdu('tcp') ??
      rebuild(c.parts, c.length, (no) => (no === ctx.no ? ctx.frame : ctx.fetchFrame(no)?.data));
    if (bytes) dissectReassembled(ctx, tree, t, c.module, bytes, c.parts);
    else if (t)
      ctx.addGenerated(
        t,
        `Reassembled PDU (${c.length} bytes) unavailable: earlier frames could not be read again`,
      );
    ctx.flags |= TCP_REASSEMBLED_PDU;
    pos = c.tailOff;
  }
  const stop = rec?.partialFrom ?? pEnd;
  if (pos < stop) direct(ctx, tree, pos, stop, true);
  if (rec?.partialFrom !== undefined) {
    markWaiting(ctx, tree);
    ctx.flags |= TCP_SEGMENT_OF_PDU;
    if (t) {
      ctx.addGenerated(t, 'TCP segment of a reassembled PDU');
      if (rec.pduFrame)
        ctx.addGenerated(t, `Reassembled PDU in frame: ${rec.pduFrame}`, 'tcp.reassembled_in', rec.pduFrame);
      const from = rec.partialFrom;
      ctx.add(
        t,
        `TCP segment data (${pEnd - from} byte${pEnd - from === 1 ? '' : 's'})`,
        'tcp.segment_data',
        ctx.data.slice(from, pEnd),
        from,
        pEnd - from,
      );
    }
    if (ctx.cols && pos >= stop && !rec.completes) {
      // as Wireshark's second pass (tshark -2, the GUI): TCP's Info with the marker
      ctx.appendInfo('[TCP segment of a reassembled PDU]');
    }
  }
}

/** Random access: dissect ctx.data[off, end) directly, ignoring desegment requests. */
function direct(
  ctx: PacketContext,
  tree: FieldNode[] | null,
  off: number,
  end: number,
  known: boolean,
): void {
  const m = chooseModule(ctx, off, end);
  if (m) {
    const used = callPayload(ctx, m, off, end, tree);
    if (used === 0 && ctx.desegmentLen === 0) ctx.call(dataModule, off, end, tree);
    void known;
    ctx.desegmentLen = 0;
  } else if (tree) ctx.call(dataModule, off, end, tree);
}

function dissectReassembled(
  ctx: PacketContext,
  tree: FieldNode[] | null,
  t: FieldNode[] | null,
  m: ProtocolModule,
  bytes: Uint8Array,
  parts: { frame: number; len: number }[],
): void {
  const src = ctx.addSource(`Reassembled TCP (${bytes.length} bytes)`, bytes);
  if (t) {
    const st = ctx.addTree(
      t,
      `[${parts.length} Reassembled TCP Segments (${bytes.length} bytes): ${parts.map((p) => `#${p.frame}(${p.len})`).join(', ')}]`,
      'tcp.segments',
      true,
      0,
      0,
    );
    t[t.length - 1].generated = true;
    let o = 0;
    for (const p of parts) {
      const n = ctx.add(
        st,
        `[Frame: ${p.frame}, payload: ${o}-${o + p.len - 1} (${p.len} bytes)]`,
        'tcp.segment',
        p.frame,
        o,
        p.len,
      );
      n.source = src;
      n.generated = true;
      o += p.len;
    }
    ctx.addGenerated(st, `Segment count: ${parts.length}`, 'tcp.segment.count', parts.length);
    ctx.addGenerated(st, `Reassembled TCP length: ${bytes.length}`, 'tcp.reassembled.length', bytes.length);
  }
  const savedData = ctx.data;
  const savedSource = ctx.source;
  ctx.data = bytes;
  ctx.source = src;
  try {
    callPayload(ctx, m, 0, bytes.length, tree);
  } finally {
    ctx.data = savedData;
    ctx.source = savedSource;
    ctx.desegmentLen = 0;
  }
}

/**
 * A dissector asked for more data before it could show anything: the frame's Protocol column
 * stays TCP, but the protocols it entered stay in the frame (tshark 4.0: the first piece of a
 * tunnelled TLS record is `…:tcp:http:tls`, Protocol "TCP"). They are kept for the random-access
 * dissection too, which calls nothing on a piece that waits.
 */
function restore(ctx: PacketContext, top: number, mask: number): void {
  ctx.topProto = top;
  const entered = ctx.protoMask & ~mask;
  if (entered !== 0) ctx.setFrameData(WAITING_PROTOS, entered);
}

const WAITING_PROTOS = 'tcp.waiting';

/** Marks the protocols restore() kept for this frame, in id order, leaving the top protocol alone. */
function markWaiting(ctx: PacketContext, tree: FieldNode[] | null): void {
  const entered = ctx.frameData<number>(WAITING_PROTOS);
  if (!entered) return;
  const top = ctx.topProto;
  const col = ctx.colProtocol;
  for (let id = 1; id < 31; id++) {
    if ((entered & (1 << id)) === 0) continue;
    const m = ctx.registry.byId(id);
    if (!m || ctx.protocols.includes(m.name)) continue;
    ctx.enter(m);
    if (tree) ctx.protoTree(tree, m, 0, 0);
  }
  ctx.topProto = top;
  ctx.colProtocol = col;
}

function record(ctx: PacketContext, no: number): ReasmRecord {
  return decodeRecord(ctx.frameData('tcp.reasm', no)) ?? {};
}

function store(ctx: PacketContext, no: number, r: ReasmRecord): void {
  ctx.setFrameData('tcp.reasm', encodeRecord(r), no);
}

function markPartial(ctx: PacketContext, from: number, start: boolean): void {
  const r = record(ctx, ctx.no);
  r.partialFrom = from;
  if (start) r.partialStart = true;
  store(ctx, ctx.no, r);
}

function needFor(len: number, have: number): number {
  return len === DESEGMENT_ONE_MORE_SEGMENT || len === DESEGMENT_UNTIL_FIN ? -1 : have + len;
}

/**
 * First pass: feeds in-order new payload to the PDU collector or straight to the dissector.
 * Returns true when the frame's payload waits for more data with no PDU dissected before it
 * (the frames a single pass marks "[TCP segment of a reassembled PDU]").
 */
function firstPassPayload(
  ctx: PacketContext,
  dir: { msp: unknown; nextSeq: number },
  rseq: number,
  pStart: number,
  pEnd: number,
  tree: FieldNode[] | null,
): boolean {
  let pos = pStart;
  let seq = rseq;
  let msp = dir.msp as Msp | null;
  let dissectedBefore = false;
  if (msp && msp.nextSeq !== seq) {
    // a gap or overlap: the PDU cannot be completed
    dir.msp = msp = null;
  }
  if (msp) {
    const avail = pEnd - pos;
    const take = msp.need < 0 ? avail : Math.min(avail, msp.need - msp.total);
    if (msp.need >= 0 && msp.total + take < msp.need) {
      msp.append(ctx.no, ctx.data, pos, take);
      markPartial(ctx, pos, false);
      ctx.flags |= TCP_SEGMENT_OF_PDU;
      return true;
    }
    const bytes = msp.appendAndJoin(ctx.no, ctx.data, pos, take);
    const savedTop = ctx.topProto;
    const savedMask = ctx.protoMask;
    const savedData = ctx.data;
    ctx.data = bytes;
    ctx.source = 1;
    try {
      callPayload(ctx, msp.module, 0, bytes.length, tree);
    } finally {
      ctx.data = savedData;
      ctx.source = 0;
    }
    if (ctx.desegmentLen !== 0) {
      const from = ctx.desegmentOffset;
      if (from === 0) restore(ctx, savedTop, savedMask);
      else completeMsp(ctx, msp, from, pos + take);
      if (from > 0) msp.dropHead(from);
      msp.need = needFor(ctx.desegmentLen, msp.total);
      ctx.desegmentLen = 0;
      if (pos + take < pEnd) {
        // cannot happen with need < 0 (it takes everything); with need >= 0 the PDU took all it wanted
      }
      if (from === 0) {
        markPartial(ctx, pos, false);
        ctx.flags |= TCP_SEGMENT_OF_PDU;
      } else markPartial(ctx, frameOffsetOf(msp, ctx.no, pos), false);
      return from === 0;
    }
    completeMsp(ctx, msp, bytes.length, pos + take);
    dir.msp = null;
    pos += take;
    seq = (seq + take) >>> 0;
    if (pos >= pEnd) return false;
    dissectedBefore = true;
  }
  // direct dissection of the rest of the segment
  const m = chooseModule(ctx, pos, pEnd);
  if (!m) return false;
  const savedTop = ctx.topProto;
  const savedMask = ctx.protoMask;
  const used = callPayload(ctx, m, pos, pEnd, tree);
  if (ctx.desegmentLen !== 0) {
    const from = Math.max(pos, Math.min(pEnd, ctx.desegmentOffset));
    if (from === pos) restore(ctx, savedTop, savedMask);
    const n = new Msp(m, (seq + (from - pos)) >>> 0, 0);
    n.append(ctx.no, ctx.data, from, pEnd - from);
    n.need = needFor(ctx.desegmentLen, n.total);
    ctx.desegmentLen = 0;
    dir.msp = n;
    markPartial(ctx, from, true);
    ctx.flags |= TCP_SEGMENT_OF_PDU;
    return from === pos && !dissectedBefore;
  }
  void used;
  return false;
}

/** The frame offset in frame `no` where the (sliced) msp's first byte of that frame is. */
function frameOffsetOf(msp: Msp, no: number, fallback: number): number {
  for (const p of msp.parts) if (p.frame === no) return p.off;
  return fallback;
}

/** Records that the first `len` bytes of msp form a PDU completed in this frame. */
function completeMsp(ctx: PacketContext, msp: Msp, len: number, tailOff: number): void {
  const parts: { frame: number; off: number; len: number }[] = [];
  let left = len;
  for (const p of msp.parts) {
    if (left <= 0) break;
    const l = Math.min(p.len, left);
    parts.push({ frame: p.frame, off: p.off, len: l });
    left -= l;
  }
  const r = record(ctx, ctx.no);
  r.completes = {
    module: msp.module,
    parts,
    length: len,
    tailOff: len === msp.total ? tailOff : parts[parts.length - 1].off + parts[parts.length - 1].len,
  };
  const bytes = msp.bytes();
  const pduBytes = len === bytes.length ? bytes : bytes.slice(0, len);
  if (ctx.retainReassembled) r.completes.bytes = pduBytes;
  else ctx.rememberPdu('tcp', pduBytes);
  store(ctx, ctx.no, r);
  for (const p of parts) {
    if (p.frame === ctx.no) continue;
    const pr = record(ctx, p.frame);
    pr.pduFrame = ctx.no;
    store(ctx, p.frame, pr);
  }
  ctx.flags |= TCP_REASSEMBLED_PDU;
}
