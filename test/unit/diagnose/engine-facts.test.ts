// Packet facts from the packet engine on hand-built packets: link layers, IPv6, HTTP split over
// segments, TLS records and SNI, ICMP errors quoting a conversation, DNS answers, a record cut by
// a FIN, and the engine's TCP analysis (retransmission).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineFactSource } from '../../../src-main/core/diagnose/engine-facts.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

const enc = new TextEncoder();
const be16 = (n: number) => [(n >> 8) & 255, n & 255];
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const v4 = (s: string) => s.split('.').map(Number);

function tcp(
  sp: number,
  dp: number,
  seq: number,
  ack: number,
  flags: number,
  payload: number[] = [],
  mss?: number,
): number[] {
  const opts = mss ? [2, 4, ...be16(mss)] : [];
  const hl = 20 + opts.length;
  return [
    ...be16(sp),
    ...be16(dp),
    ...be32(seq),
    ...be32(ack),
    (hl / 4) << 4,
    flags,
    ...be16(65535),
    0,
    0,
    0,
    0,
    ...opts,
    ...payload,
  ];
}
function ipv4(src: string, dst: string, proto: number, body: number[]): number[] {
  return [
    0x45,
    0,
    ...be16(20 + body.length),
    0,
    0,
    0x40,
    0,
    64,
    proto,
    0,
    0,
    ...v4(src),
    ...v4(dst),
    ...body,
  ];
}
function ipv6(src16: number[], dst16: number[], next: number, body: number[]): number[] {
  return [0x60, 0, 0, 0, ...be16(body.length), next, 64, ...src16, ...dst16, ...body];
}
const eth = (type: number, body: number[]) => [...Array(12).fill(0), ...be16(type), ...body];
function raw(data: number[], linkType = 1, t = 0): RawPacket {
  const d = Uint8Array.from(data);
  return {
    tsSec: 1000 + t,
    tsNsec: 0,
    capturedLength: d.length,
    originalLength: d.length,
    interfaceId: 0,
    linkType,
    data: d,
    dataOffset: -1,
  };
}
const S = 0x02,
  A = 0x10,
  F = 0x01,
  P = 0x08;

test('Linux cooked v2 + IPv4 + SYN with MSS', () => {
  const sll2 = [...be16(0x0800), 0, 0, ...be32(1), 0, 1, 0, 6, ...Array(8).fill(0)];
  const f = new EngineFactSource().push(
    raw([...sll2, ...ipv4('10.40.40.1', '10.10.10.1', 6, tcp(48716, 80, 1000, 0, S, [], 1460))], 276),
    1,
  );
  assert.equal(f.src, '10.40.40.1');
  assert.equal(f.dstPort, 80);
  assert.equal(f.tcp!.syn, true);
  assert.equal(f.tcp!.ack, false);
  assert.equal(f.tcp!.mss, 1460);
});

