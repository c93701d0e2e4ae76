// Packet facts from the packet engine, the one packet parser of the app. Every packet goes
// through the engine's first pass (index(): link layer, IP, TCP analysis and reassembly, the
// HTTP → TLS tunnel hand-over), and the facts come from what that pass records: TCP flags and
// numbers, analysis bits, reassembly state, and the fact fields of HTTP heads and TLS records,
// which the HTTP and TLS modules collect while they walk them (collectHttpFrameFacts,
// collectTlsFrameFacts: the values a dissection would give, from the same parsers). Only ICMP
// and DNS packets get a second dissection (field values); no TCP frame does.
import { PacketEngine } from '../dissect/engine.js';
import { builtinModules } from '../dissect/index.js';
import { Registry } from '../dissect/registry.js';
import { collectHttpFrameFacts } from '../dissect/http.js';
import type { HttpFrameFacts } from '../dissect/http-tree.js';
import { collectTlsFrameFacts } from '../dissect/tls.js';
import type { TlsFrameFacts } from '../dissect/tls-parse.js';
import type { FieldSource, FieldValue } from '../dissect/types.js';
import type { RawPacket } from '../pcap/types.js';
import {
  TCP_A_DUPLICATE_ACK,
  TCP_A_FAST_RETRANSMISSION,
  TCP_A_LOST_PACKET,
  TCP_A_RETRANSMISSION,
  TCP_A_SPURIOUS_RETRANSMISSION,
  TCP_A_ZERO_WINDOW,
  TCP_SEGMENT_OF_PDU,
  TH_ACK,
  TH_FIN,
  TH_PUSH,
  TH_RST,
  TH_SYN,
} from '../tcp/analysis.js';
import type { HttpFacts, PacketFacts, TcpFacts, TlsFacts } from './facts.js';

const num = (v: FieldValue | undefined): number | undefined =>
  typeof v === 'number'
    ? v
    : typeof v === 'bigint'
      ? Number(v)
      : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))
        ? Number(v)
        : undefined;
const str = (v: FieldValue | undefined): string | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : v instanceof Uint8Array ? undefined : String(v);
const bool = (v: FieldValue | undefined): boolean => v === true || v === 1 || v === '1' || v === 'true';

/**
 * Every field factsFromFields reads: what EngineFactSource asks the engine's fields() for (the
 * other fields are not recorded, and certificates are decoded only because x509af.* is here).
 * A field read below must be listed here (test/unit/dissect-lower/engine-fields.test.ts checks
 * the facts against a full dissection on every sample capture).
 */
export const FACT_FIELDS: ReadonlySet<string> = new Set([
  'ip.src',
  'ip.dst',
  'ip.len',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.plen',
  'icmp.type',
  'icmp.code',
  'icmp.mtu',
  'icmpv6.type',
  'icmpv6.code',
  'icmpv6.mtu',
  'udp.srcport',
  'udp.dstport',
  'dns.flags.response',
  'dns.id',
  'dns.flags.rcode',
  'dns.count.answers',
  'dns.qry.name',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.flags.fin',
  'tcp.flags.reset',
  'tcp.flags.push',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.len',
  'tcp.window_size',
  'tcp.window_size_value',
  'tcp.options.mss_val',
  'tcp.payload',
  'tcp.analysis.retransmission',
  'tcp.analysis.fast_retransmission',
  'tcp.analysis.duplicate_ack',
  'tcp.analysis.zero_window',
  'tcp.analysis.lost_segment',
  'http.request.method',
  'http.request.uri',
  'http.proxy_authorization.scheme',
  'http.proxy_authorization',
  'http.response.code',
  'http.response.phrase',
  'http.proxy_authenticate.scheme',
  'http.squid_error',
  'tls',
  'tls.record.content_type',
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.handshake.extensions.supported_version',
  'tls.handshake.version',
  'tls.alert_message.level',
  'tls.alert_message.desc',
  'x509af.issuer',
  'x509af.subject',
]);

