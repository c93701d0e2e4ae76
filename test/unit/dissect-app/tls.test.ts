// TLS parser tests on bytes built here, plus certificate decoding of a node-forge certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  certificateLayout,
  dissectTls,
  looksLikeTls,
  newTlsState,
  parseCertificate,
  scanTls,
  tlsInfo,
  tlsRecordsNeed,
} from '../../../src-main/core/dissect/tls-parse.js';
import { cipherSuiteName, isGrease } from '../../../src-main/core/dissect/cipher-suites.js';
import type { FieldNode } from '../../../src-main/core/dissect/types.js';
import { makeCert } from './live-capture.js';

function values(n: FieldNode, field: string, out: unknown[] = []): unknown[] {
  if (n.field === field && n.value !== undefined) out.push(n.value);
  for (const c of n.children ?? []) values(c, field, out);
  return out;
}

const u16 = (v: number) => [v >> 8, v & 0xff];
const u24 = (v: number) => [v >> 16, (v >> 8) & 0xff, v & 0xff];
const record = (type: number, version: number, body: number[]) => [
  type,
  ...u16(version),
  ...u16(body.length),
  ...body,
];
const handshake = (type: number, body: number[]) => [type, ...u24(body.length), ...body];
const ext = (type: number, body: number[]) => [...u16(type), ...u16(body.length), ...body];

function clientHello(sni: string, alpn: string[]): number[] {
  const name = [...Buffer.from(sni)];
  const sniExt = ext(0, [...u16(name.length + 3), 0, ...u16(name.length), ...name]);
  const alpnList = alpn.flatMap((p) => [p.length, ...Buffer.from(p)]);
  const alpnExt = ext(16, [...u16(alpnList.length), ...alpnList]);
  const svExt = ext(43, [4, 0x03, 0x04, 0x03, 0x03]);
  const exts = [...sniExt, ...alpnExt, ...svExt];
  const suites = [0x1a1a, 0x1302, 0x1301, 0xc02f, 0x009c];
  const body = [
    0x03,
    0x03,
    ...new Array(32).fill(7),
    0,
    ...u16(suites.length * 2),
    ...suites.flatMap(u16),
    1,
    0,
    ...u16(exts.length),
    ...exts,
  ];
  return record(22, 0x0301, handshake(1, body));
}

function serverHello13(): number[] {
  const exts = ext(43, [0x03, 0x04]);
  const body = [0x03, 0x03, ...new Array(32).fill(9), 0, ...u16(0x1302), 0, ...u16(exts.length), ...exts];
  return record(22, 0x0303, handshake(2, body));
}

test('heuristic and record framing', () => {
  const ch = Uint8Array.from(clientHello('tools.cisco.com', ['h2', 'http/1.1']));
  assert.ok(looksLikeTls(ch, 0, ch.length));
  assert.ok(!looksLikeTls(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 0, 16));
  assert.deepEqual(tlsRecordsNeed(ch, 0, 3), { kind: 'more', atLeast: 2 });
  assert.deepEqual(tlsRecordsNeed(ch, 0, 20), { kind: 'more', atLeast: ch.length - 20 });
  assert.deepEqual(tlsRecordsNeed(ch, 0, ch.length), { kind: 'complete', length: ch.length });
  const two = Uint8Array.from([...ch, ...ch.slice(0, 10)]);
  assert.deepEqual(tlsRecordsNeed(two, 0, two.length), { kind: 'complete', length: ch.length });
});

