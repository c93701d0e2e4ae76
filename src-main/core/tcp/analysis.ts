// TCP sequence analysis per conversation, following Wireshark's tcp_analyze_sequence_number()
// (packet-tcp.c): relative sequence numbers, initial RTT, retransmission (plain, fast, spurious),
// out-of-order, previous segment not captured, ACKed unseen segment, duplicate ACK, zero window
// (+ probe, probe ACK), window full, window update, keep-alive (+ ACK), port reuse.
// Runs in the engine's first pass only; the results of one segment are small integers.

export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PUSH = 0x08;
export const TH_ACK = 0x10;
export const TH_URG = 0x20;
export const TH_ECE = 0x40;
export const TH_CWR = 0x80;
export const TH_AE = 0x100;

// Analysis flag bits (FastInfo.flags). Bit 30 is FLAG_MALFORMED (engine-context.ts).
export const TCP_A_RETRANSMISSION = 1 << 0;
export const TCP_A_LOST_PACKET = 1 << 1;
export const TCP_A_ACK_LOST_PACKET = 1 << 2;
export const TCP_A_KEEP_ALIVE = 1 << 3;
export const TCP_A_DUPLICATE_ACK = 1 << 4;
export const TCP_A_ZERO_WINDOW = 1 << 5;
export const TCP_A_ZERO_WINDOW_PROBE = 1 << 6;
export const TCP_A_ZERO_WINDOW_PROBE_ACK = 1 << 7;
export const TCP_A_KEEP_ALIVE_ACK = 1 << 8;
export const TCP_A_OUT_OF_ORDER = 1 << 9;
export const TCP_A_FAST_RETRANSMISSION = 1 << 10;
export const TCP_A_WINDOW_UPDATE = 1 << 11;
export const TCP_A_WINDOW_FULL = 1 << 12;
export const TCP_A_REUSED_PORTS = 1 << 13;
export const TCP_A_SPURIOUS_RETRANSMISSION = 1 << 14;
/** not analysis: this segment's payload is part of a PDU reassembled in another frame */
export const TCP_SEGMENT_OF_PDU = 1 << 16;
/** not analysis: a PDU reassembled from several segments ends in this frame */
export const TCP_REASSEMBLED_PDU = 1 << 17;
/** not analysis: RST flag set (Wireshark's tcp.connection.rst expert) */
export const TCP_CONNECTION_RST = 1 << 18;

/** Bits that make Wireshark's tcp.analysis.flags present (window update is not a problem but counts). */
export const TCP_ANALYSIS_MASK = 0x7fff;

/** Sequence-number comparisons modulo 2^32 (Wireshark's GT_SEQ, LT_SEQ, ...). */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export class TcpDirState {
  /** absolute sequence number that relative 0 maps to; -1 until known */
  baseSeq = -1;
  /** highest relative seq + len seen (0 = none yet, as in Wireshark) */
  nextSeq = 0;
  nextSeqFrame = 0;
  nextSeqTime = 0;
  maxSeqToBeAcked = 0;
  lastAck = 0;
  lastAckTime = 0;
  /** raw (unscaled) window of the last segment; -1 before any */
  window = -1;
  /** -1 unknown, -2 no scaling, else the shift count */
  winScale = -1;
  dupAckNum = 0;
  lastNonDupAck = 0;
  /** analysis flags of the last segment sent this way */
  lastSegmentFlags = 0;
  /** whether the SYN of this direction had a window-scale option (for display) */
  finSeen = false;
  /** reassembly: the PDU being collected in this direction (tcp/reassembly.ts) */
  msp: unknown = null;
  /**
   * Segments sent this way not yet ACKed, oldest first, flat: [frame, seq, nextSeq, time, …]
   * (null when none: ACKed segments are dropped, so a finished conversation keeps nothing).
   */
  unacked: number[] | null = null;
}

/** Wireshark keeps at most this many unacked segments a direction (TCP_MAX_UNACKED_SEGMENTS). */
const MAX_UNACKED = 10000;