/** The facts of one dissected packet. `time` in seconds (any origin, the same for all packets). */
export function factsFromFields(no: number, time: number, fs: FieldSource): PacketFacts {
  const first = (n: string) => fs.values(n)[0];
  const all = (n: string) => fs.values(n);
  const v6 = fs.hasProtocol('ipv6') && !fs.hasProtocol('ip');
  const srcs = all(v6 ? 'ipv6.src' : 'ip.src');
  const dsts = all(v6 ? 'ipv6.dst' : 'ip.dst');
  const f: PacketFacts = { no, time, src: str(srcs[0]) ?? '', dst: str(dsts[0]) ?? '' };
  const ipLen = v6 ? (num(first('ipv6.plen')) ?? -40) + 40 : num(first('ip.len'));
  if (ipLen !== undefined && ipLen > 0) f.ipLength = ipLen;

  if (fs.hasProtocol('icmp') || fs.hasProtocol('icmpv6')) {
    const p = fs.hasProtocol('icmp') ? 'icmp' : 'icmpv6';
    const type = num(first(`${p}.type`));
    const code = num(first(`${p}.code`));
    if (type !== undefined && code !== undefined) {
      f.icmp = { type, code };
      const mtu = num(first(`${p}.mtu`));
      if (mtu !== undefined) f.icmp.mtu = mtu;
      // an ICMP error quotes the offending packet: the second IP header and its ports
      if (srcs.length > 1 && dsts.length > 1) {
        f.icmp.inner = { src: str(srcs[1]) ?? '', dst: str(dsts[1]) ?? '' };
        const sp = num(first('tcp.srcport') ?? first('udp.srcport'));
        const dp = num(first('tcp.dstport') ?? first('udp.dstport'));
        if (sp !== undefined) f.icmp.inner.srcPort = sp;
        if (dp !== undefined) f.icmp.inner.dstPort = dp;
      }
      return f;
    }
  }

  if (fs.hasProtocol('udp')) {
    f.srcPort = num(first('udp.srcport'));
    f.dstPort = num(first('udp.dstport'));
  }
  if (fs.hasProtocol('dns')) {
    f.dns = { isResponse: bool(first('dns.flags.response')) };
    const id = num(first('dns.id'));
    const rcode = num(first('dns.flags.rcode'));
    const an = num(first('dns.count.answers'));
    const q = str(first('dns.qry.name'));
    if (id !== undefined) f.dns.id = id;
    if (rcode !== undefined) f.dns.rcode = rcode;
    if (an !== undefined) f.dns.answerCount = an;
    if (q !== undefined) f.dns.queryName = q;
  }

  if (fs.hasProtocol('tcp')) {
    f.srcPort = num(first('tcp.srcport'));
    f.dstPort = num(first('tcp.dstport'));
    const has = (n: string) => fs.values(n).length > 0;
    f.tcp = {
      syn: bool(first('tcp.flags.syn')),
      ack: bool(first('tcp.flags.ack')),
      fin: bool(first('tcp.flags.fin')),
      rst: bool(first('tcp.flags.reset')),
      psh: bool(first('tcp.flags.push')),
      seq: num(first('tcp.seq_raw')) ?? 0,
      ackNo: num(first('tcp.ack_raw')) ?? 0,
      payloadLength: num(first('tcp.len')) ?? 0,
      analysis: {
        retransmission: has('tcp.analysis.retransmission') || has('tcp.analysis.fast_retransmission'),
        dupAck: has('tcp.analysis.duplicate_ack'),
        zeroWindow: has('tcp.analysis.zero_window'),
        lostSegment: has('tcp.analysis.lost_segment'),
      },
    };
    const win = num(first('tcp.window_size')) ?? num(first('tcp.window_size_value'));
    if (win !== undefined) f.tcp.window = win;
    const mss = num(first('tcp.options.mss_val'));
    if (mss !== undefined) f.tcp.mss = mss;
    const payload = first('tcp.payload');
    if (payload instanceof Uint8Array) f.tcp.payload = payload;
  }

  if (fs.hasProtocol('http')) {
    const method = str(first('http.request.method'));
    const code = num(first('http.response.code'));
    if (method !== undefined) {
      f.http = { request: { method, uri: str(first('http.request.uri')) ?? '' } };
      const scheme =
        str(first('http.proxy_authorization.scheme')) ??
        str(first('http.proxy_authorization'))?.trim().split(/\s+/)[0];
      if (scheme) f.http.request!.proxyAuthorization = scheme;
    } else if (code !== undefined) {
      f.http = { response: { code } };
      const phrase = str(first('http.response.phrase'));
      if (phrase) f.http.response!.phrase = phrase;
      const schemes = all('http.proxy_authenticate.scheme')
        .map(str)
        .filter((s): s is string => !!s);
      if (schemes.length) f.http.response!.proxyAuthenticate = [...new Set(schemes)];
      const err = str(first('http.squid_error'));
      if (err) f.http.response!.proxyError = err;
    }
  }

  // the first piece of a TLS record that waits for more segments has "tls" among its protocols
  // (tshark 4.0) but no TLS line yet: its facts belong to the frame that completes the record
  if (fs.hasProtocol('tls') && fs.values('tls').length > 0) {
    const contentTypes = [
      ...new Set(
        all('tls.record.content_type')
          .map(num)
          .filter((n): n is number => n !== undefined),
      ),
    ];
    const handshakeTypes = all('tls.handshake.type')
      .map(num)
      .filter((n): n is number => n !== undefined);
    f.tls = { contentTypes, handshakeTypes };
    const sni = str(first('tls.handshake.extensions_server_name'));
    if (sni && handshakeTypes.includes(1)) f.tls.sni = sni;
    if (handshakeTypes.includes(2)) {
      const sv = num(first('tls.handshake.extensions.supported_version'));
      const hv = num(first('tls.handshake.version'));
      const v = sv ?? hv;
      if (v !== undefined) f.tls.serverVersion = v;
    }
    const level = num(first('tls.alert_message.level'));
    const desc = num(first('tls.alert_message.desc'));
    if (level !== undefined && desc !== undefined) f.tls.alert = { level, description: desc };
    const issuers = all('x509af.issuer')
      .map(str)
      .filter((s): s is string => !!s);
    if (issuers.length && handshakeTypes.includes(11)) {
      f.tls.certIssuers = issuers;
      f.tls.certSubjects = all('x509af.subject')
        .map(str)
        .filter((s): s is string => !!s);
    }
  }
  return f;
}