test('ClientHello: SNI in Info, ALPN, supported_versions, suites with GREASE', () => {
  const ch = Uint8Array.from(clientHello('tools.cisco.com', ['h2', 'http/1.1']));
  const d = dissectTls(ch, 0, ch.length, { frame: 1, dir: 0, state: newTlsState() });
  assert.equal(tlsInfo(d.infoParts), 'Client Hello (SNI=tools.cisco.com)');
  assert.equal(d.protocol, 'TLSv1');
  assert.deepEqual(values(d.node, 'tls.handshake.extensions_server_name'), ['tools.cisco.com']);
  assert.deepEqual(values(d.node, 'tls.handshake.extensions_alpn_str'), ['h2', 'http/1.1']);
  assert.deepEqual(values(d.node, 'tls.handshake.extensions.supported_version'), [0x0304, 0x0303]);
  assert.deepEqual(values(d.node, 'tls.handshake.type'), [1]);
  assert.deepEqual(d.expert, []);
  assert.ok(isGrease(0x1a1a));
  assert.equal(cipherSuiteName(0x1302), 'TLS_AES_256_GCM_SHA384');
  assert.equal(cipherSuiteName(0xc02f), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
});

test('ServerHello with supported_versions: TLS 1.3 for this and later frames', () => {
  const st = newTlsState();
  const sh = Uint8Array.from([
    ...serverHello13(),
    ...record(20, 0x0303, [1]),
    ...record(23, 0x0303, [1, 2, 3, 4]),
  ]);
  const d = dissectTls(sh, 0, sh.length, { frame: 2, dir: 1, state: st });
  assert.equal(tlsInfo(d.infoParts), 'Server Hello, Change Cipher Spec, Application Data');
  assert.equal(d.protocol, 'TLSv1.3');
  assert.deepEqual(values(d.node, 'tls.handshake.ciphersuite'), [0x1302]);
  assert.ok(JSON.stringify(d.node).includes('Cipher Suite: TLS_AES_256_GCM_SHA384 (0x1302)'));
  // once negotiated, every frame of the conversation shows it (as Wireshark's GUI and tshark -2)
  const ch = Uint8Array.from(clientHello('a.example', []));
  assert.equal(dissectTls(ch, 0, ch.length, { frame: 1, dir: 0, state: st }).protocol, 'TLSv1.3');
  const app = Uint8Array.from(record(23, 0x0303, [9, 9, 9]));
  assert.equal(dissectTls(app, 0, app.length, { frame: 3, dir: 0, state: st }).protocol, 'TLSv1.3');
  // the fast scan finds the same state
  const st2 = newTlsState();
  scanTls(sh, 0, sh.length, { frame: 2, dir: 1, state: st2 });
  assert.equal(st2.version, 0x0304);
  assert.deepEqual(st2.ccs[1], { frame: 2, record: 1 });
});

test('Alert: level and description names; fatal alert is a warning', () => {
  const a = Uint8Array.from(record(21, 0x0303, [2, 40]));
  const d = dissectTls(a, 0, a.length, { frame: 5, dir: 1, state: newTlsState() });
  assert.equal(tlsInfo(d.infoParts), 'Alert (Level: Fatal, Description: Handshake Failure)');
  assert.deepEqual(values(d.node, 'tls.alert_message.desc'), [40]);
  assert.equal(d.expert[0].severity, 'warn');
  assert.equal(scanTls(a, 0, a.length, { frame: 5, dir: 1, state: newTlsState() }).severity, 3);
});

test('after ChangeCipherSpec, handshake records are encrypted', () => {
  const st = newTlsState();
  const flight = Uint8Array.from([
    ...record(22, 0x0303, handshake(16, [0, 2, 1, 2])),
    ...record(20, 0x0303, [1]),
    ...record(22, 0x0303, [0x14, 0, 0, 12, ...new Array(12).fill(0x55)]),
  ]);
  const d = dissectTls(flight, 0, flight.length, { frame: 7, dir: 0, state: st });
  assert.equal(tlsInfo(d.infoParts), 'Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message');
});

test('truncated handshake: malformed expert item, no exception', () => {
  const ch = clientHello('tools.cisco.com', ['h2']);
  // make the handshake claim more than the record holds
  const bad = Uint8Array.from(ch);
  bad[8] = 0xff;
  const d = dissectTls(bad, 0, bad.length, { frame: 1, dir: 0, state: newTlsState() });
  assert.ok(d.expert.some((e) => e.id === 'malformed'));
});

test('certificate decoding: subject, issuer, validity, SANs (node-forge certificate)', () => {
  const cert = makeCert();
  const der = Buffer.from(cert.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const s = parseCertificate(der);
  assert.equal(s.subject, 'CN=tools.cisco.com, O=ProxyScope Test, C=US');
  assert.equal(s.issuer, 'CN=ProxyScope Test CA, O=ProxyScope Test');
  assert.equal(s.notBefore, '2026-01-01T00:00:00.000Z');
  assert.equal(s.notAfter, '2027-01-01T00:00:00.000Z');
  assert.deepEqual(s.dnsNames, ['tools.cisco.com', 'www.tools.cisco.com']);
  const body = [...u24(der.length + 3), ...u24(der.length), ...der];
  const rec = Uint8Array.from(record(22, 0x0303, handshake(11, body)));
  const d = dissectTls(rec, 0, rec.length, { frame: 3, dir: 1, state: newTlsState() });
  assert.equal(tlsInfo(d.infoParts), 'Certificate');
  assert.deepEqual(values(d.node, 'x509ce.dNSName'), ['tools.cisco.com', 'www.tools.cisco.com']);
  assert.deepEqual(values(d.node, 'x509af.subject'), ['CN=tools.cisco.com, O=ProxyScope Test, C=US']);
  // a broken DER gives an expert item, not an exception
  const broken = Uint8Array.from(rec);
  broken[20] ^= 0xff;
  broken[40] ^= 0xff;
  const b = dissectTls(broken, 0, broken.length, { frame: 3, dir: 1, state: newTlsState() });
  assert.equal(b.infoParts[0], 'Certificate');
});

test('TLS 1.3: a ClientHello after the compatibility ChangeCipherSpec (HelloRetryRequest) stays readable', () => {
  const st = newTlsState();
  const sh = Uint8Array.from(serverHello13());
  dissectTls(sh, 0, sh.length, { frame: 2, dir: 1, state: st });
  const again = Uint8Array.from([...record(20, 0x0303, [1]), ...clientHello('tools.cisco.com', [])]);
  const d = dissectTls(again, 0, again.length, { frame: 3, dir: 0, state: st });
  assert.equal(tlsInfo(d.infoParts), 'Change Cipher Spec, Client Hello (SNI=tools.cisco.com)');
});

test('certificate parts point at their DER bytes (hex view highlight)', () => {
  const der = Buffer.from(makeCert().certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const lay = certificateLayout(der);
  assert.equal(lay.dnsNames.length, 2);
  assert.equal(
    der.subarray(lay.dnsNames[0].off, lay.dnsNames[0].off + lay.dnsNames[0].len).toString(),
    'tools.cisco.com',
  );
  assert.equal(
    der.subarray(lay.dnsNames[1].off, lay.dnsNames[1].off + lay.dnsNames[1].len).toString(),
    'www.tools.cisco.com',
  );
  assert.ok(
    der
      .subarray(lay.subject!.off, lay.subject!.off + lay.subject!.len)
      .includes(Buffer.from('tools.cisco.com')),
  );
  assert.ok(
    der
      .subarray(lay.issuer!.off, lay.issuer!.off + lay.issuer!.len)
      .includes(Buffer.from('ProxyScope Test CA')),
  );
  assert.equal(
    der.subarray(lay.notBefore!.off + 2, lay.notBefore!.off + lay.notBefore!.len).toString(),
    '260101000000Z',
  );
  // garbage gives no spans, no exception
  assert.deepEqual(certificateLayout(Uint8Array.from([0x30, 0x84, 1, 2])), { dnsNames: [] });
});
