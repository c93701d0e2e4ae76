// The demo lab through the dispatcher (no capture rights needed): lab.status lists the scenarios,
// lab.start makes probe.run work for a user with no proxy (lab CA trusted, lab user answering the
// 407 without any password from the page), lab.stop brings NO_PROXY back, and the lab's password
// never appears in a result or an event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  unwrap,
  METHOD_NAMES,
  EVENT_NAMES,
  type LabStatus,
  type MethodArgs,
  type MethodName,
  type MethodResult,
} from '../../../src-main/core/api.js';
import { LAB_CREDENTIALS } from '../../../src-main/core/lab/index.js';
import { Session } from '../../../src-main/core/session.js';
import { createMemorySecretStore } from '../../../src-main/core/settings.js';

let dir: string;
let session: Session;
const events: string[] = [];
const labEvents: LabStatus[] = [];

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-lab-contract-'));
  session = new Session({ transport: 'browser', configDir: dir, secrets: createMemorySecretStore() });
  session.onEvent((event, payload) => {
    events.push(JSON.stringify(payload));
    if (event === 'lab.changed') labEvents.push(payload as LabStatus);
  });
});

after(async () => {
  await session.lab.close();
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  return unwrap(await session.dispatch(method, args)) as MethodResult<M>;
}

test('the lab methods and events are in the contract', () => {
  for (const m of ['lab.start', 'lab.stop', 'lab.status', 'probe.capture', 'probe.last'])
    assert.ok(METHOD_NAMES.includes(m as MethodName), m);
  for (const e of ['lab.changed', 'probe.verdict']) assert.ok((EVENT_NAMES as string[]).includes(e), e);
});

test('a new user: no lab, no proxy, no verdict yet', async () => {
  const status = await call('lab.status', {});
  assert.equal(status.running, false);
  assert.deepEqual(status.target, { host: 'tools.cisco.com', port: 443 });
  assert.equal(status.scenarios.length, 12);
  assert.equal(status.scenarios.find((s) => s.name === 'auth-digest')?.credentials, true);
  assert.equal(await call('probe.last', {}), null);
  const env = await session.dispatch('probe.run', {});
  assert.ok(!env.ok && env.error.code === 'NO_PROXY');
  assert.match(env.error.hint ?? '', /demo lab/);
  const cap = await session.dispatch('probe.capture', { interface: 'lo' });
  assert.ok(!cap.ok && cap.error.code === 'NO_PROXY');
});

test('with the lab on, the probe works on it: acl-403, then auth-digest with the lab user', async () => {
  const on = await call('lab.start', { scenario: 'acl-403' });
  assert.equal(on.running, true);
  assert.equal(labEvents.at(-1)?.scenario, 'acl-403');
  const denied = await call('probe.run', {});
  assert.equal(denied.verdict.issue, 'proxy-denied');
  assert.equal(denied.proxy.port, on.proxy?.port);

  await call('lab.start', { scenario: 'auth-digest' });
  const digest = await call('probe.run', {});
  assert.equal(digest.verdict.issue, 'ok', digest.verdict.summary);
  assert.equal(digest.tls?.trusted, true, 'the lab CA is trusted');
  assert.ok(!JSON.stringify(digest).includes(LAB_CREDENTIALS.password), 'no password in the result');

  const off = await call('lab.stop', {});
  assert.equal(off.running, false);
  const env = await session.dispatch('probe.run', {});
  assert.ok(!env.ok && env.error.code === 'NO_PROXY');
  assert.ok(!events.some((e) => e.includes(LAB_CREDENTIALS.password)), 'no password in any event');
});
