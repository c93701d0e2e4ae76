// Frame builders for tests: Ethernet, IPv4, IPv6, TCP, UDP, ICMP, ICMPv6 with correct lengths and
// checksums, plus a TCP conversation helper that tracks sequence numbers, and RawPacket/pcap
// helpers. Shared by every engineer's tests (owned by dissect-lower).

import { PcapWriter, readCaptureFileSync } from '../../src-main/core/pcap/index.js';
import type { RawPacket } from '../../src-main/core/pcap/types.js';

export type Bytes = Uint8Array;

export function concat(...parts: Bytes[]): Bytes {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function ascii(s: string): Bytes {
  return new TextEncoder().encode(s);
}

export function mac(s: string): Bytes {
  const parts = s.split(':').map((h) => parseInt(h, 16));
  if (parts.length !== 6 || parts.some((b) => Number.isNaN(b))) throw new Error(`bad MAC ${s}`);
  return Uint8Array.from(parts);
}

export function ipv4Addr(s: string): Bytes {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4) throw new Error(`bad IPv4 ${s}`);
  return Uint8Array.from(parts);
}

export function ipv6Addr(s: string): Bytes {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 255;
  });
  return out;
}

/** Internet checksum (RFC 1071) over the given byte arrays. */
export function inetChecksum(...parts: Bytes[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd >= 0) {
        sum += (odd << 8) | p[i];
        odd = -1;
      } else if (i + 1 < p.length) {
        sum += (p[i] << 8) | p[i + 1];
        i++;
      } else odd = p[i];
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function u16(v: number): Bytes {
  return Uint8Array.from([(v >> 8) & 255, v & 255]);
}
function u32(v: number): Bytes {
  return Uint8Array.from([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

// ------------------------------------------------------------------ link layers

export interface EthOpts {
  src?: string;
  dst?: string;
  type?: number;
  /** 802.1Q tag (VLAN id) inserted before the type */
  vlan?: number;
}

export function eth(payload: Bytes, o: EthOpts = {}): Bytes {
  const type = o.type ?? 0x0800;
  const head = concat(mac(o.dst ?? '00:00:0c:9f:f0:01'), mac(o.src ?? '00:50:56:8d:76:9d'));
  const tag = o.vlan !== undefined ? concat(u16(0x8100), u16(o.vlan & 0xfff)) : new Uint8Array(0);
  return concat(head, tag, u16(type), payload);
}

/** Linux cooked capture v1 header + payload. */
export function sll(payload: Bytes, o: { pkttype?: number; src?: string; proto?: number } = {}): Bytes {
  const addr = new Uint8Array(8);
  addr.set(mac(o.src ?? '00:50:56:8d:76:9d'));
  return concat(u16(o.pkttype ?? 4), u16(1), u16(6), addr, u16(o.proto ?? 0x0800), payload);
}

/** Linux cooked capture v2 header + payload. */
export function sll2(
  payload: Bytes,
  o: { pkttype?: number; src?: string; proto?: number; ifindex?: number } = {},
): Bytes {
  const addr = new Uint8Array(8);
  addr.set(mac(o.src ?? '00:50:56:8d:76:9d'));
  return concat(
    u16(o.proto ?? 0x0800),
    u16(0),
    u32(o.ifindex ?? 2),
    u16(1),
    Uint8Array.from([o.pkttype ?? 4, 6]),
    addr,
    payload,
  );
}

// ------------------------------------------------------------------ network layers

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  proto?: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** fragment offset in bytes (multiple of 8) */
  fragOffset?: number;
  tos?: number;
  /** raw option bytes (padded to a multiple of 4 by the builder) */
  options?: Bytes;
  /** override the total length field */
  totalLength?: number;
}

export function ipv4(payload: Bytes, o: Ipv4Opts = {}): Bytes {
  let opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)));
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h[0] = 0x40 | (hl / 4);
  h[1] = o.tos ?? 0;
  h.set(u16(o.totalLength ?? hl + payload.length), 2);
  h.set(u16(o.id ?? 0x1c46), 4);
  const frag = ((o.df ?? true) ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3);
  h.set(u16(frag), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto ?? 6;
  h.set(ipv4Addr(o.src ?? '10.10.10.5'), 12);
  h.set(ipv4Addr(o.dst ?? '10.10.10.1'), 16);
  h.set(opts, 20);
  h.set(u16(inetChecksum(h)), 10);
  return concat(h, payload);
}

export interface Ipv6Opts {
  src?: string;
  dst?: string;
  nxt?: number;
  hlim?: number;
  flow?: number;
  /** extension headers already encoded (use ipv6Ext / ipv6Frag); nxt is the first one's type */
  ext?: Bytes;
}

export function ipv6(payload: Bytes, o: Ipv6Opts = {}): Bytes {
  const ext = o.ext ?? new Uint8Array(0);
  const h = new Uint8Array(40);
  h[0] = 0x60;
  const flow = o.flow ?? 0;
  h[1] = (flow >> 16) & 15;
  h[2] = (flow >> 8) & 255;
  h[3] = flow & 255;
  h.set(u16(ext.length + payload.length), 4);
  h[6] = o.nxt ?? 6;
  h[7] = o.hlim ?? 64;
  h.set(ipv6Addr(o.src ?? '2001:db8::5'), 8);
  h.set(ipv6Addr(o.dst ?? '2001:db8::1'), 24);
  return concat(h, ext, payload);
}

/** A hop-by-hop / destination-options header (8 bytes, PadN) whose next header is `next`. */
export function ipv6Ext(next: number): Bytes {
  return Uint8Array.from([next, 0, 1, 4, 0, 0, 0, 0]);
}

/** A fragment header. */
export function ipv6Frag(next: number, offset: number, more: boolean, id: number): Bytes {
  return concat(Uint8Array.from([next, 0]), u16((offset & ~7) | (more ? 1 : 0)), u32(id));
}

// ------------------------------------------------------------------ transport layers

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'ws'; shift: number }
  | { kind: 'sackPerm' }
  | { kind: 'ts'; val: number; ecr: number }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'raw'; bytes: Bytes };