/** Facts of packets in memory with a full dissection of every one (the reference for tests). */
export function engineFacts(raws: readonly RawPacket[]): PacketFacts[] {
  const engine = new PacketEngine({ fetchFrame: (no) => raws[no - 1] });
  raws.forEach((r, i) => engine.index(r, i + 1));
  return raws.map((r, i) =>
    factsFromFields(i + 1, r.tsSec + r.tsNsec / 1e9, engine.dissect(r, i + 1).fields),
  );
}

const RETRANSMITTED = TCP_A_RETRANSMISSION | TCP_A_FAST_RETRANSMISSION | TCP_A_SPURIOUS_RETRANSMISSION;
const ANALYSIS_BITS = RETRANSMITTED | TCP_A_DUPLICATE_ACK | TCP_A_ZERO_WINDOW | TCP_A_LOST_PACKET;
// shared by the many packets that have them (facts are read, never changed): less to allocate
const NO_ANALYSIS: TcpFacts['analysis'] = Object.freeze({
  retransmission: false,
  dupAck: false,
  zeroWindow: false,
  lostSegment: false,
});
const APP_DATA_ONLY: NonNullable<PacketFacts['tls']> = Object.freeze({
  contentTypes: Object.freeze([23]) as number[],
  handshakeTypes: Object.freeze([]) as unknown as number[],
});

