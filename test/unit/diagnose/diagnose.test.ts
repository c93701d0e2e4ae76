import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnosePackets, findingExpertItems } from '../../../src-main/core/diagnose/diagnose.js';
import { Synth } from './synth.js';

const proxy = { host: '10.10.10.1', port: 80 };
const statusOf = (r: ReturnType<typeof diagnosePackets>, conv = 0) =>
  Object.fromEntries(r.ladders[conv]!.stages.map((s) => [s.name, s.status]));

test('healthy flow: every rung ok, verdict ok', () => {
  const s = new Synth();
  s.handshake(1460, 1300);
  s.connect();
  s.tlsHandshake13();
  s.appData();
  s.closeByClient();
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'ok');
  assert.equal(r.verdict.ok, true);
  assert.equal(r.ladders.length, 1);
  const st = statusOf(r);
  for (const name of [
    'syn',
    'syn-ack',
    'ack',
    'connect',
    'response',
    'client-hello',
    'server-hello',
    'certificate',
    'application-data',
    'close',
  ])
    assert.equal(st[name], 'ok', name);
  const connect = r.ladders[0]!.stages.find((x) => x.name === 'connect')!;
  assert.deepEqual(connect.packets, [4]);
  assert.match(r.ladders[0]!.stages.find((x) => x.name === 'client-hello')!.detail!, /SNI=tools.cisco.com/);
  assert.equal(r.findings.length, 0);
});

test('proxy inferred from the CONNECT when no proxy is given', () => {
  const s = new Synth();
  s.handshake();
  s.connect({ code: 403, phrase: 'Forbidden' });
  s.closeByClient();
  const r = diagnosePackets(s.facts);
  assert.equal(r.ladders[0]!.proxy, '10.10.10.1:80');
  assert.equal(r.verdict.issue, 'proxy-denied');
});

test('SYN unanswered → proxy-unreachable with the SYNs as evidence', () => {
  const s = new Synth();
  s.c({ syn: true, mss: 1460 });
  s.c({ syn: true, mss: 1460, seq: 1000, dt: 1 });
  s.c({ syn: true, mss: 1460, seq: 1000, dt: 2 });
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'proxy-unreachable');
  assert.deepEqual(r.findings[0]!.packets, [1, 2, 3]);
  assert.equal(statusOf(r)['syn-ack'], 'failed');
  assert.match(r.findings[0]!.ko.title, /프록시/);
});

test('RST to SYN → proxy-unreachable (refused)', () => {
  const s = new Synth();
  s.c({ syn: true });
  s.p({ rst: true, ack: true });
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'proxy-unreachable');
  assert.deepEqual(r.findings[0]!.packets, [1, 2]);
  assert.match(r.findings[0]!.detail, /RST/);
});

test('403 → proxy-denied; 502 with ERR_ACCESS_DENIED → proxy-denied; plain 502/504 → upstream failure', () => {
  for (const [code, marker, want] of [
    [403, undefined, 'proxy-denied'],
    [502, 'ERR_ACCESS_DENIED 0', 'proxy-denied'],
    [502, undefined, 'proxy-upstream-failure'],
    [504, 'ERR_CONNECT_FAIL 110', 'proxy-upstream-failure'],
    [503, undefined, 'proxy-upstream-failure'],
  ] as const) {
    const s = new Synth();
    s.handshake();
    const { r: req, a } = s.connect({ code, phrase: 'x', ...(marker ? { proxyError: marker } : {}) });
    s.p({ fin: true });
    s.c({ fin: true });
    const r = diagnosePackets(s.facts, { proxy });
    assert.equal(r.verdict.issue, want, `${code} ${marker}`);
    const f = r.findings.find((x) => x.id === want)!;
    assert.ok(f.packets.includes(req.no) && f.packets.includes(a.no));
    assert.equal(statusOf(r).response, 'failed');
    assert.equal(statusOf(r)['client-hello'], 'missing');
  }
});