export function tcpOptions(opts: TcpOption[]): Bytes {
  const parts: Bytes[] = [];
  for (const o of opts) {
    if (o.kind === 'mss') parts.push(concat(Uint8Array.from([2, 4]), u16(o.value)));
    else if (o.kind === 'ws') parts.push(Uint8Array.from([3, 3, o.shift]));
    else if (o.kind === 'sackPerm') parts.push(Uint8Array.from([4, 2]));
    else if (o.kind === 'ts') parts.push(concat(Uint8Array.from([8, 10]), u32(o.val), u32(o.ecr)));
    else if (o.kind === 'sack')
      parts.push(
        concat(
          Uint8Array.from([5, 2 + 8 * o.blocks.length]),
          ...o.blocks.map(([l, r]) => concat(u32(l), u32(r))),
        ),
      );
    else if (o.kind === 'nop') parts.push(Uint8Array.from([1]));
    else if (o.kind === 'eol') parts.push(Uint8Array.from([0]));
    else parts.push(o.bytes);
  }
  let all = concat(...parts);
  if (all.length % 4) all = concat(all, new Uint8Array(4 - (all.length % 4)));
  return all;
}

/** Linux's SYN options: MSS, SACK_PERM, TS, NOP, WS. */
export function linuxSynOptions(tsval = 1000, tsecr = 0, mss = 1460, ws = 7): TcpOption[] {
  return [
    { kind: 'mss', value: mss },
    { kind: 'sackPerm' },
    { kind: 'ts', val: tsval, ecr: tsecr },
    { kind: 'nop' },
    { kind: 'ws', shift: ws },
  ];
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  win?: number;
  urg?: number;
  options?: TcpOption[];
  /** for the checksum: the network addresses (IPv4 or IPv6 text) */
  src?: string;
  dst?: string;
}

function pseudoHeader(src: string, dst: string, proto: number, len: number): Bytes {
  if (src.includes(':'))
    return concat(ipv6Addr(src), ipv6Addr(dst), u32(len), Uint8Array.from([0, 0, 0, proto]));
  return concat(ipv4Addr(src), ipv4Addr(dst), Uint8Array.from([0, proto]), u16(len));
}

export function tcp(payload: Bytes, o: TcpOpts): Bytes {
  const opts = tcpOptions(o.options ?? []);
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h.set(u16(o.sport), 0);
  h.set(u16(o.dport), 2);
  h.set(u32(o.seq ?? 0), 4);
  h.set(u32(o.ack ?? 0), 8);
  const flags = o.flags ?? ACK;
  h[12] = ((hl / 4) << 4) | ((flags >> 8) & 1);
  h[13] = flags & 255;
  h.set(u16(o.win ?? 502), 14);
  h.set(u16(o.urg ?? 0), 18);
  h.set(opts, 20);
  const ck = inetChecksum(
    pseudoHeader(o.src ?? '10.10.10.5', o.dst ?? '10.10.10.1', 6, hl + payload.length),
    h,
    payload,
  );
  h.set(u16(ck), 16);
  return concat(h, payload);
}

export function udp(
  payload: Bytes,
  o: { sport: number; dport: number; src?: string; dst?: string; length?: number },
): Bytes {
  const h = new Uint8Array(8);
  h.set(u16(o.sport), 0);
  h.set(u16(o.dport), 2);
  h.set(u16(o.length ?? 8 + payload.length), 4);
  const ck = inetChecksum(
    pseudoHeader(o.src ?? '10.10.10.5', o.dst ?? '10.10.10.1', 17, 8 + payload.length),
    h,
    payload,
  );
  h.set(u16(ck === 0 ? 0xffff : ck), 6);
  return concat(h, payload);
}

/** ICMP message: type, code, the 4 "rest of header" bytes, then body. */
export function icmp(type: number, code: number, rest: Bytes, body: Bytes = new Uint8Array(0)): Bytes {
  const m = concat(Uint8Array.from([type, code, 0, 0]), rest, body);
  m.set(u16(inetChecksum(m)), 2);
  return m;
}