export class TcpConvState {
  readonly dirs: [TcpDirState, TcpDirState] = [new TcpDirState(), new TcpDirState()];
  synSeen = false;
  synAckSeen = false;
  finSeen = false;
  rstSeen = false;
  /** relative time of the first SYN; -1 if none */
  synTime = -1;
  synDir = -1;
  /** initial RTT in seconds, -1 until measured */
  irtt = -1;
}

/** Result of analysing one segment; a reused object. */
export interface SegmentAnalysis {
  flags: number;
  dupAckNum: number;
  dupAckFrame: number;
  /** for retransmissions: the frame of the highest sequence seen before, and the time since it */
  rtoFrame: number;
  rto: number;
  /** tcp.analysis.acks_frame: the segment this ACK acknowledges exactly (0 none), and the time since it */
  acksFrame: number;
  ackRtt: number;
}

/** Relative sequence number (mod 2^32) of an absolute one in direction d, fixing the base on first use. */
export function relSeq(d: TcpDirState, seq: number, isSyn: boolean): number {
  if (d.baseSeq < 0) d.baseSeq = isSyn ? seq : (seq - 1) >>> 0;
  return (seq - d.baseSeq) >>> 0;
}

/**
 * Records the window-scale option of a SYN (shift, or -1 when absent) as Wireshark's
 * verify_tcp_window_scaling() does.
 */
export function noteWindowScale(conv: TcpConvState, dir: number, isSynAck: boolean, shift: number): void {
  const fwd = conv.dirs[dir];
  const rev = conv.dirs[dir ^ 1];
  if (shift >= 0) fwd.winScale = Math.min(shift, 14);
  if (fwd.winScale === -1 || shift < 0) {
    if (!isSynAck || rev.winScale !== -1) {
      fwd.winScale = -2;
      rev.winScale = -2;
    }
  } else if (isSynAck && rev.winScale === -2) {
    fwd.winScale = -2;
  }
}

/** The multiplier applied to raw windows sent in direction dir (1 when unknown or none). */
export function windowMultiplier(conv: TcpConvState, dir: number): number {
  const s = conv.dirs[dir].winScale;
  return s >= 0 ? 1 << s : 1;
}

/**
 * Analyses one segment. seq/ack are relative (mod 2^32), window raw. `time` is seconds (any
 * origin, same for the whole capture). Writes into `out` and returns it.
 */
