import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startLab } from '../../../src-main/core/lab/index.js';

async function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(request));
    let out = '';
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (out.includes('\r\n\r\n') && /Content-Length: (\d+)/.test(out)) {
        const len = Number(/Content-Length: (\d+)/.exec(out)![1]);
        if (out.length - out.indexOf('\r\n\r\n') - 4 >= len) s.end();
      }
    });
    s.on('close', () => resolve(out));
    s.on('error', reject);
    setTimeout(() => s.destroy(), 3000);
  });
}

test('lab proxy answers per scenario, switches scenario live, refuses non-CONNECT', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-labproxy-'));
  const lab = await startLab({ scenario: 'acl-403', dir });
  t.after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const req = 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n';
  const denied = await exchange(lab.proxyPort, req);
  assert.match(denied, /^HTTP\/1\.1 403 Forbidden\r\n/);
  assert.match(denied, /X-Squid-Error: ERR_ACCESS_DENIED 0/);
  assert.match(denied, /Content-Type: text\/html/);
  assert.match(denied, /Connection: close/);
  lab.setScenario('ntlm-only');
  const ntlm = await exchange(lab.proxyPort, req);
  assert.match(ntlm, /^HTTP\/1\.1 407 /);
  assert.deepEqual(
    [...ntlm.matchAll(/Proxy-Authenticate: (.*)\r\n/g)].map((m) => m[1]),
    ['NTLM', 'Negotiate'],
  );
  lab.setScenario('auth-digest');
  const digest = await exchange(lab.proxyPort, req);
  assert.match(
    digest,
    /Proxy-Authenticate: Digest realm="ProxyScope lab", qop="auth", algorithm=SHA-256, nonce="[^"]+", opaque="[^"]+"/,
  );
  assert.match(digest, /algorithm=MD5/);
  const get = await exchange(lab.proxyPort, 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n');
  assert.match(get, /^HTTP\/1\.1 405 /);
  assert.throws(() => lab.setScenario('nope' as never), /unknown lab scenario 'nope'/);
});
