// The probe's Basic and Digest (RFC 7616) against a real Squid from Debian, started with its own
// config on 127.0.0.1; tools.cisco.com resolves to 127.0.0.1 through Squid's hosts_file and the
// tunnel goes to the lab origin's port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { LAB_CREDENTIALS, startLab, type Lab } from '../../../src-main/core/lab/index.js';
import { runProbe } from '../../../src-main/core/probe/index.js';

const SQUID = '/usr/sbin/squid';
const HELPERS = '/usr/lib/squid';
let skip: string | false = false;
let squid: ChildProcess | undefined;
let lab: Lab | undefined;
let dir = '';
let port = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitListening(p: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(p, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

before(async () => {
  if (!existsSync(SQUID)) skip = 'squid is not installed (Debian: apt-get install squid)';
  else if (!existsSync(`${HELPERS}/digest_file_auth`) || !existsSync(`${HELPERS}/basic_ncsa_auth`))
    skip = 'squid auth helpers digest_file_auth / basic_ncsa_auth are missing';
  else if (!existsSync('/usr/bin/htpasswd')) skip = 'htpasswd (apache2-utils) is missing';
  if (skip) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-squid-auth-'));
  chmodSync(dir, 0o777); // squid drops to its own user and must write its logs here
  lab = await startLab({ dir: path.join(dir, 'certs') });
  port = await freePort();
  writeFileSync(path.join(dir, 'digest.pw'), `${LAB_CREDENTIALS.username}:${LAB_CREDENTIALS.password}\n`, {
    mode: 0o644,
  });
  const { spawnSync } = await import('node:child_process');
  spawnSync(
    '/usr/bin/htpasswd',
    ['-bc', path.join(dir, 'basic.pw'), LAB_CREDENTIALS.username, LAB_CREDENTIALS.password],
    { stdio: 'ignore' },
  );
  chmodSync(path.join(dir, 'basic.pw'), 0o644);
  writeFileSync(path.join(dir, 'hosts'), '127.0.0.1 tools.cisco.com\n');
  writeFileSync(
    path.join(dir, 'squid.conf'),
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${dir}/squid.pid`,
      `cache_log ${dir}/cache.log`,
      `access_log ${dir}/access.log`,
      'cache deny all',
      'cache_mem 8 MB',
      `coredump_dir ${dir}`,
      `hosts_file ${dir}/hosts`,
      'dns_nameservers 127.0.0.1',
      `auth_param digest program ${HELPERS}/digest_file_auth ${dir}/digest.pw`,
      'auth_param digest realm proxyscope-test',
      `auth_param basic program ${HELPERS}/basic_ncsa_auth ${dir}/basic.pw`,
      'acl authed proxy_auth REQUIRED',
      'http_access allow authed',
      'http_access deny all',
      'shutdown_lifetime 0 seconds',
      '',
    ].join('\n'),
  );
  squid = spawn(SQUID, ['-N', '-f', path.join(dir, 'squid.conf')], { stdio: 'ignore' });
  if (!(await waitListening(port, 15_000))) {
    const log = existsSync(path.join(dir, 'cache.log'))
      ? readFileSync(path.join(dir, 'cache.log'), 'utf8').slice(-500)
      : '';
    skip = `squid did not start: ${log}`;
  }
});

after(async () => {
  if (squid && squid.exitCode === null) {
    squid.kill('SIGTERM');
    await Promise.race([once(squid, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    if (squid.exitCode === null) squid.kill('SIGKILL');
  }
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
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