/** The HTTP facts of a frame from what its heads gave the first pass (as factsFromFields reads them). */
function httpFacts(h: HttpFrameFacts): PacketFacts['http'] {
  if (h.method !== undefined) {
    const request: NonNullable<NonNullable<PacketFacts['http']>['request']> = {
      method: h.method,
      uri: h.uri ?? '',
    };
    if (h.proxyAuthorization) request.proxyAuthorization = h.proxyAuthorization;
    return { request };
  }
  if (h.code === undefined) return undefined;
  const response: NonNullable<NonNullable<PacketFacts['http']>['response']> = { code: h.code };
  if (h.phrase) response.phrase = h.phrase;
  const schemes = h.proxyAuthenticate.filter((s) => !!s);
  if (schemes.length) response.proxyAuthenticate = schemes;
  if (h.squidError) response.proxyError = h.squidError;
  return { response };
}

/** The TLS facts of a frame from what its records gave the first pass (as factsFromFields reads them). */
function tlsFacts(t: TlsFrameFacts): NonNullable<PacketFacts['tls']> {
  if (t.contentTypes.length === 1 && t.contentTypes[0] === 23 && t.handshakeTypes.length === 0)
    return APP_DATA_ONLY;
  const handshakeTypes = t.handshakeTypes.slice();
  const f: NonNullable<PacketFacts['tls']> = { contentTypes: t.contentTypes.slice(), handshakeTypes };
  if (t.sni && handshakeTypes.includes(1)) f.sni = t.sni;
  if (handshakeTypes.includes(2)) {
    const v = t.supportedVersion ?? t.helloVersion;
    if (v !== undefined) f.serverVersion = v;
  }
  if (t.alertLevel >= 0) f.alert = { level: t.alertLevel, description: t.alertDesc };
  const issuers = t.certIssuers.filter((s) => !!s);
  if (issuers.length && handshakeTypes.includes(11)) {
    f.certIssuers = issuers;
    f.certSubjects = t.certSubjects.filter((s) => !!s);
  }
  return f;
}

// TcpRecord.bits
const R_DIR_B = 1;
export const R_SYN = 1 << 1;
export const R_ACK = 1 << 2;
export const R_FIN = 1 << 3;
export const R_RST = 1 << 4;
const R_PSH = 1 << 5;
/** the analysis flags below are set (else the facts share NO_ANALYSIS) */
const R_ANALYSIS = 1 << 6;
const R_RETRANSMISSION = 1 << 7;
const R_DUP_ACK = 1 << 8;
const R_ZERO_WINDOW = 1 << 9;
const R_LOST_SEGMENT = 1 << 10;
const R_TLS_RECORD_OPEN = 1 << 11;
const R_PEER_TLS_RECORD_OPEN = 1 << 12;

/**
 * The facts of one TCP packet as numbers (flags in `bits`, R_*), with its conversation's
 * endpoints: what recordFacts() makes a PacketFacts object of.
 */
export interface TcpRecord {
  no: number;
  time: number;
  bits: number;
  seq: number;
  ack: number;
  len: number;
  window: number;
  /** -1: none */
  mss: number;
  http: HttpFacts | undefined;
  tls: TlsFacts | undefined;
  /** endpoint A and B of the conversation (R_DIR_B: sent by B) */
  a: string;
  b: string;
  portA: number;
  portB: number;
}

/** The sender's address and port of a record. */
export function recordSender(r: TcpRecord): { src: string; srcPort: number } {
  return r.bits & R_DIR_B ? { src: r.b, srcPort: r.portB } : { src: r.a, srcPort: r.portA };
}

/** The PacketFacts object of a TCP packet's numbers. */
export function recordFacts(r: TcpRecord): PacketFacts {
  return packetFacts(
    r.no,
    r.time,
    r.bits,
    r.seq,
    r.ack,
    r.len,
    r.window,
    r.mss,
    r.http,
    r.tls,
    r.a,
    r.b,
    r.portA,
    r.portB,
  );
}

