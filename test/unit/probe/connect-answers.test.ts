// How the probe judges a proxy's answer to CONNECT, against a tiny fake proxy on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProbe } from '../../../src-main/core/probe/index.js';
import { fakeProxy } from '../../helpers/fake-proxy.js';

const cases: Array<[string, string | null, string]> = [
  ['403 without marker', 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', 'proxy-denied'],
  [
    '502 with ERR_ACCESS_DENIED',
    'HTTP/1.1 502 Bad Gateway\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 0\r\n\r\n',
    'proxy-denied',
  ],
  ['502 without marker', 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n', 'proxy-upstream-failure'],
  ['503', 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n', 'proxy-upstream-failure'],
  [
    '302 captive portal',
    'HTTP/1.1 302 Found\r\nLocation: http://portal/\r\nContent-Length: 0\r\n\r\n',
    'proxy-denied',
  ],
  ['401 instead of 407', 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n', 'proxy-auth-required'],
  [
    '407 Basic, no credentials',
    'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n',
    'proxy-auth-required',
  ],
  ['HTTP/1.0 answer, close-delimited body', 'HTTP/1.0 403 Forbidden\r\n\r\n<html>no</html>', 'proxy-denied'],
  ['not HTTP at all', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', 'proxy-unreachable'],
  ['RST after CONNECT', 'RST', 'proxy-unreachable'],
  [
    '200, then plain HTTP instead of TLS',
    'HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\n',
    'tls-handshake-failed',
  ],
];

for (const [name, answer, issue] of cases) {
  test(`CONNECT answered with ${name} → ${issue}`, async (t) => {
    const port = await fakeProxy(answer, t);
    const r = await runProbe({
      proxy: { host: '127.0.0.1', port },
      largeRequestTest: false,
      timeouts: { response: 2000 },
    });
    assert.equal(r.verdict.issue, issue, r.verdict.summary);
    assert.equal(r.verdict.ok, false);
  });
}

test('silence after CONNECT → proxy-upstream-failure with the timeout named', async (t) => {
  const port = await fakeProxy(null, t);
  const r = await runProbe({
    proxy: { host: '127.0.0.1', port },
    largeRequestTest: false,
    timeouts: { response: 300 },
  });
  assert.equal(r.verdict.issue, 'proxy-upstream-failure');
  assert.match(r.verdict.summary, /no answer to CONNECT/);
});
