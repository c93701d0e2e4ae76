// probe.run through the dispatcher against the built-in lab proxy on loopback: it needs a proxy in
// Setup, answers with the probe's verdict, streams stage events, and never echoes the password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unwrap, type ProbeResult, type ProbeStage } from '../../../src-main/core/api.js';
import { Session } from '../../../src-main/core/session.js';
import { createMemorySecretStore } from '../../../src-main/core/settings.js';
import { startLab, type Lab } from '../../../src-main/core/lab/index.js';

const PASSWORD = 'probe-Secret-42';
let dir: string;
let lab: Lab;
let session: Session;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-probe-'));
  lab = await startLab({ dir: path.join(dir, 'lab'), scenario: 'acl-403' });
  session = new Session({
    transport: 'browser',
    configDir: path.join(dir, 'cfg'),
    secrets: createMemorySecretStore(),
  });
});

after(async () => {
  session?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('probe.run without a proxy in Setup says what to fill in', async () => {
  const env = await session.dispatch('probe.run', {});
  assert.ok(!env.ok);
  if (!env.ok) {
    assert.equal(env.error.code, 'NO_PROXY');
    assert.match(env.error.hint ?? '', /Setup/);
  }
  const bad = await session.dispatch('probe.run', { target: { host: 'x', port: 0 } });
  assert.ok(!bad.ok && bad.error.code === 'BAD_ARGS' && /target\.port/.test(bad.error.message));
});

test('probe.run against the lab proxy gives its verdict and stage events', async () => {
  unwrap(
    await session.dispatch('settings.set', {
      proxy: {
        enabled: true,
        host: '127.0.0.1',
        port: lab.proxyPort,
        useAuth: true,
        username: 'fmc',
        rememberPassword: false,
      },
    }),
  );
  const stages: ProbeStage[] = [];
  const off = session.onEvent((name, payload) => {
    if (name === 'probe.stage') stages.push(payload as ProbeStage);
  });
  try {
    const result = unwrap(await session.dispatch('probe.run', { password: PASSWORD })) as ProbeResult;
    assert.equal(result.verdict.issue, 'proxy-denied');
    assert.equal(result.connect?.status, 403);
    assert.ok(
      stages.some((s) => s.name === 'connect-response'),
      'stage events arrive while it runs',
    );
    assert.ok(!JSON.stringify(result).includes(PASSWORD), 'the password never comes back');
  } finally {
    off();
  }
});