function packetFacts(
  no: number,
  time: number,
  bits: number,
  seq: number,
  ackNo: number,
  payloadLength: number,
  window: number,
  mss: number,
  http: HttpFacts | undefined,
  tls: TlsFacts | undefined,
  a: string,
  b: string,
  portA: number,
  portB: number,
): PacketFacts {
  const tcp: TcpFacts = {
    syn: (bits & R_SYN) !== 0,
    ack: (bits & R_ACK) !== 0,
    fin: (bits & R_FIN) !== 0,
    rst: (bits & R_RST) !== 0,
    psh: (bits & R_PSH) !== 0,
    seq,
    ackNo,
    payloadLength,
    window,
    analysis:
      bits & R_ANALYSIS
        ? {
            retransmission: (bits & R_RETRANSMISSION) !== 0,
            dupAck: (bits & R_DUP_ACK) !== 0,
            zeroWindow: (bits & R_ZERO_WINDOW) !== 0,
            lostSegment: (bits & R_LOST_SEGMENT) !== 0,
          }
        : NO_ANALYSIS,
  };
  if (bits & R_TLS_RECORD_OPEN) tcp.tlsRecordOpen = true;
  if (bits & R_PEER_TLS_RECORD_OPEN) tcp.peerTlsRecordOpen = true;
  if (mss >= 0) tcp.mss = mss;
  const fromB = (bits & R_DIR_B) !== 0;
  const src = fromB ? b : a;
  const dst = fromB ? a : b;
  const srcPort = fromB ? portB : portA;
  const dstPort = fromB ? portA : portB;
  // made with all its properties at once (one allocation, no property store)
  if (tls)
    return http
      ? { no, time, src, dst, srcPort, dstPort, tcp, http, tls }
      : { no, time, src, dst, srcPort, dstPort, tcp, tls };
  return http
    ? { no, time, src, dst, srcPort, dstPort, tcp, http }
    : { no, time, src, dst, srcPort, dstPort, tcp };
}

const STRIDE = 8;

/**
 * The packets of one TCP conversation as numbers (8 a packet in one growing array) until they are
 * needed as PacketFacts objects: a conversation's facts wait for its end, and as objects they
 * would outlive the young generation and fill the old one.
 */
export class TcpFactLog {
  private nums = new Float64Array(STRIDE * 16);
  private readonly http: (HttpFacts | undefined)[] = [];
  private readonly tls: (TlsFacts | undefined)[] = [];
  length = 0;

  constructor(
    private readonly a: string,
    private readonly b: string,
    private readonly portA: number,
    private readonly portB: number,
  ) {}

  /** Adds a record of this conversation. */
  add(r: TcpRecord): void {
    let n = this.nums;
    const at = this.length * STRIDE;
    if (at + STRIDE > n.length) {
      const grown = new Float64Array(n.length * 2);
      grown.set(n);
      this.nums = n = grown;
    }
    n[at] = r.no;
    n[at + 1] = r.time;
    n[at + 2] = r.bits;
    n[at + 3] = r.seq;
    n[at + 4] = r.ack;
    n[at + 5] = r.len;
    n[at + 6] = r.window;
    n[at + 7] = r.mss;
    this.http.push(r.http);
    this.tls.push(r.tls);
    this.length++;
  }

  /** The facts of packet i (0-based), as EngineFactSource.push() gave them. */
  facts(i: number): PacketFacts {
    const n = this.nums;
    const at = i * STRIDE;
    return packetFacts(
      n[at]!,
      n[at + 1]!,
      n[at + 2]!,
      n[at + 3]!,
      n[at + 4]!,
      n[at + 5]!,
      n[at + 6]!,
      n[at + 7]!,
      this.http[i],
      this.tls[i],
      this.a,
      this.b,
      this.portA,
      this.portB,
    );
  }

