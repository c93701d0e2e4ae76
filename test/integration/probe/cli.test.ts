// The CLI end to end: `proxyscope lab` in a child, its first line, then `proxyscope probe` against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, cliNodeArgs, runCli } from '../../helpers/cli.js';
import { once } from 'node:events';

let lab: ChildProcessWithoutNullStreams;
let proxy = '';
let caPath = '';
let dir = '';
let labOut = '';

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-cli-lab-'));
  lab = spawn(process.execPath, cliNodeArgs(['lab', '--scenario', 'healthy', '--dir', dir]), {
    cwd: REPO_ROOT,
  });
  lab.stdout.setEncoding('utf8');
  lab.stderr.resume();
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`lab printed no first line; stdout so far: ${labOut}`)),
      30_000,
    );
    lab.stdout.on('data', (d: string) => {
      labOut += d;
      const nl = labOut.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(labOut.slice(0, nl));
      }
    });
    lab.once('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
  });
  const m = /^PROXY=(127\.0\.0\.1:\d+) CA=(.+)$/.exec(first);
  assert.ok(m, `first line must be PROXY=127.0.0.1:PORT CA=PATH, got ${JSON.stringify(first)}`);
  proxy = m[1]!;
  caPath = m[2]!;
});

after(async () => {
  if (lab && lab.exitCode === null) {
    lab.kill('SIGTERM');
    await Promise.race([once(lab, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    if (lab.exitCode === null) lab.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

async function switchTo(scenario: string): Promise<void> {
  const before = labOut.length;
  lab.stdin.write(`${scenario}\n`);
  const deadline = Date.now() + 10_000;
  while (!labOut.slice(before).includes(`Scenario: ${scenario}`)) {
    if (Date.now() > deadline) throw new Error(`lab did not switch to ${scenario}: ${labOut.slice(before)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

test('lab --help lists every scenario; the lab CA file is PEM', async () => {
  const r = await cli(['lab', '--help']);
  assert.equal(r.code, 0);
  for (const s of [
    'healthy',
    'acl-403',
    'ntlm-only',
    'reset-on-large-segment',
    'tls-intercept',
    'slow-proxy',
  ])
    assert.match(r.stdout, new RegExp(`^  ${s} `, 'm'));
  assert.match(caPath, /lab-ca\.pem$/);
});

test('probe --ca --json against a healthy lab: exit 0 and the JSON shape', async () => {
  await switchTo('healthy');
  const r = await cli(['probe', '--proxy', proxy, '--ca', caPath, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const j = JSON.parse(r.stdout) as {
    verdict: { issue: string; ok: boolean; summary: string };
    stages: Array<{ name: string; status: string; ms: number; detail: string }>;
    findings: unknown[];
    transcript: string;
    localPorts: number[];
  };
  // summaryKo: the Korean twin of summary (for the UI); the human output stays English
  assert.deepEqual(Object.keys(j.verdict).sort(), ['issue', 'ok', 'summary', 'summaryKo']);
  assert.equal(j.verdict.issue, 'ok');
  assert.equal(j.verdict.ok, true);
  assert.ok(
    Array.isArray(j.stages) &&
      j.stages.every(
        (s) =>
          typeof s.name === 'string' &&
          ['ok', 'failed', 'skipped'].includes(s.status) &&
          typeof s.ms === 'number',
      ),
  );
  assert.ok(Array.isArray(j.findings));
  assert.match(j.transcript, /^< HTTP\/1\.1 200 Connection established$/m);
  assert.ok(j.localPorts.length > 0);
});

test('probe against acl-403 and ntlm-only: exit 2 with the verdict and what to do', async () => {
  await switchTo('acl-403');
  let r = await cli(['probe', '--proxy', proxy, '--ca', caPath, '--json']);
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stdout).verdict.issue, 'proxy-denied');
  await switchTo('ntlm-only');
  r = await cli(['probe', '--proxy', proxy, '--ca', caPath]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^Verdict: proxy-auth-unsupported$/m);
  assert.match(r.stdout, /the FMC cannot authenticate to this proxy/);
  assert.match(r.stdout, /^Next steps:$/m);
  assert.match(r.stdout, /curl .*-x http:\/\/127\.0\.0\.1:\d+ -I https:\/\/tools\.cisco\.com/);
});

test('probe --lang ko prints the probe in Korean: stages, verdict, next steps', async () => {
  await switchTo('acl-403');
  const r = await cli(['probe', '--proxy', proxy, '--ca', caPath, '--lang', 'ko']);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^판정: proxy-denied$/m);
  const verdictLine = r.stdout.split('\n')[r.stdout.split('\n').findIndex((l) => l.startsWith('판정:')) + 1];
  assert.match(verdictLine, /[\uac00-\ud7a3]/, `Korean verdict summary, got ${verdictLine}`);
  assert.match(verdictLine, /403/);
  assert.match(r.stdout, /connect-response .*[\uac00-\ud7a3]/);
  assert.match(r.stdout, /^다음 단계:$/m);
  assert.doesNotMatch(r.stdout, /^Verdict:/m);
});

test('probe with credentials from the environment: ok, and -v transcript masks them', async () => {
  await switchTo('auth-digest');
  const r = await cli(
    ['probe', '--proxy', proxy, '--ca', caPath, '--user', 'admin', '--password-env', 'LAB_PASS', '-v'],
    { LAB_PASS: 'Lab-Pass1!' },
  );
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^> Proxy-Authorization: Digest \[redacted\]$/m);
  assert.ok(!r.stdout.includes('Lab-Pass1!') && !r.stderr.includes('Lab-Pass1!'));
  const wrong = await cli(
    ['probe', '--proxy', proxy, '--ca', caPath, '--user', 'admin', '--password-env', 'LAB_PASS', '--json'],
    { LAB_PASS: 'nope-nope' },
  );
  assert.equal(wrong.code, 2);
  assert.equal(JSON.parse(wrong.stdout).verdict.issue, 'proxy-auth-failed');
});

test('--fmc-conf: a differing iprep_proxy.conf → config-mismatch; a malformed one → exit 1 with line', async () => {
  await switchTo('healthy');
  const conf = path.join(dir, 'iprep_proxy.conf');
  writeFileSync(conf, 'iprep_proxy {\nPROXY_HOST 10.10.10.1;\nPROXY_PORT 80;\n}\n');
  let r = await cli(['probe', '--proxy', proxy, '--ca', caPath, '--fmc-conf', conf, '--json']);
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stdout).verdict.issue, 'config-mismatch');
  writeFileSync(conf, 'iprep_proxy {\nPROXY_HOST 10.10.10.1\n}\n');
  r = await cli(['probe', '--proxy', proxy, '--fmc-conf', conf]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /iprep_proxy\.conf:2: error: expected `;` at the end of the PROXY_HOST entry/);
});

test('bad usage → exit 1 with a clear message', async () => {
  for (const [args, msg] of [
    [['probe'], /--proxy HOST:PORT is required/],
    [['probe', '--proxy', 'nohost'], /--proxy needs HOST:PORT/],
    [['probe', '--proxy', '127.0.0.1:99999'], /out of range/],
    [['probe', '--proxy', proxy, '--user', 'admin'], /--password-env VAR/],
    [['probe', '--proxy', proxy, '--password', 'x'], /environment variable/],
    [['probe', '--proxy', proxy, '--auth', 'ntlm'], /basic or digest/],
    [['probe', '--proxy', proxy, '--ca', path.join(dir, 'missing.pem')], /cannot read/],
    [['lab', '--scenario', 'nope'], /unknown scenario 'nope'/],
  ] as Array<[string[], RegExp]>) {
    const r = await cli(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, msg, args.join(' '));
  }
});

test('probe --capture lo --json: packet evidence attached and agreeing (root only)', async (t) => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return t.skip('live capture on lo needs root on Linux');
  await switchTo('acl-403');
  const file = path.join(dir, 'cli-capture.pcapng');
  const r = await cli([
    'probe',
    '--proxy',
    proxy,
    '--ca',
    caPath,
    '--capture',
    'lo',
    '--write',
    file,
    '--json',
  ]);
  assert.equal(r.code, 2, r.stderr);
  const j = JSON.parse(r.stdout) as {
    verdict: { issue: string };
    capture: {
      available: boolean;
      agrees?: boolean;
      verdict?: { issue: string };
      file?: string;
      findings: Array<{ id: string; packets: number[] }>;
    };
  };
  if (!j.capture.available) return t.skip(`capture not available here: ${JSON.stringify(j.capture)}`);
  assert.equal(j.capture.verdict?.issue, 'proxy-denied');
  assert.equal(j.capture.agrees, true);
  assert.ok(j.capture.findings.some((f) => f.id === 'proxy-denied' && f.packets.length > 0));
  assert.equal(j.capture.file, file);
  assert.ok(existsSync(file));
});