test('407 without credentials → proxy-auth-required; answered later → ok', () => {
  const s = new Synth();
  s.handshake();
  s.connect({ code: 407, phrase: 'Proxy Authentication Required', schemes: ['Basic'] });
  s.closeByClient();
  let r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'proxy-auth-required');
  assert.match(r.findings[0]!.detail, /Basic/);

  // the client retries with credentials on a second connection and gets its tunnel
  const s2 = new Synth('10.40.40.1', 48717, '10.10.10.1', 80, s);
  s2.handshake();
  s2.connect({ auth: 'Basic' });
  s2.tlsHandshake13();
  s2.appData();
  s2.closeByClient();
  r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'ok');
  assert.equal(r.findings[0]!.decisive, false);
});

test('407 after credentials → proxy-auth-failed; NTLM only → proxy-auth-unsupported', () => {
  let s = new Synth();
  s.handshake();
  s.connect({ code: 407, schemes: ['Digest'] });
  s.connect({ auth: 'Digest', code: 407, schemes: ['Digest'] });
  s.closeByClient();
  let r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'proxy-auth-failed');
  assert.deepEqual(r.findings.find((f) => f.decisive)!.packets.slice(0, 2), [6, 7]);

  s = new Synth();
  s.handshake();
  s.connect({ code: 407, schemes: ['NTLM', 'Negotiate'] });
  s.closeByClient();
  r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'proxy-auth-unsupported');
  assert.match(r.verdict.summary, /NTLM, Negotiate/);
});

test('TLS alert or RST in the handshake → tls-handshake-failed', () => {
  let s = new Synth();
  s.handshake();
  s.connect();
  s.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1], sni: 'tools.cisco.com' } });
  const alert = s.p({
    len: 7,
    tls: { contentTypes: [21], handshakeTypes: [], alert: { level: 2, description: 40 } },
  });
  s.p({ fin: true });
  let r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'tls-handshake-failed');
  assert.ok(r.findings[0]!.packets.includes(alert.no));
  assert.match(r.findings[0]!.detail, /handshake_failure/);
  assert.equal(statusOf(r)['server-hello'], 'failed');

  s = new Synth();
  s.handshake();
  s.connect();
  s.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1] } });
  const rst = s.p({ rst: true });
  r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'tls-handshake-failed');
  assert.ok(r.findings[0]!.packets.includes(rst.no));
});

test('certificate from a private CA (TLS 1.2, visible) → tls-intercepted unless trusted', () => {
  const build = () => {
    const s = new Synth();
    s.handshake();
    s.connect();
    s.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1] } });
    s.p({
      len: 1400,
      tls: {
        contentTypes: [22],
        handshakeTypes: [2, 11, 14],
        serverVersion: 0x0303,
        certIssuers: ['CN=Corp Inspect CA, O=Corp'],
      },
    });
    s.c({ len: 126, tls: { contentTypes: [22, 20, 22], handshakeTypes: [16] } });
    s.p({ len: 51, tls: { contentTypes: [20, 22], handshakeTypes: [] } });
    s.appData();
    s.closeByClient();
    return s.facts;
  };
  let r = diagnosePackets(build(), { proxy });
  assert.equal(r.verdict.issue, 'tls-intercepted');
  assert.deepEqual(r.findings[0]!.packets, [7]);
  r = diagnosePackets(build(), { proxy, trustedIssuers: ['Corp Inspect CA'] });
  assert.equal(r.verdict.issue, 'ok');
  assert.match(r.ladders[0]!.stages.find((x) => x.name === 'certificate')!.detail!, /Corp Inspect CA/);
});

test('idle after data, client gives up → transfer-stalled; proxy RST mid-transfer → transfer-stalled', () => {
  let s = new Synth();
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  const { res } = s.appData();
  const fin = s.c({ fin: true, dt: 30 });
  let r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'transfer-stalled');
  const f = r.findings.find((x) => x.id === 'transfer-stalled')!;
  assert.ok(f.packets.includes(fin.no));
  assert.ok(f.packets.some((n) => n >= res.no));
  assert.match(f.detail, /idle for 30/);

  s = new Synth();
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  s.appData();
  const rst = s.p({ rst: true });
  r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'transfer-stalled');
  assert.ok(r.findings[0]!.packets.includes(rst.no));
  assert.equal(statusOf(r).close, 'failed');
});