test('IPv6: a CONNECT split over two segments is seen where its head completes; 407 schemes and Squid marker', () => {
  const a = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1];
  const b = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2];
  const x = new EngineFactSource();
  const pkt = (
    src: number[],
    dst: number[],
    sp: number,
    dp: number,
    seq: number,
    ack: number,
    fl: number,
    text = '',
  ) => raw(eth(0x86dd, ipv6(src, dst, 6, tcp(sp, dp, seq, ack, fl, [...enc.encode(text)]))));
  x.push(pkt(a, b, 5000, 3128, 99, 0, S), 1);
  x.push(pkt(b, a, 3128, 5000, 499, 100, S | A), 2);
  const part1 = 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n';
  const f3 = x.push(pkt(a, b, 5000, 3128, 100, 500, P | A, part1), 3);
  assert.equal(f3.src, '2001:db8::1');
  assert.equal(f3.http, undefined);
  const f4 = x.push(
    pkt(
      a,
      b,
      5000,
      3128,
      100 + part1.length,
      500,
      P | A,
      'Proxy-Authorization: Basic Zm1jOnNlY3JldA==\r\n\r\n',
    ),
    4,
  );
  assert.deepEqual(f4.http?.request, {
    method: 'CONNECT',
    uri: 'tools.cisco.com:443',
    proxyAuthorization: 'Basic',
  });
  const body = 'denied';
  const res = `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\nX-Squid-Error: ERR_CACHE_ACCESS_DENIED 0\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const f5 = x.push(pkt(b, a, 3128, 5000, 500, 200, P | A, res), 5);
  assert.equal(f5.http?.response?.code, 407);
  assert.deepEqual(f5.http?.response?.proxyAuthenticate, ['NTLM', 'Negotiate']);
  assert.equal(f5.http?.response?.proxyError, 'ERR_CACHE_ACCESS_DENIED 0');
  assert.ok(!JSON.stringify(f4).includes('Zm1j'), 'credentials are not kept');
});

function clientHello(sni: string): number[] {
  const name = [...enc.encode(sni)];
  const sniExt = [0, 0, ...be16(name.length + 5), ...be16(name.length + 3), 0, ...be16(name.length), ...name];
  const body = [3, 3, ...Array(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0, ...be16(sniExt.length), ...sniExt];
  const hs = [1, 0, ...be16(body.length), ...body];
  return [22, 3, 1, ...be16(hs.length), ...hs];
}

test("after 200 to CONNECT the tunnel is read as TLS: ClientHello with SNI, and a record cut by the proxy's FIN", () => {
  const x = new EngineFactSource();
  const C = '10.0.0.1',
    Pr = '10.0.0.2';
  const pkt = (fromClient: boolean, seq: number, ack: number, fl: number, payload: number[] = []) =>
    raw(
      eth(
        0x0800,
        ipv4(
          fromClient ? C : Pr,
          fromClient ? Pr : C,
          6,
          tcp(fromClient ? 40000 : 3128, fromClient ? 3128 : 40000, seq, ack, fl, payload),
        ),
      ),
    );
  x.push(pkt(true, 0, 0, S), 1);
  x.push(pkt(false, 0, 1, S | A), 2);
  const req = [...enc.encode('CONNECT tools.cisco.com:443 HTTP/1.1\r\n\r\n')];
  x.push(pkt(true, 1, 1, P | A, req), 3);
  const ok = [...enc.encode('HTTP/1.1 200 Connection established\r\n\r\n')];
  const f4 = x.push(pkt(false, 1, 1 + req.length, P | A, ok), 4);
  assert.equal(f4.http?.response?.code, 200);
  const ch = clientHello('tools.cisco.com');
  // split the ClientHello over two segments
  const f5 = x.push(pkt(true, 1 + req.length, 1 + ok.length, P | A, ch.slice(0, 20)), 5);
  const f6 = x.push(pkt(true, 1 + req.length + 20, 1 + ok.length, P | A, ch.slice(20)), 6);
  // the record is reassembled: its facts belong to the frame that completes it
  assert.equal(f5.tls, undefined);
  assert.deepEqual(f6.tls?.contentTypes, [22]);
  assert.deepEqual(f6.tls?.handshakeTypes, [1]);
  assert.equal(f6.tls?.sni, 'tools.cisco.com');
  // the proxy starts a 1000-byte application-data record, sends 300 bytes of it, then FIN
  const rec = [23, 3, 3, ...be16(1000), ...Array(295).fill(0)];
  const f7 = x.push(pkt(false, 1 + ok.length, 1 + req.length + ch.length, P | A, rec), 7);
  assert.equal(f7.tcp?.payloadLength, rec.length);
  // the same 300 bytes again: the engine's analysis calls it a retransmission
  const f8 = x.push(pkt(false, 1 + ok.length, 1 + req.length + ch.length, P | A, rec), 8);
  assert.equal(f8.tcp?.analysis?.retransmission, true);
  assert.equal(f8.src, Pr);
  assert.equal(f8.srcPort, 3128);
  assert.equal(f8.tcp?.seq, 1 + ok.length);
  const f9 = x.push(pkt(false, 1 + ok.length + rec.length, 1 + req.length + ch.length, F | A), 9);
  assert.equal(f9.tcp?.fin, true);
  assert.equal(f9.tcp?.tlsRecordOpen, true);
});

test('ICMP fragmentation needed names the MTU and the quoted conversation; ICMPv6 packet too big', () => {
  const quoted = ipv4('10.10.10.1', '10.40.40.1', 6, tcp(80, 48716, 5, 6, A, [])).slice(0, 28);
  const icmp = [3, 4, 0, 0, 0, 0, ...be16(1280), ...quoted];
  const f = new EngineFactSource().push(raw(eth(0x0800, ipv4('10.0.0.254', '10.10.10.1', 1, icmp))), 1);
  assert.deepEqual(f.icmp, {
    type: 3,
    code: 4,
    mtu: 1280,
    inner: { src: '10.10.10.1', dst: '10.40.40.1', srcPort: 80, dstPort: 48716 },
  });
  const a = [0xfe, 0x80, ...Array(13).fill(0), 1];
  const b = [0xfe, 0x80, ...Array(13).fill(0), 2];
  const inner6 = ipv6(b, a, 6, tcp(443, 5555, 1, 1, A, []));
  const f6 = new EngineFactSource().push(
    raw(eth(0x86dd, ipv6(a, b, 58, [2, 0, 0, 0, ...be32(1400), ...inner6]))),
    1,
  );
  assert.equal(f6.icmp?.type, 2);
  assert.equal(f6.icmp?.mtu, 1400);
  assert.equal(f6.icmp?.inner?.srcPort, 443);
});

test('DNS answer NXDOMAIN for the proxy name', () => {
  const qname = [5, ...enc.encode('proxy'), 7, ...enc.encode('example'), 3, ...enc.encode('com'), 0];
  const dns = [...be16(0x1234), 0x81, 0x83, ...be16(1), 0, 0, 0, 0, 0, 0, ...qname, 0, 1, 0, 1];
  const udp = [...be16(53), ...be16(5353), ...be16(8 + dns.length), 0, 0, ...dns];
  const f = new EngineFactSource().push(raw(eth(0x0800, ipv4('10.0.0.53', '10.40.40.1', 17, udp))), 1);
  assert.deepEqual(f.dns, {
    isResponse: true,
    id: 0x1234,
    rcode: 3,
    answerCount: 0,
    queryName: 'proxy.example.com',
  });
});

test('garbage never throws: truncated and unknown link types give empty facts', () => {
  const x = new EngineFactSource();
  let no = 0;
  for (const data of [
    [],
    [1, 2, 3],
    eth(0x0800, [0x45, 0, 0]),
    eth(0x86dd, [0x60]),
    eth(0x0800, ipv4('1.2.3.4', '5.6.7.8', 6, [1, 2, 3])),
  ]) {
    const f = x.push(raw(data), ++no);
    assert.equal(f.tcp, undefined);
  }
  assert.equal(x.push(raw([1, 2, 3, 4], 999), no + 1).src, '');
});