  /** The facts of every packet, in order. */
  all(): PacketFacts[] {
    const out: PacketFacts[] = new Array<PacketFacts>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.facts(i);
    return out;
  }
}

interface ConvMemo {
  /** address text of endpoint A and B (ConversationInfo.addressA/B) */
  a: string;
  b: string;
  /** per direction: a PDU (TLS record, HTTP head) waits for more bytes after the last segment */
  open: [boolean, boolean];
  tls: boolean;
  /** the conversation's payload does not matter (not to the proxy): no dissection */
  ignored: boolean;
}

/**
 * Packet facts, one packet at a time in frame order (a file being read, a live capture). The
 * engine keeps its own per-frame index (a few bytes a frame); `forget(conv)` drops what this
 * class keeps about a finished conversation.
 */
export class EngineFactSource {
  // sequential: dissect() is asked only for the frame just indexed, so nothing is kept per frame
  readonly engine: PacketEngine;
  private readonly bit: Record<'tcp' | 'http' | 'tls' | 'icmp' | 'icmpv6' | 'dns', number>;
  private readonly memos = new Map<number, ConvMemo>();
  private readonly httpFrame: HttpFrameFacts;
  private readonly tlsFrame: TlsFrameFacts;
  /** engine conversation id of the last packet pushed (-1 none) */
  conv = -1;

  constructor() {
    // a registry of its own: the fact collectors below belong to it, so that no other engine's
    // first pass (the packet list's, another diagnosis's) writes into them
    const r = new Registry();
    for (const m of builtinModules) r.add(m);
    this.engine = new PacketEngine({ sequential: true, registry: r });
    const bitOf = (name: string): number => {
      const m = r.protocol(name);
      const id = m ? r.id(m) : 31;
      return id < 31 ? 1 << id : 0;
    };
    // the first pass collects the fact fields of HTTP heads and TLS records: the frames that hold
    // them need no second dissection
    this.httpFrame = collectHttpFrameFacts(r);
    this.tlsFrame = collectTlsFrameFacts(r);
    this.bit = {
      tcp: bitOf('tcp'),
      http: bitOf('http'),
      tls: bitOf('tls'),
      icmp: bitOf('icmp'),
      icmpv6: bitOf('icmpv6'),
      dns: bitOf('dns'),
    };
  }

  /**
   * The TCP packet read() just read, as numbers (see TcpRecord): reused for the next packet.
   */
  readonly tcp: TcpRecord = {
    no: 0,
    time: 0,
    bits: 0,
    seq: 0,
    ack: 0,
    len: 0,
    window: 0,
    mss: -1,
    http: undefined,
    tls: undefined,
    a: '',
    b: '',
    portA: 0,
    portB: 0,
  };

  /** raw packet → facts; frames numbered from 1 without gaps; `time` is seconds since the epoch */
  push(raw: RawPacket, no: number): PacketFacts {
    return this.read(raw, no) ?? recordFacts(this.tcp);
  }