export function icmpEcho(request: boolean, id: number, seq: number, data: Bytes = new Uint8Array(8)): Bytes {
  return icmp(request ? 8 : 0, 0, concat(u16(id), u16(seq)), data);
}

/** Fragmentation needed (type 3 code 4) with the next-hop MTU, quoting `original` (IP header + 8 bytes). */
export function icmpFragNeeded(mtu: number, original: Bytes): Bytes {
  return icmp(
    3,
    4,
    concat(u16(0), u16(mtu)),
    original.subarray(0, Math.min(original.length, 28 + (original[0] & 15) * 4 - 20)),
  );
}

export function icmpv6(
  type: number,
  code: number,
  rest: Bytes,
  body: Bytes,
  src = '2001:db8::5',
  dst = '2001:db8::1',
): Bytes {
  const m = concat(Uint8Array.from([type, code, 0, 0]), rest, body);
  m.set(u16(inetChecksum(pseudoHeader(src, dst, 58, m.length), m)), 2);
  return m;
}

// ------------------------------------------------------------------ conversations

export interface Endpoint {
  ip: string;
  port: number;
  mac?: string;
}

/**
 * A TCP connection between a client and a server that tracks sequence numbers. Each method
 * returns one Ethernet frame; `from` says who sends. Sequence numbers advance by payload length
 * (and 1 for SYN/FIN) unless `seq` is given explicitly (to build retransmissions).
 */
export class TcpFlow {
  seq: [number, number];
  constructor(
    readonly client: Endpoint,
    readonly server: Endpoint,
    isn: [number, number] = [1000, 5000],
    readonly ipVersion: 4 | 6 = 4,
  ) {
    this.seq = [isn[0], isn[1]];
  }

  /** frame from side 0 (client) or 1 (server) */
  send(
    side: 0 | 1,
    flags: number,
    payload: Bytes = new Uint8Array(0),
    o: { seq?: number; ack?: number; win?: number; options?: TcpOption[]; advance?: boolean } = {},
  ): Bytes {
    const a = side === 0 ? this.client : this.server;
    const b = side === 0 ? this.server : this.client;
    const seq = o.seq ?? this.seq[side];
    const ack = o.ack ?? (flags & ACK ? this.seq[side ^ 1] : 0);
    const seg = tcp(payload, {
      sport: a.port,
      dport: b.port,
      seq,
      ack,
      flags,
      win: o.win ?? 502,
      options: o.options,
      src: a.ip,
      dst: b.ip,
    });
    if (o.advance !== false && o.seq === undefined)
      this.seq[side] = (seq + payload.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    const net =
      this.ipVersion === 4
        ? ipv4(seg, { src: a.ip, dst: b.ip, proto: 6 })
        : ipv6(seg, { src: a.ip, dst: b.ip, nxt: 6 });
    return eth(net, {
      src: a.mac ?? (side === 0 ? '00:50:56:8d:76:9d' : '00:00:0c:9f:f0:01'),
      dst: b.mac ?? (side === 0 ? '00:00:0c:9f:f0:01' : '00:50:56:8d:76:9d'),
      type: this.ipVersion === 4 ? 0x0800 : 0x86dd,
    });
  }

  /** The three-way handshake with Linux-like options. */
  handshake(): Bytes[] {
    return [
      this.send(0, SYN, undefined, { win: 64240, options: linuxSynOptions(1000, 0) }),
      this.send(1, SYN | ACK, undefined, { win: 65160, options: linuxSynOptions(2000, 1000) }),
      this.send(0, ACK),
    ];
  }
}

// ------------------------------------------------------------------ packets and files

/** A RawPacket of `data` at time t (seconds since 1_700_000_000 + t). */
export function raw(data: Bytes, t = 0, linkType = 1, comments?: string[]): RawPacket {
  const whole = Math.floor(t);
  const p: RawPacket = {
    tsSec: 1_700_000_000 + whole,
    tsNsec: Math.round((t - whole) * 1e9),
    capturedLength: data.length,
    originalLength: data.length,
    interfaceId: 0,
    linkType,
    data,
    dataOffset: -1,
  };
  if (comments) p.comments = comments;
  return p;
}

/** Frames at times 0, step, 2*step, … as RawPackets. */
export function timeline(frames: Bytes[], step = 0.001, linkType = 1): RawPacket[] {
  return frames.map((f, i) => raw(f, i * step, linkType));
}

/** Writes a classic pcap (microseconds) with the pcap module's writer (for tshark cross-checks). */
export function writePcap(path: string, packets: RawPacket[], linkType = 1): void {
  const w = new PcapWriter(path, { linkType });
  try {
    for (const p of packets)
      w.writePacket({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.data, originalLength: p.originalLength });
  } finally {
    w.close();
  }
}

/** Reads a capture file (pcap or pcapng) with the pcap module's reader into RawPackets (copied). */
export function readPackets(path: string): RawPacket[] {
  const out: RawPacket[] = [];
  readCaptureFileSync(path, (p) => out.push({ ...p, data: p.data.slice() }));
  return out;
}