test('proxy FIN in the middle of a TLS record → transfer-stalled (needs payload)', () => {
  const s = new Synth();
  s.handshake();
  s.connect();
  s.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1] }, payload: new Uint8Array(517) });
  const rec = (len: number, take: number) => {
    const b = new Uint8Array(take);
    b.set([23, 3, 3, len >> 8, len & 255]);
    return b;
  };
  s.p({
    len: 100,
    tls: { contentTypes: [22], handshakeTypes: [2], serverVersion: 0x0304 },
    payload: (() => {
      const b = new Uint8Array(100);
      b.set([22, 3, 3, 0, 95]);
      return b;
    })(),
  });
  s.c({ len: 80, tls: { contentTypes: [23], handshakeTypes: [] } });
  s.p({ len: 1000, tls: { contentTypes: [23], handshakeTypes: [] }, payload: rec(16000, 1000) });
  const fin = s.p({ fin: true });
  s.c({ fin: true });
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'transfer-stalled');
  assert.ok(r.findings[0]!.packets.includes(fin.no));
});

test('full-size segments retransmitted and never acknowledged while small ones pass → mtu-blackhole', () => {
  const s = new Synth();
  s.handshake(1460, 1460);
  s.connect();
  s.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1] } });
  // the proxy sends a full-size segment that never arrives, retransmits it, a small one passes
  const start = s.nextSeq('p');
  const big = s.p({ len: 1448, tls: { contentTypes: [22], handshakeTypes: [2] } });
  const small = s.p({ len: 300 });
  s.c({}); // client still acks only up to `start`: the proxy's sequence view
  s.setNext('p', start);
  const r1 = s.p({ len: 1448, seq: start, dt: 0.3 });
  const r2 = s.p({ len: 1448, seq: start, dt: 0.6 });
  s.setNext('p', start + 1748);
  // fix the client's acks: it never acknowledged beyond `start`
  s.c({ rst: true, dt: 5 });
  for (const f of s.facts) if (f.src === '10.40.40.1' && f.no > big.no) f.tcp!.ackNo = start;
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'mtu-blackhole');
  const f = r.findings.find((x) => x.id === 'mtu-blackhole')!;
  for (const n of [big.no, r1.no, r2.no]) assert.ok(f.packets.includes(n), `frame ${n}`);
  assert.ok(!f.packets.includes(small.no));
});

test("large segment answered by RST (the document's 1440 + R) and MSS mismatch as support → mtu-blackhole", () => {
  const s = new Synth();
  s.handshake(1460, 1300);
  s.connect();
  const big = s.c({ len: 1440 });
  const rst = s.p({ rst: true });
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'mtu-blackhole');
  const f = r.findings[0]!;
  assert.ok(f.packets.includes(big.no) && f.packets.includes(rst.no));
  assert.ok(f.packets.includes(1) && f.packets.includes(2), 'SYN and SYN-ACK with differing MSS');
  assert.match(f.detail, /MSS/);
});

test('ICMP fragmentation needed about the conversation → mtu-blackhole with the ICMP packet', () => {
  const s = new Synth();
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  s.facts.push({
    no: s.facts.length + 1,
    time: s.time + 0.1,
    src: '10.0.0.254',
    dst: '10.40.40.1',
    icmp: {
      type: 3,
      code: 4,
      mtu: 1280,
      inner: { src: '10.40.40.1', dst: '10.10.10.1', srcPort: 48716, dstPort: 80 },
    },
  });
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'mtu-blackhole');
  assert.ok(r.findings[0]!.packets.includes(s.facts.length));
  assert.match(r.findings[0]!.detail, /MTU 1280/);
});

