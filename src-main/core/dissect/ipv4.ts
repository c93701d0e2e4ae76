// IPv4: header fields, options, DF/MF and fragments (not reassembled: fragments show as
// "Fragmented IP protocol"), checksum shown but not verified (Wireshark's default). Sets the
// network addresses for conversations and the Source/Destination columns, then dispatches on
// the "ip.proto" table.

import type { FieldNode } from './types.js';
import type { DissectorTable, ProtocolModule } from './registry.js';

let ipProtoTable: DissectorTable | null = null;
import { formatIpv4, ipv4Text, type PacketContext } from './engine-context.js';
import { dataModule } from './frame.js';
import { rebuild, type PduPart } from '../tcp/reassembly.js';

export const IP_PROTO_NAMES: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop Option',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'IPv6 Routing',
  44: 'IPv6 Fragment',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'IPv6 No Next Header',
  60: 'IPv6 Destination Options',
  89: 'OSPF IGP',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

export function ipProtoText(p: number): string {
  return `${IP_PROTO_NAMES[p] ?? 'Unknown'} (${p})`;
}

/** Pending fragments of one datagram (first pass). */
interface FragSet {
  parts: { frame: number; frameOff: number; fragOff: number; bytes: Uint8Array }[];
  /** total payload length, known once the last fragment (MF=0) arrived; -1 before */
  total: number;
}

/** Per frame: the datagram completed here, or where the fragment's datagram was completed. */
interface FragRecord {
  completes?: { parts: PduPart[]; length: number; bytes?: Uint8Array };
  reassembledIn?: number;
}

const DSCP_NAMES: Record<number, string> = {
  0: 'CS0',
  8: 'CS1',
  10: 'AF11',
  12: 'AF12',
  14: 'AF13',
  16: 'CS2',
  18: 'AF21',
  20: 'AF22',
  22: 'AF23',
  24: 'CS3',
  26: 'AF31',
  28: 'AF32',
  30: 'AF33',
  32: 'CS4',
  34: 'AF41',
  36: 'AF42',
  38: 'AF43',
  40: 'CS5',
  46: 'EF PHB',
  48: 'CS6',
  56: 'CS7',
};
const ECN_NAMES = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];

const OPT_NAMES: Record<number, string> = {
  0: 'End of Options List (EOL)',
  1: 'No-Operation (NOP)',
  7: 'Record Route',
  68: 'Time Stamp',
  130: 'Security',
  131: 'Loose Source Route',
  136: 'Stream ID',
  137: 'Strict Source Route',
  148: 'Router Alert',
};

const BOGUS_LEN = {
  id: 'ip.bogus_ip_length',
  severity: 'error',
  group: 'protocol',
  message: 'Bogus IP length',
} as const;
const BOGUS_VER = {
  id: 'ip.bogus_ip_version',
  severity: 'error',
  group: 'protocol',
  message: 'Bogus IP version',
} as const;
const BOGUS_HDR = {
  id: 'ip.bogus_header_length',
  severity: 'error',
  group: 'protocol',
  message: 'Bogus IP header length',
} as const;