  /**
   * Reads the next packet (as push()): its facts, or undefined for a packet of a TCP conversation,
   * whose facts are then in `tcp` as numbers (recordFacts(tcp) makes push()'s object of them): a
   * caller that keeps many packets stores those (TcpFactLog) instead of objects.
   */
  read(raw: RawPacket, no: number): PacketFacts | undefined {
    const time = raw.tsSec + raw.tsNsec / 1e9;
    const engine = this.engine;
    const fi = engine.index(raw, no);
    const mask = fi.protoMask;
    const bit = this.bit;
    this.conv = fi.conv;
    // an ICMP error quotes a TCP header: ICMP first
    if (mask & (bit.icmp | bit.icmpv6 | bit.dns))
      return factsFromFields(no, time, engine.fields(raw, no, FACT_FIELDS));
    if (!(mask & bit.tcp) || fi.conv < 0) return { no, time, src: '', dst: '' };

    const seg = engine.lastSegment();
    const dir = seg.dir;
    const fl = fi.tcpFlags;
    const af = fi.flags;
    const memo = this.memo(fi.conv);
    const c = engine.conversation(fi.conv)!;
    let bits =
      (dir ? R_DIR_B : 0) |
      (fl & TH_SYN ? R_SYN : 0) |
      (fl & TH_ACK ? R_ACK : 0) |
      (fl & TH_FIN ? R_FIN : 0) |
      (fl & TH_RST ? R_RST : 0) |
      (fl & TH_PUSH ? R_PSH : 0);
    if (af & ANALYSIS_BITS)
      bits |=
        R_ANALYSIS |
        (af & RETRANSMITTED ? R_RETRANSMISSION : 0) |
        (af & TCP_A_DUPLICATE_ACK ? R_DUP_ACK : 0) |
        (af & TCP_A_ZERO_WINDOW ? R_ZERO_WINDOW : 0) |
        (af & TCP_A_LOST_PACKET ? R_LOST_SEGMENT : 0);
    const isTls = (mask & bit.tls) !== 0;
    if (isTls) memo.tls = true;
    // reassembly state tells whether a TLS record was left unfinished when a side closes
    if (memo.tls && fl & (TH_FIN | TH_RST)) {
      if (seg.len > 0 ? !!(af & TCP_SEGMENT_OF_PDU) : memo.open[dir]) bits |= R_TLS_RECORD_OPEN;
      if (memo.open[dir ^ 1]) bits |= R_PEER_TLS_RECORD_OPEN;
    }
    const st = c.tcp;
    if (st) {
      memo.open[0] = st.dirs[0].msp !== null;
      memo.open[1] = st.dirs[1].msp !== null;
    }
    const r = this.tcp;
    r.no = no;
    r.time = time;
    r.bits = bits;
    r.seq = seg.seq;
    r.ack = seg.ack;
    r.len = seg.len;
    r.window = seg.window;
    r.mss = seg.mss >= 0 && !memo.ignored ? seg.mss : -1;
    // HTTP heads and TLS records: what the first pass collected (see the constructor)
    r.http = !memo.ignored && this.httpFrame.frame === no ? httpFacts(this.httpFrame) : undefined;
    r.tls = !memo.ignored && this.tlsFrame.frame === no ? tlsFacts(this.tlsFrame) : undefined;
    r.a = memo.a;
    r.b = memo.b;
    r.portA = c.portA;
    r.portB = c.portB;
    return undefined;
  }

  /** From now on the conversation's packets get TCP facts only (its payload does not matter). */
  ignore(conv: number): void {
    const m = this.memos.get(conv);
    if (m) m.ignored = true;
  }

  /**
   * Forget a finished conversation, with the engine's TCP and HTTP/TLS state of it (a big capture
   * has tens of thousands): a later packet of it starts them afresh, as a conversation seen from
   * its middle, and a new SYN on its ports starts a new conversation (port reuse, as tshark
   * numbers it). Only for a caller that wants no more facts of it (CaptureDiagnosis).
   */
  forget(conv: number): void {
    this.memos.delete(conv);
    this.engine.releaseConversation(conv);
  }

  private memo(id: number): ConvMemo {
    let m = this.memos.get(id);
    if (!m) {
      const c = this.engine.conversation(id)!;
      m = {
        a: c.addressText('a'),
        b: c.addressText('b'),
        open: [false, false],
        tls: false,
        ignored: false,
      };
      this.memos.set(id, m);
    }
    return m;
  }
}

/** Facts of raw packets already in memory (a live capture's buffer), frames numbered from 1. */
export function rawPacketFacts(packets: Iterable<RawPacket>): PacketFacts[] {
  const src = new EngineFactSource();
  const out: PacketFacts[] = [];
  for (const p of packets) out.push(src.push(p, out.length + 1));
  return out;
}