test('receiver view: a full-size hole never filled, duplicate ACKs → mtu-blackhole', () => {
  const s = new Synth();
  s.handshake();
  s.connect();
  s.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1] } });
  const start = s.nextSeq('p');
  const late = s.p({ len: 400, seq: start + 2 * 1448 });
  s.c({});
  s.c({});
  s.c({});
  s.c({ fin: true, dt: 10 });
  for (const f of s.facts) if (f.src === '10.40.40.1' && f.no > late.no) f.tcp!.ackNo = start;
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'mtu-blackhole');
  assert.ok(r.findings[0]!.packets.includes(late.no));
});

test('config mismatch: CONNECT traffic to another proxy; iprep_proxy.conf differs', () => {
  const s = new Synth('10.40.40.1', 40000, '10.20.20.2', 3128);
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  s.appData();
  s.closeByClient();
  let r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.verdict.issue, 'config-mismatch');
  assert.match(r.verdict.summary, /10\.20\.20\.2:3128/);
  r = diagnosePackets([], { proxy, fmcConfig: { host: '10.10.10.9', port: 80 } });
  assert.equal(r.verdict.issue, 'config-mismatch');
});

test('proxy name that does not resolve → proxy-dns-failure', () => {
  const facts = [
    {
      no: 1,
      time: 0,
      src: '10.40.40.1',
      dst: '10.0.0.53',
      srcPort: 5353,
      dstPort: 53,
      dns: { isResponse: false, id: 7, queryName: 'proxy.example.com' },
    },
    {
      no: 2,
      time: 0.01,
      src: '10.0.0.53',
      dst: '10.40.40.1',
      srcPort: 53,
      dstPort: 5353,
      dns: { isResponse: true, id: 7, queryName: 'proxy.example.com', rcode: 3, answerCount: 0 },
    },
  ];
  const r = diagnosePackets(facts, { proxy: { host: 'proxy.example.com', port: 8080 } });
  assert.equal(r.verdict.issue, 'proxy-dns-failure');
  assert.deepEqual(r.findings[0]!.packets, [1, 2]);
  assert.match(r.verdict.summary, /NXDOMAIN/);
});

test('most severe issue across conversations wins; findings become diagnosis expert items', () => {
  const s = new Synth();
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  s.appData();
  s.closeByClient();
  const s2 = new Synth('10.40.40.1', 48800, '10.10.10.1', 80, s);
  s2.handshake();
  s2.connect({ code: 403, phrase: 'Forbidden' });
  s2.closeByClient();
  const r = diagnosePackets(s.facts, { proxy });
  assert.equal(r.ladders.length, 2);
  assert.equal(r.verdict.issue, 'proxy-denied');
  assert.match(r.verdict.summary, /1 of 2 conversations/);
  const items = findingExpertItems(r.findings);
  const onResponse = items.get(r.findings[0]!.packets[1]!)!;
  assert.equal(onResponse[0]!.group, 'diagnosis');
  assert.equal(onResponse[0]!.id, 'proxy-denied');
});

test('no proxied traffic → nothing to judge', () => {
  const r = diagnosePackets([], { proxy });
  assert.equal(r.verdict.ok, false);
  assert.equal(r.ladders.length, 0);
});

test("the client gives up while the proxy's TLS record is incomplete → transfer-stalled, even before the idle threshold", () => {
  const s = new Synth();
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  const { res } = s.appData();
  const fin = s.c({ fin: true, dt: 1.5 });
  fin.tcp!.peerTlsRecordOpen = true;
  const r = diagnosePackets(s.facts, { proxy, stallSeconds: 10 });
  assert.equal(r.verdict.issue, 'transfer-stalled');
  const f = r.findings[0]!;
  assert.deepEqual(f.packets, [res.no, fin.no]);
  assert.match(f.detail, /middle of a TLS record/);
  // without the open record, 1.5 s of silence before a FIN is an ordinary close
  fin.tcp!.peerTlsRecordOpen = false;
  assert.equal(diagnosePackets(s.facts, { proxy, stallSeconds: 10 }).verdict.issue, 'ok');
});