export function analyzeSegment(
  conv: TcpConvState,
  dir: number,
  seq: number,
  ack: number,
  seglen: number,
  flags: number,
  window: number,
  time: number,
  frame: number,
  out: SegmentAnalysis,
): SegmentAnalysis {
  const fwd = conv.dirs[dir];
  const rev = conv.dirs[dir ^ 1];
  let a = 0;
  out.dupAckNum = 0;
  out.dupAckFrame = 0;
  out.rtoFrame = 0;
  out.rto = 0;
  out.acksFrame = 0;
  out.ackRtt = 0;
  const synFinRst = flags & (TH_SYN | TH_FIN | TH_RST);

  // handshake bookkeeping and the initial RTT (SYN -> ACK of the SYN-ACK)
  if (flags & TH_SYN) {
    if (flags & TH_ACK) conv.synAckSeen = true;
    else if (!conv.synSeen) {
      conv.synSeen = true;
      conv.synTime = time;
      conv.synDir = dir;
    }
  } else if (conv.irtt < 0 && conv.synAckSeen && conv.synTime >= 0 && dir === conv.synDir && flags & TH_ACK) {
    conv.irtt = time - conv.synTime;
  }
  if (flags & TH_FIN) {
    conv.finSeen = true;
    fwd.finSeen = true;
  }
  if (flags & TH_RST) conv.rstSeen = true;

  forward: {
    // ZERO WINDOW PROBE
    if (seglen === 1 && seq === fwd.nextSeq && rev.window === 0) {
      a |= TCP_A_ZERO_WINDOW_PROBE;
      break forward;
    }
    // ZERO WINDOW
    if (window === 0 && synFinRst === 0) a |= TCP_A_ZERO_WINDOW;
    // LOST PACKET
    if (fwd.nextSeq !== 0 && seqGt(seq, fwd.nextSeq) && (flags & TH_RST) === 0) a |= TCP_A_LOST_PACKET;
    // KEEP ALIVE
    if (seglen <= 1 && synFinRst === 0 && seq === (fwd.nextSeq - 1) >>> 0) a |= TCP_A_KEEP_ALIVE;
    // an empty segment at the expected sequence number re-sending the last ACK: a window update,
    // a keep-alive or zero-window-probe ACK, or a duplicate ACK, by its window
    const repeatsAck = seglen === 0 && seq === fwd.nextSeq && ack === fwd.lastAck && synFinRst === 0;
    // WINDOW UPDATE
    if (repeatsAck && window !== 0 && window !== fwd.window) a |= TCP_A_WINDOW_UPDATE;
    // WINDOW FULL
    if (seglen > 0 && rev.winScale !== -1 && synFinRst === 0 && rev.window >= 0) {
      const shift = rev.winScale === -2 ? 0 : rev.winScale;
      if ((seq + seglen) >>> 0 === (rev.lastAck + rev.window * 2 ** shift) >>> 0) a |= TCP_A_WINDOW_FULL;
    }
    // KEEP ALIVE ACK
    if (repeatsAck && window !== 0 && window === fwd.window && rev.lastSegmentFlags & TCP_A_KEEP_ALIVE) {
      a |= TCP_A_KEEP_ALIVE_ACK;
      break forward;
    }
    // ZERO WINDOW PROBE ACK
    if (
      repeatsAck &&
      window === 0 &&
      window === fwd.window &&
      rev.lastSegmentFlags & TCP_A_ZERO_WINDOW_PROBE
    ) {
      a |= TCP_A_ZERO_WINDOW_PROBE_ACK;
      break forward;
    }
    // DUPLICATE ACK
    if (repeatsAck && window !== 0 && window === fwd.window) {
      fwd.dupAckNum++;
      a |= TCP_A_DUPLICATE_ACK;
      out.dupAckNum = fwd.dupAckNum;
      out.dupAckFrame = fwd.lastNonDupAck;
    }
  }

  // a new ACK number resets the duplicate-ACK count
  if (ack !== fwd.lastAck) {
    fwd.lastNonDupAck = frame;
    fwd.dupAckNum = 0;
  }

  // ACKED LOST PACKET: this ACKs data the other side never sent in the capture
  if (rev.maxSeqToBeAcked !== 0 && seqGt(ack, rev.maxSeqToBeAcked) && flags & TH_ACK) {
    a |= TCP_A_ACK_LOST_PACKET;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  // RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER
  if (
    (seglen > 0 || flags & (TH_SYN | TH_FIN)) &&
    fwd.nextSeq !== 0 &&
    seqLt(seq, fwd.nextSeq) &&
    !(a & TCP_A_KEEP_ALIVE)
  ) {
    retrans: {
      const sinceDupAck = time - rev.lastAckTime;
      if (sinceDupAck < 0.02 && rev.dupAckNum >= 2 && rev.lastAck === seq) {
        a |= TCP_A_FAST_RETRANSMISSION;
        break retrans;
      }
      const sinceNext = time - fwd.nextSeqTime;
      const oooThreshold = conv.irtt > 0 ? conv.irtt : 0.003;
      const synFin = flags & (TH_SYN | TH_FIN) ? 1 : 0;
      if (sinceNext < oooThreshold && fwd.nextSeq !== (seq + seglen + synFin) >>> 0) {
        a |= TCP_A_OUT_OF_ORDER;
        break retrans;
      }
      if (seglen > 0 && rev.lastAck !== 0 && seqLe((seq + seglen) >>> 0, rev.lastAck)) {
        a |= TCP_A_SPURIOUS_RETRANSMISSION;
        break retrans;
      }
      a |= TCP_A_RETRANSMISSION;
      out.rtoFrame = fwd.nextSeqFrame;
      out.rto = time - fwd.nextSeqTime;
    }
  }

  let nextSeq = (seq + seglen) >>> 0;
  if (flags & (TH_SYN | TH_FIN)) nextSeq = (nextSeq + 1) >>> 0;
  if (seqGt(nextSeq, fwd.nextSeq) || fwd.nextSeq === 0) {
    if (!(a & TCP_A_ZERO_WINDOW_PROBE)) {
      fwd.nextSeq = nextSeq;
      fwd.nextSeqFrame = frame;
      fwd.nextSeqTime = time;
    }
  }
  if (seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) {
    if (!(a & TCP_A_ZERO_WINDOW_PROBE)) fwd.maxSeqToBeAcked = fwd.nextSeq;
  }
  // the segment list for acks_frame / ack_rtt (Wireshark's tcp_unacked_t list)
  if (
    (seglen > 0 || flags & (TH_SYN | TH_FIN)) &&
    (fwd.unacked === null || fwd.unacked.length < 4 * MAX_UNACKED)
  ) {
    if (fwd.unacked === null) fwd.unacked = [frame, seq, nextSeq, time];
    else fwd.unacked.push(frame, seq, nextSeq, time);
  }
  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckTime = time;
  fwd.lastSegmentFlags = a;
  if (flags & TH_ACK && rev.unacked !== null) ackSegments(rev, ack, time, out);
  out.flags = a;
  return out;
}

/**
 * Removes the segments `ack` acknowledges from the other direction's list, as Wireshark walks it
 * (newest first): the segment whose end is exactly `ack` is the one "this is an ACK to" (the
 * oldest such one, the walk's last match); a segment ACKed in part is trimmed; segments beyond
 * `ack` stay. The list is compacted in place, oldest first.
 */
function ackSegments(rev: TcpDirState, ack: number, time: number, out: SegmentAnalysis): void {
  const u = rev.unacked!;
  const n = u.length;
  let matched = false;
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const segSeq = u[i + 1];
    const segNext = u[i + 2];
    if (ack === segNext) {
      if (!matched) {
        matched = true;
        out.acksFrame = u[i];
        out.ackRtt = time - u[i + 3];
      }
      continue;
    }
    const partly = seqGt(ack, segSeq) && seqLe(ack, segNext);
    if (!partly && !seqGt(segNext, ack)) continue; // ACKed before: dropped
    u[o] = u[i];
    u[o + 1] = partly ? ack : segSeq;
    u[o + 2] = segNext;
    u[o + 3] = u[i + 3];
    o += 4;
  }
  if (o === 0) rev.unacked = null;
  else if (o < n) u.length = o;
}

