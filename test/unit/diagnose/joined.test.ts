import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinVerdict } from '../../../src-main/core/diagnose/joined.js';
import { Synth } from './synth.js';

const proxy = { host: '10.10.10.1', port: 80, addresses: ['10.10.10.1'] };

function healthy(port = 48716, shared?: Synth) {
  const s = new Synth('10.40.40.1', port, '10.10.10.1', 80, shared);
  s.handshake();
  s.connect();
  s.tlsHandshake13();
  s.appData();
  s.closeByClient();
  return s;
}

test('same issue from both views → agree, evidence frames named', () => {
  const s = new Synth();
  s.handshake();
  s.connect({ code: 403, phrase: 'Forbidden' });
  s.closeByClient();
  const j = joinVerdict(
    { verdict: { issue: 'proxy-denied', ok: false, summary: '403' }, localPorts: [48716], proxy },
    s.facts,
  );
  assert.equal(j.verdict.issue, 'proxy-denied');
  assert.equal(j.verdict.agreement, 'agree');
  assert.equal(j.verdict.source, 'both');
  assert.match(j.verdict.agreementText, /frames 4, 5/);
});

test("only the probe's local ports count", () => {
  const s = healthy(48716);
  const other = new Synth('10.40.40.1', 50000, '10.10.10.1', 80, s);
  other.handshake();
  other.connect({ code: 403 });
  const j = joinVerdict(
    { verdict: { issue: 'ok', ok: true, summary: 'fine' }, localPorts: [48716], proxy },
    s.facts,
  );
  assert.equal(j.diagnosis.ladders.length, 1);
  assert.equal(j.verdict.issue, 'ok');
  assert.equal(j.verdict.agreement, 'agree');
});

test('what packets cannot see (origin error, TLS 1.3 interception) is not a disagreement', () => {
  for (const issue of ['origin-http-error', 'tls-intercepted'] as const) {
    const s = healthy();
    const j = joinVerdict(
      { verdict: { issue, ok: false, summary: 'x' }, localPorts: [48716], proxy },
      s.facts,
    );
    assert.equal(j.verdict.issue, issue);
    assert.equal(j.verdict.agreement, 'agree');
    assert.match(j.verdict.agreementText, /only the probe/);
  }
});

test('different issues → disagree, said explicitly, the more severe wins', () => {
  const s = new Synth();
  s.handshake(1460, 1300);
  s.connect();
  s.c({ len: 1440 });
  s.p({ rst: true });
  const j = joinVerdict(
    {
      verdict: { issue: 'tls-handshake-failed', ok: false, summary: 'reset in TLS' },
      localPorts: [48716],
      proxy,
    },
    s.facts,
  );
  assert.equal(j.verdict.agreement, 'disagree');
  assert.equal(j.verdict.issue, 'mtu-blackhole');
  assert.equal(j.verdict.source, 'packets');
  assert.match(
    j.verdict.agreementText,
    /probe says "tls-handshake-failed" but the packets say "mtu-blackhole"/,
  );
});

test("nothing captured → disagree with the reason; the probe's issue stands", () => {
  const j = joinVerdict(
    { verdict: { issue: 'proxy-auth-failed', ok: false, summary: 'x' }, localPorts: [1234], proxy },
    [],
  );
  assert.equal(j.verdict.issue, 'proxy-auth-failed');
  assert.equal(j.verdict.agreement, 'disagree');
  assert.match(j.verdict.agreementText, /No packets/);
});
