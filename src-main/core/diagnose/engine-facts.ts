// Packet facts from the packet engine's dissection (its FieldSource values: tcp.flags.*,
// http.response.code, tls.handshake.type, icmp.mtu, ...), for callers that already dissect every
// packet (the session, the store). extract.ts reads raw bytes itself; both must yield the same
// verdicts (test/integration/diagnose/engine-facts.test.ts checks it on the lab samples).
import type { FieldSource, FieldValue } from '../dissect/types.js';
import type { RawPacket } from '../pcap/types.js';
import type { PacketFacts } from './facts.js';

const num = (v: FieldValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const str = (v: FieldValue | undefined): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : v instanceof Uint8Array ? undefined : String(v));
const bool = (v: FieldValue | undefined): boolean => v === true || v === 1 || v === '1' || v === 'true';

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
      const scheme = str(first('http.proxy_authorization.scheme')) ?? str(first('http.proxy_authorization'))?.trim().split(/\s+/)[0];
      if (scheme) f.http.request!.proxyAuthorization = scheme;
    } else if (code !== undefined) {
      f.http = { response: { code } };
      const phrase = str(first('http.response.phrase'));
      if (phrase) f.http.response!.phrase = phrase;
      const schemes = all('http.proxy_authenticate.scheme').map(str).filter((s): s is string => !!s);
      if (schemes.length) f.http.response!.proxyAuthenticate = [...new Set(schemes)];
      const err = str(first('http.squid_error'));
      if (err) f.http.response!.proxyError = err;
    }
  }

  if (fs.hasProtocol('tls')) {
    const contentTypes = [...new Set(all('tls.record.content_type').map(num).filter((n): n is number => n !== undefined))];
    const handshakeTypes = all('tls.handshake.type').map(num).filter((n): n is number => n !== undefined);
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
    const issuers = all('x509af.issuer').map(str).filter((s): s is string => !!s);
    if (issuers.length && handshakeTypes.includes(11)) {
      f.tls.certIssuers = issuers;
      f.tls.certSubjects = all('x509af.subject').map(str).filter((s): s is string => !!s);
    }
  }
  return f;
}

/** Facts of packets in memory, dissected by a fresh engine (two passes: index, then dissect). */
export async function engineFacts(raws: readonly RawPacket[]): Promise<PacketFacts[]> {
  const { PacketEngine } = await import('../dissect/engine.js');
  const engine = new PacketEngine({ fetchFrame: (no) => raws[no - 1] });
  raws.forEach((r, i) => engine.index(r, i + 1));
  return raws.map((r, i) => factsFromFields(i + 1, r.tsSec + r.tsNsec / 1e9, engine.dissect(r, i + 1).fields));
}