/** Wireshark's Info prefixes, in the order col_prepend_fence_fstr() leaves them. */
export function analysisPrefix(flags: number, dupAckNum: number, dupAckFrame: number): string {
  // Wireshark prepends each label in this order, so the last one applied comes first.
  const order: [number, string][] = [
    [TCP_A_RETRANSMISSION, '[TCP Retransmission] '],
    [TCP_A_SPURIOUS_RETRANSMISSION, '[TCP Spurious Retransmission] '],
    [TCP_A_LOST_PACKET, '[TCP Previous segment not captured] '],
    [TCP_A_ACK_LOST_PACKET, '[TCP ACKed unseen segment] '],
    [TCP_A_WINDOW_UPDATE, '[TCP Window Update] '],
    [TCP_A_WINDOW_FULL, '[TCP Window Full] '],
    [TCP_A_KEEP_ALIVE, '[TCP Keep-Alive] '],
    [TCP_A_KEEP_ALIVE_ACK, '[TCP Keep-Alive ACK] '],
    [TCP_A_DUPLICATE_ACK, ''],
    [TCP_A_ZERO_WINDOW_PROBE, '[TCP ZeroWindowProbe] '],
    [TCP_A_ZERO_WINDOW, '[TCP ZeroWindow] '],
    [TCP_A_ZERO_WINDOW_PROBE_ACK, '[TCP ZeroWindowProbeAck] '],
    [TCP_A_FAST_RETRANSMISSION, '[TCP Fast Retransmission] '],
    [TCP_A_OUT_OF_ORDER, '[TCP Out-Of-Order] '],
    [TCP_A_REUSED_PORTS, '[TCP Port numbers reused] '],
  ];
  let s = '';
  for (const [bit, label] of order) {
    if (!(flags & bit)) continue;
    s = (bit === TCP_A_DUPLICATE_ACK ? `[TCP Dup ACK ${dupAckFrame}#${dupAckNum}] ` : label) + s;
  }
  return s;
}

