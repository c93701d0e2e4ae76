import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, parseAllChallenges } from '../../../src-main/core/probe/auth-challenge.js';

test('several challenges in one Proxy-Authenticate header, quoted commas and escapes', () => {
  const c = parseChallenges(
    'Digest realm="a, b", qop="auth,auth-int", algorithm=SHA-256, nonce="x\\"y", Basic realm="r", NTLM, Negotiate YIIabc==',
  );
  assert.deepEqual(
    c.map((x) => x.scheme),
    ['Digest', 'Basic', 'NTLM', 'Negotiate'],
  );
  assert.deepEqual(c[0]!.params, { realm: 'a, b', qop: 'auth,auth-int', algorithm: 'SHA-256', nonce: 'x"y' });
  assert.equal(c[1]!.params.realm, 'r');
  assert.equal(c[3]!.token68, 'YIIabc==');
  assert.equal(c[1]!.raw, 'Basic realm="r"');
});

test('param names are case-insensitive, whitespace around = is allowed, empty list elements are skipped', () => {
  const [d] = parseChallenges('Digest  REALM = "lab" ,, Nonce=abc , qop="auth"');
  assert.equal(d!.scheme, 'Digest');
  assert.deepEqual(d!.params, { realm: 'lab', nonce: 'abc', qop: 'auth' });
});

test('challenges spread over several headers', () => {
  const c = parseAllChallenges(['NTLM', 'Negotiate', 'Basic realm="Squid proxy-caching web server"']);
  assert.deepEqual(
    c.map((x) => x.scheme),
    ['NTLM', 'Negotiate', 'Basic'],
  );
  assert.equal(c[2]!.params.realm, 'Squid proxy-caching web server');
});

test('malformed input keeps what parsed and never throws', () => {
  assert.deepEqual(parseChallenges(''), []);
  const c = parseChallenges('Digest realm="unterminated');
  assert.equal(c[0]?.scheme, 'Digest');
  assert.doesNotThrow(() => parseChallenges('=== ,,, "'));
});
