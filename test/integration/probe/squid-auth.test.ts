// The probe's Basic and Digest (RFC 7616) against a real Squid from Debian, started with its own
// config on 127.0.0.1; tools.cisco.com resolves to 127.0.0.1 through Squid's hosts_file and the
// tunnel goes to the lab origin's port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { LAB_CREDENTIALS, startLab, type Lab } from '../../../src-main/core/lab/index.js';
import { runProbe } from '../../../src-main/core/probe/index.js';
import {
  BASIC_HELPER,
  DIGEST_HELPER,
  squidUnavailable,
  startSquid,
  type Squid,
} from '../../helpers/squid.js';

let skip: string | false = false;
let squid: Squid | undefined;
let lab: Lab | undefined;
let port = 0;
let certDir = '';

before(async () => {
  skip = squidUnavailable() ?? false;
  if (!skip && (!existsSync(DIGEST_HELPER) || !existsSync(BASIC_HELPER)))
    skip = 'squid auth helpers digest_file_auth / basic_ncsa_auth are missing';
  else if (!skip && !existsSync('/usr/bin/htpasswd')) skip = 'htpasswd (apache2-utils) is missing';
  if (skip) return;
  certDir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-squid-auth-'));
  lab = await startLab({ dir: certDir });
  const { username, password } = LAB_CREDENTIALS;
  const basic = spawnSync('/usr/bin/htpasswd', ['-nb', username, password], { encoding: 'utf8' });
  try {
    squid = await startSquid({
      files: { 'digest.pw': `${username}:${password}\n`, 'basic.pw': basic.stdout.trim() + '\n' },
      hosts: ['127.0.0.1 tools.cisco.com'],
      sslPorts: [lab.originPort],
      access: [
        `auth_param digest program ${DIGEST_HELPER} %DIR%/digest.pw`,
        'auth_param digest realm proxyscope-test',
        `auth_param basic program ${BASIC_HELPER} %DIR%/basic.pw`,
        'acl authed proxy_auth REQUIRED',
        'http_access allow authed',
      ],
    });
    port = squid.port;
  } catch (e) {
    skip = `squid did not start: ${e instanceof Error ? e.message : String(e)}`;
  }
});

after(async () => {
  await squid?.stop();
  await lab?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

for (const auth of ['digest', 'basic'] as const) {
  test(`Squid ${auth}: right → ok (download on a second, preemptively authenticated tunnel), wrong → proxy-auth-failed, none → proxy-auth-required`, async (t) => {
    if (skip) return t.skip(skip);
    const base = {
      proxy: { host: '127.0.0.1', port },
      target: { host: 'tools.cisco.com', port: lab!.originPort },
      extraCa: lab!.caPem,
      auth,
      largeRequestTest: false,
    };
    const right = await runProbe({
      ...base,
      credentials: { ...LAB_CREDENTIALS },
      download: `https://tools.cisco.com:${lab!.originPort}/download?size=100000`,
    });
    assert.equal(right.verdict.issue, 'ok', right.transcript);
    assert.equal(right.connect?.auth?.scheme, auth);
    assert.equal(right.download?.bytes, 100000);
    assert.ok(!JSON.stringify(right).includes(LAB_CREDENTIALS.password));
    const wrong = await runProbe({
      ...base,
      credentials: { username: LAB_CREDENTIALS.username, password: 'not-the-password' },
    });
    assert.equal(wrong.verdict.issue, 'proxy-auth-failed');
    const none = await runProbe(base);
    assert.equal(none.verdict.issue, 'proxy-auth-required');
    assert.deepEqual(none.connect?.offeredSchemes.map((s) => s.toLowerCase()).sort(), ['basic', 'digest']);
  });
}
