// Packet facts from raw captured bytes: link layer → IPv4/IPv6 → TCP/ICMP/UDP-DNS, and for TCP
// the HTTP heads and TLS records of each direction's byte stream (in order, so a ClientHello or
// a 407 split over segments is still seen). Only what the diagnosis needs, bounds-checked, never
// throwing on bad bytes: a packet it cannot read yields facts with less in them.
import { X509Certificate } from 'node:crypto';
import { findHeaderEnd, headerValue, headerValues, httpMessageNeed, looksLikeHttp, parseChallenges, parseHttpHead, schemeName } from '../dissect/http-parse.js';
import { parseDns } from '../dissect/dns-parse.js';
import type { RawPacket } from '../pcap/types.js';
import type { PacketFacts, TlsFacts } from './facts.js';

const MAX_HTTP_HEAD = 64 * 1024;
const MAX_HANDSHAKE = 256 * 1024;

interface DirState {
  next?: number;
  mode: 'detect' | 'http' | 'tls' | 'opaque';
  /** HTTP: bytes not yet consumed (head being assembled, or body to skip) */
  http: Uint8Array;
  skipBody: number;
  /** TLS framing */
  recNeed: number;
  recType: number;
  hdr: number[];
  encrypted: boolean;
  hs: Uint8Array;
}

interface ConvState {
  c2s: DirState; // initiator → responder (by first packet seen)
  s2c: DirState;
  a: string;
  lastMethod?: string;
}

const newDir = (): DirState => ({ mode: 'detect', http: new Uint8Array(0), skipBody: 0, recNeed: 0, recType: 0, hdr: [], encrypted: false, hs: new Uint8Array(0) });

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b.slice();
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;