export const ipv4Module: ProtocolModule = {
  name: 'ip',
  column: 'IPv4',
  title: 'Internet Protocol Version 4',
  fields: [
    { name: 'ip.version', label: 'Version', type: 'uint' },
    { name: 'ip.hdr_len', label: 'Header Length', type: 'uint' },
    { name: 'ip.dsfield', label: 'Differentiated Services Field', type: 'uint' },
    { name: 'ip.dsfield.dscp', label: 'Differentiated Services Codepoint', type: 'uint' },
    { name: 'ip.dsfield.ecn', label: 'Explicit Congestion Notification', type: 'uint' },
    { name: 'ip.len', label: 'Total Length', type: 'uint' },
    { name: 'ip.id', label: 'Identification', type: 'uint' },
    { name: 'ip.flags', label: 'Flags', type: 'uint' },
    { name: 'ip.flags.rb', label: 'Reserved bit', type: 'bool' },
    { name: 'ip.flags.df', label: "Don't fragment", type: 'bool' },
    { name: 'ip.flags.mf', label: 'More fragments', type: 'bool' },
    { name: 'ip.frag_offset', label: 'Fragment Offset', type: 'uint' },
    { name: 'ip.ttl', label: 'Time to Live', type: 'uint' },
    { name: 'ip.proto', label: 'Protocol', type: 'uint' },
    { name: 'ip.checksum', label: 'Header Checksum', type: 'uint' },
    { name: 'ip.checksum.status', label: 'Header checksum status', type: 'uint' },
    { name: 'ip.src', label: 'Source Address', type: 'ipv4' },
    { name: 'ip.dst', label: 'Destination Address', type: 'ipv4' },
    { name: 'ip.addr', label: 'Source or Destination Address', type: 'ipv4' },
    { name: 'ip.options', label: 'Options', type: 'bytes' },
    { name: 'ip.reassembled_in', label: 'Reassembled IPv4 in frame', type: 'framenum' },
    { name: 'ip.fragments', label: 'IPv4 Fragments', type: 'none' },
    { name: 'ip.fragment', label: 'IPv4 Fragment', type: 'framenum' },
    { name: 'ip.reassembled.length', label: 'Reassembled IPv4 length', type: 'uint' },
    { name: 'ip.opt.type', label: 'Type', type: 'uint' },
    { name: 'ip.opt.len', label: 'Length', type: 'uint' },
  ],
  experts: [BOGUS_LEN, BOGUS_VER, BOGUS_HDR],
  register(r) {
    r.table('ethertype').add(0x0800, ipv4Module);
    r.table('ip.proto').add(4, ipv4Module);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(ipv4Module);
    ctx.need(off, 20, end);
    const d = ctx.data;
    const version = d[off] >> 4;
    const hl = (d[off] & 15) * 4;
    const totLen = (d[off + 2] << 8) | d[off + 3];
    const id = (d[off + 4] << 8) | d[off + 5];
    const fl = d[off + 6] >> 5;
    const fragOff = (((d[off + 6] & 0x1f) << 8) | d[off + 7]) * 8;
    const ttl = d[off + 8];
    const proto = d[off + 9];
    const outer = ctx.inError === 0;
    let t: FieldNode[] | null = null;
    if (tree) {
      t = ctx.protoTree(
        tree,
        ipv4Module,
        off,
        Math.max(20, Math.min(hl, end - off)),
        `Internet Protocol Version 4, Src: ${formatIpv4(d, off + 12)}, Dst: ${formatIpv4(d, off + 16)}`,
      )!;
    }
    if (version !== 4) {
      if (t)
        ctx.expert(
          ctx.add(
            t,
            `${version.toString(2).padStart(4, '0')} .... = Version: ${version}`,
            'ip.version',
            version,
            off,
            1,
          ),
          BOGUS_VER,
          `Bogus IP version (${version}, must be 4)`,
        );
      else ctx.expert(null, BOGUS_VER);
      ctx.malformed(ipv4Module, t, off);
      return end - off;
    }
    if (hl < 20) {
      if (t)
        ctx.expert(
          ctx.add(
            t,
            `.... ${(hl / 4).toString(2).padStart(4, '0')} = Header Length: ${hl} bytes (${hl / 4})`,
            'ip.hdr_len',
            hl,
            off,
            1,
          ),
          BOGUS_HDR,
          `Bogus IP header length (${hl}, must be at least 20)`,
        );
      ctx.malformed(ipv4Module, t, off);
      return end - off;
    }
    // TSO captures show total length 0: use what was captured
    const ipEnd = totLen === 0 ? end : Math.min(end, off + totLen);
    if (outer) {
      ctx.net = 4;
      ctx.netLen = 4;
      for (let i = 0; i < 4; i++) {
        ctx.netSrc[i] = d[off + 12 + i];
        ctx.netDst[i] = d[off + 16 + i];
      }
      ctx.ipProto = proto;
      ctx.ipTtl = ttl;
      if (ctx.cols) {
        ctx.colSrc = ipv4Text(d, off + 12);
        ctx.colDst = ipv4Text(d, off + 16);
      }
    }
    if (t) addHeader(ctx, t, off, hl, totLen, id, fl, fragOff, ttl, proto);
    if (totLen !== 0 && totLen < hl) {
      const message = `Bogus IP length (${totLen}, less than header length ${hl})`;
      if (ctx.cols) ctx.setInfo(message);
      ctx.expert(t ? (t.find((n) => n.field === 'ip.len') ?? null) : null, BOGUS_LEN, message);
      ctx.malformed(ipv4Module, t, off + 2, undefined, true);
      return end - off;
    }
    ctx.need(off, hl, end);
    if (t && hl > 20) addOptions(ctx, t, off + 20, off + hl);
    const payload = off + hl;
    if (outer) ctx.ipPayloadLen = totLen === 0 ? end - payload : totLen - hl;
    const isFragment = (fl & 1) !== 0 || fragOff > 0;
    if (isFragment) {
      const whole = outer
        ? reassemble(
            ctx,
            off,
            payload,
            ipEnd,
            id,
            proto,
            fragOff,
            (fl & 1) !== 0,
            totLen === 0 ? -1 : totLen - hl,
          )
        : undefined;
      if (!whole) {
        if (ctx.cols) {
          const rec = ctx.frameData<FragRecord>('ip.frag');
          ctx.setInfo(
            `Fragmented IP protocol (proto=${IP_PROTO_NAMES[proto] ?? 'Unknown'} ${proto}, off=${fragOff}, ID=${id.toString(16).padStart(4, '0')})${rec?.reassembledIn ? ` [Reassembled in #${rec.reassembledIn}]` : ''}`,
          );
        }
        if (t) {
          const rec = ctx.frameData<FragRecord>('ip.frag');
          if (rec?.reassembledIn)
            ctx.addGenerated(
              t,
              `Reassembled IPv4 in frame: ${rec.reassembledIn}`,
              'ip.reassembled_in',
              rec.reassembledIn,
            );
        }
        ctx.call(dataModule, payload, ipEnd, tree);
        return ipEnd - off;
      }
      // the last fragment: dissect the reassembled datagram's payload as a new data source
      dissectReassembled(ctx, tree, t, whole, 'IPv4', 'ip', proto, false);
      return ipEnd - off;
    }
    const m = (ipProtoTable ??= ctx.registry.table('ip.proto')).get(proto);
    if (m) ctx.call(m, payload, ipEnd, tree);
    else {
      if (ctx.cols) ctx.setInfo(ipProtoText(proto));
      ctx.call(dataModule, payload, ipEnd, tree);
    }
    return ipEnd - off;
  },
};

function addHeader(
  ctx: PacketContext,
  t: FieldNode[],
  off: number,
  hl: number,
  totLen: number,
  id: number,
  fl: number,
  fragOff: number,
  ttl: number,
  proto: number,
): void {
  const d = ctx.data;
  const src = formatIpv4(d, off + 12);
  const dst = formatIpv4(d, off + 16);
  ctx.add(t, () => `0100 .... = Version: 4`, 'ip.version', 4, off, 1);
  ctx.add(
    t,
    () => `.... ${(hl / 4).toString(2).padStart(4, '0')} = Header Length: ${hl} bytes (${hl / 4})`,
    'ip.hdr_len',
    hl,
    off,
    1,
  );
  const ds = d[off + 1];
  const dscp = ds >> 2;
  const ecn = ds & 3;
  const dst_ = ctx.addTree(
    t,
    () =>
      `Differentiated Services Field: 0x${ds.toString(16).padStart(2, '0')} (DSCP: ${DSCP_NAMES[dscp] ?? 'Unknown'}, ECN: ${ECN_NAMES[ecn]})`,
    'ip.dsfield',
    ds,
    off + 1,
    1,
  );
  ctx.add(
    dst_,
    () =>
      `${dscp
        .toString(2)
        .padStart(6, '0')
        .replace(
          /^(\d{4})/,
          '$1 ',
        )}.. = Differentiated Services Codepoint: ${DSCP_NAMES[dscp] ?? 'Unknown'} (${dscp})`,
    'ip.dsfield.dscp',
    dscp,
    off + 1,
    1,
  );
  ctx.add(
    dst_,
    () =>
      `.... ..${ecn.toString(2).padStart(2, '0')} = Explicit Congestion Notification: ${ECN_NAMES[ecn]} (${ecn})`,
    'ip.dsfield.ecn',
    ecn,
    off + 1,
    1,
  );
  ctx.add(t, () => `Total Length: ${totLen}`, 'ip.len', totLen, off + 2, 2);
  ctx.add(t, () => `Identification: 0x${id.toString(16).padStart(4, '0')} (${id})`, 'ip.id', id, off + 4, 2);
  const flagText = fl & 2 ? ", Don't fragment" : fl & 1 ? ', More fragments' : '';
  const ft = ctx.addTree(
    t,
    () => `${fl.toString(2).padStart(3, '0')}. .... = Flags: 0x${fl}${flagText}`,
    'ip.flags',
    fl,
    off + 6,
    1,
  );
  ctx.add(
    ft,
    () => `${fl & 4 ? 1 : 0}... .... = Reserved bit: ${fl & 4 ? 'Set' : 'Not set'}`,
    'ip.flags.rb',
    (fl & 4) !== 0,
    off + 6,
    1,
  );
  ctx.add(
    ft,
    () => `.${fl & 2 ? 1 : 0}.. .... = Don't fragment: ${fl & 2 ? 'Set' : 'Not set'}`,
    'ip.flags.df',
    (fl & 2) !== 0,
    off + 6,
    1,
  );
  ctx.add(
    ft,
    () => `..${fl & 1 ? 1 : 0}. .... = More fragments: ${fl & 1 ? 'Set' : 'Not set'}`,
    'ip.flags.mf',
    (fl & 1) !== 0,
    off + 6,
    1,
  );
  const fo = fragOff / 8;
  ctx.add(
    t,
    () =>
      `...${fo
        .toString(2)
        .padStart(13, '0')
        .replace(/^(\d)(\d{4})(\d{4})(\d{4})$/, '$1 $2 $3 $4')} = Fragment Offset: ${fragOff}`,
    'ip.frag_offset',
    fragOff,
    off + 6,
    2,
  );
  ctx.add(t, () => `Time to Live: ${ttl}`, 'ip.ttl', ttl, off + 8, 1);
  ctx.add(t, () => `Protocol: ${ipProtoText(proto)}`, 'ip.proto', proto, off + 9, 1);
  const ck = (d[off + 10] << 8) | d[off + 11];
  ctx.add(
    t,
    () => `Header Checksum: 0x${ck.toString(16).padStart(4, '0')} [validation disabled]`,
    'ip.checksum',
    ck,
    off + 10,
    2,
  );
  ctx.addGenerated(t, 'Header checksum status: Unverified', 'ip.checksum.status', 2);
  ctx.add(t, () => `Source Address: ${src}`, 'ip.src', src, off + 12, 4);
  ctx.add(t, () => `Destination Address: ${dst}`, 'ip.dst', dst, off + 16, 4);
  ctx.record('ip.addr', src);
  ctx.record('ip.addr', dst);
}

function addOptions(ctx: PacketContext, t: FieldNode[], off: number, end: number): void {
  const d = ctx.data;
  const ot = ctx.addTree(t, `Options: (${end - off} bytes)`, 'ip.options', d.slice(off, end), off, end - off);
  let p = off;
  while (p < end) {
    const type = d[p];
    const name = OPT_NAMES[type] ?? `Unknown (0x${type.toString(16).padStart(2, '0')})`;
    if (type === 0 || type === 1) {
      const n = ctx.addTree(ot, `IP Option - ${name}`, undefined, undefined, p, 1);
      ctx.add(n, `Type: ${type}`, 'ip.opt.type', type, p, 1);
      p++;
      if (type === 0) break;
      continue;
    }
    if (p + 1 >= end || d[p + 1] < 2 || p + d[p + 1] > end) {
      ctx.add(ot, `IP Option - ${name}: bad option length`, 'ip.opt.type', type, p, end - p);
      ctx.malformed(ipv4Module, ot, p);
      return;
    }
    const len = d[p + 1];
    const n = ctx.addTree(ot, `IP Option - ${name} (${len} bytes)`, undefined, undefined, p, len);
    ctx.add(n, `Type: ${type}`, 'ip.opt.type', type, p, 1);
    ctx.add(n, `Length: ${len}`, 'ip.opt.len', len, p + 1, 1);
    p += len;
  }
}

/**
 * Collects IPv4 fragments (first pass) and returns the whole datagram payload at the fragment
 * that completes it (first pass and random access); undefined for other fragments.
 */
function reassemble(
  ctx: PacketContext,
  ipOff: number,
  payload: number,
  ipEnd: number,
  id: number,
  proto: number,
  fragOff: number,
  more: boolean,
  payloadLen: number,
): { bytes: Uint8Array; parts: PduPart[] } | undefined {
  const key = ctx.firstPass
    ? `${formatIpv4(ctx.data, ipOff + 12)}>${formatIpv4(ctx.data, ipOff + 16)}:${id}:${proto}`
    : '';
  return reassembleFragment(ctx, 'ip', key, payload, ipEnd, fragOff, more, payloadLen);
}

/**
 * The fragment that completes a datagram (IPv4 or IPv6): the reassembled payload becomes a new
 * data source, the tree lists the fragments, and the payload goes to its protocol. `infoWhenUnknown`
 * puts the protocol's name in Info when no dissector takes it (as IPv6 does).
 */
export function dissectReassembled(
  ctx: PacketContext,
  tree: FieldNode[] | null,
  t: FieldNode[] | null,
  whole: { bytes: Uint8Array; parts: PduPart[] },
  family: 'IPv4' | 'IPv6',
  prefix: 'ip' | 'ipv6',
  proto: number,
  infoWhenUnknown: boolean,
): void {
  const src = ctx.addSource(`Reassembled ${family} (${whole.bytes.length} bytes)`, whole.bytes);
  if (t) {
    const ft = ctx.addTree(
      t,
      `[${whole.parts.length} ${family} Fragments (${whole.bytes.length} bytes): ${whole.parts.map((p) => `#${p.frame}(${p.len})`).join(', ')}]`,
      `${prefix}.fragments`,
      true,
      0,
      0,
    );
    t[t.length - 1].generated = true;
    for (const p of whole.parts)
      ctx.addGenerated(ft, `Frame: ${p.frame}, payload: ${p.len} bytes`, `${prefix}.fragment`, p.frame);
    ctx.addGenerated(
      ft,
      `Reassembled ${family} length: ${whole.bytes.length}`,
      `${prefix}.reassembled.length`,
      whole.bytes.length,
    );
  }
  const savedData = ctx.data;
  const savedSource = ctx.source;
  ctx.data = whole.bytes;
  ctx.source = src;
  ctx.ipPayloadLen = whole.bytes.length;
  try {
    const m = (ipProtoTable ??= ctx.registry.table('ip.proto')).get(proto);
    if (!m && infoWhenUnknown && ctx.cols) ctx.setInfo(ipProtoText(proto));
    ctx.call(m ?? dataModule, 0, whole.bytes.length, tree);
  } finally {
    ctx.data = savedData;
    ctx.source = savedSource;
  }
}

/**
 * IP fragment reassembly shared by IPv4 and IPv6 (`family` "ip" or "ipv6": names the per-frame
 * records "<family>.frag" and the PDU cache). `key` identifies the datagram (addresses, id, …;
 * first pass only). Returns the whole payload at the fragment that completes it.
 */
export function reassembleFragment(
  ctx: PacketContext,
  family: string,
  key: string,
  payload: number,
  ipEnd: number,
  fragOff: number,
  more: boolean,
  payloadLen: number,
): { bytes: Uint8Array; parts: PduPart[] } | undefined {
  const recName = `${family}.frag`;
  if (ctx.firstPass) {
    if (payloadLen < 0 || payload + payloadLen > ipEnd) return undefined; // truncated capture: cannot reassemble
    const d = ctx.data;
    const pendingName = `${family}.fragments.pending`;
    let pending = ctx.frameData<Map<string, FragSet>>(pendingName, 0);
    if (!pending) ctx.setFrameData(pendingName, (pending = new Map()), 0);
    let set = pending.get(key);
    if (!set) pending.set(key, (set = { parts: [], total: -1 }));
    set.parts.push({
      frame: ctx.no,
      frameOff: payload,
      fragOff,
      bytes: d.slice(payload, payload + payloadLen),
    });
    if (!more) set.total = fragOff + payloadLen;
    if (set.total < 0) return undefined;
    set.parts.sort((a, b) => a.fragOff - b.fragOff);
    let have = 0;
    for (const p of set.parts) {
      if (p.fragOff > have) return undefined;
      have = Math.max(have, p.fragOff + p.bytes.length);
    }
    if (have < set.total) return undefined;
    pending.delete(key);
    const bytes = new Uint8Array(set.total);
    const parts: PduPart[] = [];
    for (const p of set.parts) {
      const skip = Math.max(0, parts.reduce((a, q) => a + q.len, 0) - p.fragOff);
      const len = Math.min(p.bytes.length - skip, set.total - (p.fragOff + skip));
      if (len <= 0) continue;
      bytes.set(p.bytes.subarray(skip, skip + len), p.fragOff + skip);
      parts.push({ frame: p.frame, off: p.frameOff + skip, len });
      if (p.frame !== ctx.no)
        ctx.setFrameData(recName, { reassembledIn: ctx.no } satisfies FragRecord, p.frame);
    }
    const rec: FragRecord = { completes: { parts, length: set.total } };
    if (ctx.retainReassembled) rec.completes!.bytes = bytes;
    else ctx.rememberPdu(family, bytes);
    ctx.setFrameData(recName, rec);
    return { bytes, parts };
  }
  const rec = ctx.frameData<FragRecord>(recName);
  const c = rec?.completes;
  if (!c) return undefined;
  const bytes =
    c.bytes ??
    ctx.recentPdu(family) ??
    rebuild(c.parts, c.length, (no) => (no === ctx.no ? ctx.frame : ctx.fetchFrame(no)?.data));
  return bytes ? { bytes, parts: c.parts } : undefined;
}

/** The frame where the datagram of this fragment was reassembled (random access), if any. */
export function fragmentReassembledIn(ctx: PacketContext, family: string): number | undefined {
  return ctx.frameData<FragRecord>(`${family}.frag`)?.reassembledIn;
}