export interface AnalysisExpert {
  bit: number;
  id: string;
  severity: 'chat' | 'note' | 'warn' | 'error';
  message: string;
}

/** Expert items of the analysis bits (Wireshark's ei_tcp_analysis_*). */
export const ANALYSIS_EXPERTS: AnalysisExpert[] = [
  {
    bit: TCP_A_RETRANSMISSION,
    id: 'tcp.analysis.retransmission',
    severity: 'note',
    message: 'This frame is a (suspected) retransmission',
  },
  {
    bit: TCP_A_FAST_RETRANSMISSION,
    id: 'tcp.analysis.fast_retransmission',
    severity: 'note',
    message: 'This frame is a (suspected) fast retransmission',
  },
  {
    bit: TCP_A_SPURIOUS_RETRANSMISSION,
    id: 'tcp.analysis.spurious_retransmission',
    severity: 'note',
    message: 'This frame is a (suspected) spurious retransmission',
  },
  {
    bit: TCP_A_OUT_OF_ORDER,
    id: 'tcp.analysis.out_of_order',
    severity: 'warn',
    message: 'This frame is a (suspected) out-of-order segment',
  },
  {
    bit: TCP_A_LOST_PACKET,
    id: 'tcp.analysis.lost_segment',
    severity: 'warn',
    message: 'Previous segment(s) not captured (common at capture start)',
  },
  {
    bit: TCP_A_ACK_LOST_PACKET,
    id: 'tcp.analysis.ack_lost_segment',
    severity: 'warn',
    message: "ACKed segment that wasn't captured (common at capture start)",
  },
  { bit: TCP_A_DUPLICATE_ACK, id: 'tcp.analysis.duplicate_ack', severity: 'note', message: 'Duplicate ACK' },
  {
    bit: TCP_A_ZERO_WINDOW,
    id: 'tcp.analysis.zero_window',
    severity: 'warn',
    message: 'TCP Zero Window segment',
  },
  {
    bit: TCP_A_ZERO_WINDOW_PROBE,
    id: 'tcp.analysis.zero_window_probe',
    severity: 'note',
    message: 'TCP Zero Window Probe',
  },
  {
    bit: TCP_A_ZERO_WINDOW_PROBE_ACK,
    id: 'tcp.analysis.zero_window_probe_ack',
    severity: 'note',
    message: 'TCP Zero Window Probe Ack',
  },
  {
    bit: TCP_A_WINDOW_FULL,
    id: 'tcp.analysis.window_full',
    severity: 'warn',
    message: 'TCP window specified by the receiver is now completely full',
  },
  {
    bit: TCP_A_WINDOW_UPDATE,
    id: 'tcp.analysis.window_update',
    severity: 'chat',
    message: 'TCP window update',
  },
  {
    bit: TCP_A_KEEP_ALIVE,
    id: 'tcp.analysis.keep_alive',
    severity: 'note',
    message: 'TCP keep-alive segment',
  },
  {
    bit: TCP_A_KEEP_ALIVE_ACK,
    id: 'tcp.analysis.keep_alive_ack',
    severity: 'note',
    message: 'ACK to a TCP keep-alive segment',
  },
  {
    bit: TCP_A_REUSED_PORTS,
    id: 'tcp.analysis.reused_ports',
    severity: 'note',
    message: 'A new tcp session is started with the same ports as an earlier session in this trace',
  },
];