// Addresses repeat on every packet of a conversation: one string per address keeps a
// million-packet capture's facts small.
const ip4Cache = new Map<number, string>();
function ip4(b: Uint8Array, o: number): string {
  const k = u32(b, o);
  let s = ip4Cache.get(k);
  if (s === undefined) {
    s = `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    if (ip4Cache.size > 100_000) ip4Cache.clear();
    ip4Cache.set(k, s);
  }
  return s;
}
function ip6(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(u16(b, o + i).toString(16));
  // compress the longest run of zeros
  const s = parts.join(':');
  const m = s.match(/(^|:)0(:0)+(:|$)/g);
  if (!m) return s;
  const longest = m.reduce((x, y) => (y.length > x.length ? y : x));
  return s.replace(longest, '::').replace(/:{3,}/, '::');
}

/** Offset of the network header and its ethertype-like kind, by link type. */
function network(p: RawPacket): { off: number; v: 4 | 6 } | undefined {
  const b = p.data;
  let off = 0;
  let type: number;
  switch (p.linkType) {
    case 1: // Ethernet (+ VLAN tags)
      if (b.length < 14) return undefined;
      type = u16(b, 12);
      off = 14;
      while ((type === 0x8100 || type === 0x88a8) && b.length >= off + 4) {
        type = u16(b, off + 2);
        off += 4;
      }
      break;
    case 113: // Linux cooked v1
      if (b.length < 16) return undefined;
      type = u16(b, 14);
      off = 16;
      break;
    case 276: // Linux cooked v2
      if (b.length < 20) return undefined;
      type = u16(b, 0);
      off = 20;
      break;
    case 0:
    case 108: {
      if (b.length < 4) return undefined;
      const fam = p.linkType === 108 ? u32(b, 0) : b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24);
      const famBe = u32(b, 0);
      off = 4;
      type = fam === 2 || famBe === 2 ? 0x0800 : [24, 28, 30, 10].includes(fam) || [24, 28, 30, 10].includes(famBe) ? 0x86dd : 0;
      break;
    }
    case 101:
    case 228:
    case 229:
      if (!b.length) return undefined;
      type = b[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    default:
      return undefined;
  }
  if (type === 0x0800) return { off, v: 4 };
  if (type === 0x86dd) return { off, v: 6 };
  return undefined;
}

interface L3 {
  src: string;
  dst: string;
  proto: number;
  payload: number;
  end: number;
  ipLength: number;
  /** bytes of IP header (with IPv6 extension headers) before the transport header */
  headerLen: number;
}

function ipHeader(b: Uint8Array, off: number, v: 4 | 6): L3 | undefined {
  if (v === 4) {
    if (b.length < off + 20 || b[off]! >> 4 !== 4) return undefined;
    const ihl = (b[off]! & 15) * 4;
    const total = u16(b, off + 2);
    const end = Math.min(b.length, off + total);
    return { src: ip4(b, off + 12), dst: ip4(b, off + 16), proto: b[off + 9]!, payload: off + ihl, end, ipLength: total, headerLen: ihl };
  }
  if (b.length < off + 40 || b[off]! >> 4 !== 6) return undefined;
  let next = b[off + 6]!;
  let p = off + 40;
  // skip the usual extension headers
  for (let guard = 0; guard < 8 && [0, 43, 60].includes(next) && b.length >= p + 8; guard++) {
    const n = b[p]!;
    p += (b[p + 1]! + 1) * 8;
    next = n;
  }
  const plen = u16(b, off + 4);
  return { src: ip6(b, off + 8), dst: ip6(b, off + 24), proto: next, payload: p, end: Math.min(b.length, off + 40 + plen), ipLength: 40 + plen, headerLen: p - off };
}

export interface FactExtractorOptions {
  /** attach each TCP segment's payload bytes to its facts (a view into the packet's buffer) */
  keepPayload?: boolean;
}

export class FactExtractor {
  private convs = new Map<string, ConvState>();
  constructor(private readonly opts: FactExtractorOptions = {}) {}
  /** raw packet → facts; `time` is seconds since the epoch */
  push(p: RawPacket, no: number): PacketFacts {
    const time = p.tsSec + p.tsNsec / 1e9;
    const facts: PacketFacts = { no, time, src: '', dst: '' };
    const net = network(p);
    if (!net) return facts;
    const b = p.data;
    const l3 = ipHeader(b, net.off, net.v);
    if (!l3) return facts;
    facts.src = l3.src;
    facts.dst = l3.dst;
    facts.ipLength = l3.ipLength;
    if (l3.proto === 6) this.tcp(b, l3, facts);
    else if (l3.proto === 17) this.udp(b, l3, facts);
    else if (l3.proto === 1 || l3.proto === 58) this.icmp(b, l3, facts, l3.proto === 58);
    return facts;
  }

  private udp(b: Uint8Array, l3: L3, f: PacketFacts): void {
    if (l3.end < l3.payload + 8) return;
    f.srcPort = u16(b, l3.payload);
    f.dstPort = u16(b, l3.payload + 2);
    if (f.srcPort !== 53 && f.dstPort !== 53 && f.srcPort !== 5353) return;
    try {
      const m = parseDns(b, l3.payload + 8, l3.end - l3.payload - 8);
      const q = m.questions[0];
      f.dns = { isResponse: m.response, id: m.id, rcode: m.rcode, answerCount: m.answers.length };
      if (q) f.dns.queryName = q.name.name;
    } catch {
      // not DNS after all
    }
  }

  private icmp(b: Uint8Array, l3: L3, f: PacketFacts, v6: boolean): void {
    const o = l3.payload;
    if (l3.end < o + 8) return;
    const type = b[o]!;
    const code = b[o + 1]!;
    f.icmp = { type, code };
    const fragNeeded = (!v6 && type === 3 && code === 4) || (v6 && type === 2);
    if (fragNeeded) f.icmp.mtu = v6 ? u32(b, o + 4) : u16(b, o + 6);
    const isError = v6 ? type < 128 : [3, 4, 5, 11, 12].includes(type);
    if (!isError) return;
    const inner = ipHeader(b, o + 8, v6 ? 6 : 4);
    if (!inner) return;
    f.icmp.inner = { src: inner.src, dst: inner.dst };
    if ((inner.proto === 6 || inner.proto === 17) && b.length >= inner.payload + 4) {
      f.icmp.inner.srcPort = u16(b, inner.payload);
      f.icmp.inner.dstPort = u16(b, inner.payload + 2);
    }
  }

  private tcp(b: Uint8Array, l3: L3, f: PacketFacts): void {
    const o = l3.payload;
    if (l3.end < o + 20) return;
    const srcPort = u16(b, o);
    const dstPort = u16(b, o + 2);
    const seq = u32(b, o + 4);
    const ackNo = u32(b, o + 8);
    const hl = (b[o + 12]! >> 4) * 4;
    const fl = b[o + 13]!;
    const window = u16(b, o + 14);
    f.srcPort = srcPort;
    f.dstPort = dstPort;
    const dataOff = Math.min(o + hl, l3.end);
    // payload length from the IP header, so a short snap length does not hide segment sizes
    const payloadLength = Math.max(0, l3.ipLength - l3.headerLen - hl);
    f.tcp = {
      syn: !!(fl & 2),
      ack: !!(fl & 16),
      fin: !!(fl & 1),
      rst: !!(fl & 4),
      psh: !!(fl & 8),
      seq,
      ackNo,
      payloadLength,
      window,
    };
    // MSS option
    if (fl & 2) {
      for (let i = o + 20; i < o + hl && i < l3.end; ) {
        const kind = b[i]!;
        if (kind === 0) break;
        if (kind === 1) {
          i++;
          continue;
        }
        const len = b[i + 1] ?? 0;
        if (len < 2) break;
        if (kind === 2 && len === 4 && i + 4 <= l3.end) f.tcp.mss = u16(b, i + 2);
        i += len;
      }
    }
    const payload = b.subarray(dataOff, l3.end);
    if (payload.length && this.opts.keepPayload) f.tcp.payload = payload;
    this.stream(f, payload, seq);
  }

  private stream(f: PacketFacts, payload: Uint8Array, seq: number): void {
    const t = f.tcp!;
    const k1 = `${f.src}|${f.srcPort}|${f.dst}|${f.dstPort}`;
    const k2 = `${f.dst}|${f.dstPort}|${f.src}|${f.srcPort}`;
    let c = this.convs.get(k1) ?? this.convs.get(k2);
    if (!c || (t.syn && !t.ack && c.a === k1 && c.c2s.next !== undefined && ((seq + 1) >>> 0) !== c.c2s.next)) {
      c = { c2s: newDir(), s2c: newDir(), a: k1 };
      this.convs.delete(k2);
      this.convs.set(k1, c);
    }
    const d = c.a === k1 ? c.c2s : c.s2c;
    const peer = c.a === k1 ? c.s2c : c.c2s;
    try {
      this.streamData(f, d, peer, c, payload, seq);
    } finally {
      if ((t.fin || t.rst) && d.mode === 'tls' && (d.recNeed > 0 || d.hdr.length > 0)) t.tlsRecordOpen = true;
      if ((t.fin || t.rst) && peer.mode === 'tls' && (peer.recNeed > 0 || peer.hdr.length > 0)) t.peerTlsRecordOpen = true;
    }
  }

  private streamData(f: PacketFacts, d: DirState, peer: DirState, c: ConvState, payload: Uint8Array, seq: number): void {
    const t = f.tcp!;
    if (t.syn) {
      d.next = (seq + 1) >>> 0;
      return;
    }
    if (!payload.length) return;
    if (d.next === undefined) d.next = seq;
    let data = payload;
    if (seq !== d.next) {
      const behind = (d.next - seq) >>> 0;
      if (behind < 0x80000000) {
        // retransmission, possibly with new bytes at its end
        if (behind >= payload.length) return;
        data = payload.subarray(behind);
      } else {
        // a hole: the stream cannot be read past it
        d.mode = 'opaque';
        return;
      }
    }
    d.next = (d.next + data.length) >>> 0;
    if (d.mode === 'detect') {
      if (looksLikeHttp(data, 0, data.length) || startsLikeRequest(data)) d.mode = 'http';
      else if (data.length >= 3 && data[0]! >= 20 && data[0]! <= 23 && data[1] === 3) d.mode = 'tls';
      else d.mode = 'opaque';
    }
    if (d.mode === 'http') this.http(f, d, peer, c, data);
    else if (d.mode === 'tls') tlsFeed(f, d, data);
  }

  private http(f: PacketFacts, d: DirState, peer: DirState, c: ConvState, data: Uint8Array): void {
    let buf = concat(d.http, data);
    let pos = 0;
    for (let guard = 0; guard < 64 && pos < buf.length; guard++) {
      if (d.skipBody > 0) {
        const n = Math.min(d.skipBody, buf.length - pos);
        d.skipBody -= n;
        pos += n;
        continue;
      }
      const hEnd = findHeaderEnd(buf, pos, buf.length);
      if (hEnd < 0) {
        if (buf.length - pos > MAX_HTTP_HEAD) {
          d.mode = 'opaque';
          pos = buf.length;
        }
        break;
      }
      const head = parseHttpHead(buf, pos, hEnd);
      if (!head) {
        d.mode = 'opaque';
        pos = buf.length;
        break;
      }
      f.http ??= {};
      if (head.kind === 'request') {
        const auth = headerValue(head, 'proxy-authorization');
        f.http.request = { method: head.method ?? '', uri: head.uri ?? '' };
        if (auth) f.http.request.proxyAuthorization = schemeName(auth.trim().split(/\s+/)[0] ?? '');
        c.lastMethod = head.method;
      } else {
        const schemes = headerValues(head, 'proxy-authenticate').flatMap((v) => parseChallenges(v).map((ch) => schemeName(ch.scheme)));
        f.http.response = { code: head.code ?? 0 };
        if (head.phrase) f.http.response.phrase = head.phrase;
        if (schemes.length) f.http.response.proxyAuthenticate = [...new Set(schemes)];
        const err = headerValue(head, 'x-squid-error') ?? headerValue(head, 'x-proxy-error');
        if (err) f.http.response.proxyError = err;
        if (c.lastMethod === 'CONNECT' && head.code! >= 200 && head.code! < 300) {
          // the tunnel is up: both directions now carry the tunnelled protocol
          d.mode = 'detect';
          peer.mode = 'detect';
          peer.http = new Uint8Array(0);
          const rest = buf.subarray(hEnd);
          d.http = new Uint8Array(0);
          if (rest.length) {
            d.mode = rest[0]! >= 20 && rest[0]! <= 23 ? 'tls' : 'opaque';
            if (d.mode === 'tls') tlsFeed(f, d, rest);
          }
          return;
        }
      }
      const need = httpMessageNeed(buf, pos, buf.length, head.kind === 'response' ? c.lastMethod : undefined);
      if (need.kind === 'complete') pos += need.length;
      else {
        // body still arriving: skip what is announced
        const have = buf.length - pos;
        if (need.kind === 'more') d.skipBody = need.atLeast;
        pos += have;
      }
    }
    buf = buf.subarray(pos);
    d.http = buf.length ? buf.slice() : new Uint8Array(0);
  }
}

function startsLikeRequest(b: Uint8Array): boolean {
  return /^(CONNECT|GET|POST|HEAD|PUT|OPTIONS|DELETE|PATCH) /.test(String.fromCharCode(...b.subarray(0, 8)));
}

function tlsFeed(f: PacketFacts, d: DirState, data: Uint8Array): void {
  const tls: TlsFacts = f.tls ?? { contentTypes: [], handshakeTypes: [] };
  let i = 0;
  while (i < data.length) {
    if (d.recNeed > 0) {
      const n = Math.min(d.recNeed, data.length - i);
      if (d.recType === 22 && !d.encrypted) handshakeBytes(d, data.subarray(i, i + n), tls);
      if (d.recType === 21 && !d.encrypted && n >= 2 && !tls.alert) tls.alert = { level: data[i]!, description: data[i + 1]! };
      d.recNeed -= n;
      i += n;
      continue;
    }
    d.hdr.push(data[i]!);
    i++;
    if (d.hdr.length < 5) continue;
    const [type, major] = d.hdr;
    if (type! < 20 || type! > 24 || major !== 3) {
      d.mode = 'opaque';
      break;
    }
    d.recType = type!;
    d.recNeed = (d.hdr[3]! << 8) | d.hdr[4]!;
    d.hdr = [];
    if (!tls.contentTypes.includes(type!)) tls.contentTypes.push(type!);
    if (type === 20) d.encrypted = true;
    if (type === 21 && d.encrypted && !tls.alert) tls.alert = { level: -1, description: -1 }; // encrypted alert
  }
  if (tls.contentTypes.length || tls.handshakeTypes.length) f.tls = tls;
}

function handshakeBytes(d: DirState, bytes: Uint8Array, tls: TlsFacts): void {
  d.hs = concat(d.hs, bytes);
  if (d.hs.length > MAX_HANDSHAKE) {
    d.hs = new Uint8Array(0);
    return;
  }
  while (d.hs.length >= 4) {
    const len = (d.hs[1]! << 16) | (d.hs[2]! << 8) | d.hs[3]!;
    if (d.hs.length < 4 + len) break;
    const type = d.hs[0]!;
    const body = d.hs.subarray(4, 4 + len);
    tls.handshakeTypes.push(type);
    try {
      if (type === 1) clientHello(body, tls);
      else if (type === 2) serverHello(body, tls);
      else if (type === 11) certificates(body, tls);
    } catch {
      // a malformed message still counts as seen
    }
    d.hs = d.hs.slice(4 + len);
  }
}

function extensions(b: Uint8Array, at: number, visit: (type: number, o: number, len: number) => void): void {
  if (at + 2 > b.length) return;
  const end = Math.min(b.length, at + 2 + u16(b, at));
  for (let o = at + 2; o + 4 <= end; ) {
    const type = u16(b, o);
    const len = u16(b, o + 2);
    visit(type, o + 4, len);
    o += 4 + len;
  }
}

function clientHello(b: Uint8Array, tls: TlsFacts): void {
  let o = 2 + 32;
  o += 1 + b[o]!; // session id
  o += 2 + u16(b, o); // cipher suites
  o += 1 + b[o]!; // compression
  extensions(b, o, (type, at, len) => {
    if (type !== 0 || len < 5) return;
    // server_name list: list len(2), type(1), name len(2), name
    const nlen = u16(b, at + 3);
    tls.sni = new TextDecoder().decode(b.subarray(at + 5, at + 5 + nlen));
  });
}

function serverHello(b: Uint8Array, tls: TlsFacts): void {
  tls.serverVersion = u16(b, 0);
  let o = 2 + 32;
  o += 1 + b[o]!;
  o += 2 + 1;
  extensions(b, o, (type, at, len) => {
    if (type === 43 && len === 2) tls.serverVersion = u16(b, at);
  });
}

function certificates(b: Uint8Array, tls: TlsFacts): void {
  // TLS 1.2: list len(3), then cert len(3) + DER ...
  const end = Math.min(b.length, 3 + ((b[0]! << 16) | (b[1]! << 8) | b[2]!));
  const issuers: string[] = [];
  const subjects: string[] = [];
  for (let o = 3; o + 3 <= end; ) {
    const len = (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
    const der = b.subarray(o + 3, o + 3 + len);
    const names = certNames(der);
    if (names) {
      issuers.push(names.issuer);
      subjects.push(names.subject);
    }
    o += 3 + len;
  }
  if (issuers.length) {
    tls.certIssuers = issuers;
    tls.certSubjects = subjects;
  }
}

// A server sends the same certificate on every connection: parse each one once. The signature
// at the end of the DER tells certificates apart.
const certCache = new Map<string, { issuer: string; subject: string } | null>();
function certNames(der: Uint8Array): { issuer: string; subject: string } | null {
  let k = `${der.length}:`;
  for (let i = Math.max(0, der.length - 24); i < der.length; i++) k += der[i]!.toString(16).padStart(2, '0');
  let v = certCache.get(k);
  if (v === undefined) {
    try {
      const x = new X509Certificate(der);
      v = { issuer: x.issuer.split('\n').join(', '), subject: x.subject.split('\n').join(', ') };
    } catch {
      v = null; // unreadable certificate: skip it
    }
    if (certCache.size > 1000) certCache.clear();
    certCache.set(k, v);
  }
  return v;
}
