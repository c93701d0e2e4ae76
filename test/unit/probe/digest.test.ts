import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from '../../../src-main/core/probe/auth-challenge.js';
import {
  basicAuthorization,
  buildDigestAuthorization,
  digestResponse,
  pickDigestChallenge,
} from '../../../src-main/core/probe/digest.js';

// RFC 7616 §3.9.1: the example request, answered with MD5 and with SHA-256
const rfc = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  qop: 'auth' as const,
  nc: 1,
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

test('RFC 7616 example: MD5 response', () => {
  assert.equal(digestResponse({ ...rfc, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
});

test('RFC 7616 example: SHA-256 response', () => {
  assert.equal(
    digestResponse({ ...rfc, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

test('RFC 2617 example (MD5, qop=auth) still matches', () => {
  const r = digestResponse({
    algorithm: 'MD5',
    username: 'Mufasa',
    password: 'Circle Of Life',
    realm: 'testrealm@host.com',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth',
    nc: 1,
    cnonce: '0a4f113b',
  });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('MD5-sess hashes A1 with nonce and cnonce', () => {
  const plain = digestResponse({ ...rfc, algorithm: 'MD5' });
  const sess = digestResponse({ ...rfc, algorithm: 'MD5-sess' });
  assert.notEqual(plain, sess);
  assert.match(sess, /^[0-9a-f]{32}$/);
});

test('the strongest usable challenge is picked: SHA-256 over MD5, auth-int-only is skipped', () => {
  const ch = parseChallenges(
    'Digest realm="r", nonce="n1", algorithm=MD5, qop="auth", Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth", Digest realm="r", nonce="n3", algorithm=SHA-256, qop="auth-int"',
  );
  assert.equal(pickDigestChallenge(ch)?.params.nonce, 'n2');
  assert.equal(
    pickDigestChallenge(parseChallenges('Digest realm="r", nonce="x", algorithm=SHA-1')),
    undefined,
  );
});

test('the Authorization value for CONNECT carries the authority as uri, nc, cnonce, opaque and a matching response', () => {
  const [ch] = parseChallenges('Digest realm="lab", qop="auth", algorithm=SHA-256, nonce="abc", opaque="op"');
  const auth = buildDigestAuthorization(
    ch!,
    { username: 'admin', password: 'Lab-Pass1!' },
    'CONNECT',
    'tools.cisco.com:443',
    1,
    'cn',
  );
  const [parsed] = parseChallenges(auth.header);
  assert.equal(parsed!.scheme, 'Digest');
  assert.equal(parsed!.params.uri, 'tools.cisco.com:443');
  assert.equal(parsed!.params.nc, '00000001');
  assert.equal(parsed!.params.cnonce, 'cn');
  assert.equal(parsed!.params.opaque, 'op');
  assert.equal(parsed!.params.algorithm, 'SHA-256');
  const expected = digestResponse({
    algorithm: 'SHA-256',
    username: 'admin',
    password: 'Lab-Pass1!',
    realm: 'lab',
    method: 'CONNECT',
    uri: 'tools.cisco.com:443',
    nonce: 'abc',
    qop: 'auth',
    nc: 1,
    cnonce: 'cn',
  });
  assert.equal(parsed!.params.response, expected);
  assert.ok(!auth.header.includes('Lab-Pass1!'));
});

test('Basic credentials are base64 of user:password', () => {
  assert.equal(
    basicAuthorization({ username: 'Aladdin', password: 'open sesame' }),
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
  );
});
