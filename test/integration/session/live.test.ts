// The packet list grows while a capture runs (rows readable before stop), and the demo lab drives
// "capture while probing": the joined verdict of probe and packets, with evidence frames that are
// rows of the open capture.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  unwrap,
  type CaptureInfo,
  type MethodArgs,
  type MethodName,
  type MethodResult,
} from '../../../src-main/core/api.js';
import { Session } from '../../../src-main/core/session.js';
import { liveCaptureMissing } from '../../helpers/live-capture.js';
import { createMemorySecretStore } from '../../../src-main/core/settings.js';

const skip = liveCaptureMissing;

let dir: string;
let session: Session;
let server: http.Server;
let port = 0;
const progress: CaptureInfo[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-live-'));
  session = new Session({ transport: 'browser', configDir: dir, secrets: createMemorySecretStore() });
  session.onEvent((event, payload) => {
    if (event === 'packets.progress') progress.push(payload as CaptureInfo);
  });
  server = http.createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await session.lab.close();
  session.close();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** a typed dispatch: the data, or the thrown ApiError */
async function call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  return unwrap(await session.dispatch(method, args)) as MethodResult<M>;
}

function get(): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

test('rows of a running capture are in the packet list before it stops', { skip }, async () => {
  const started = await call('capture.start', { interface: 'lo', filter: `tcp port ${port}` });
  try {
    const open = await call('packets.status', {});
    assert.equal(open?.path, started.file, 'the capture is the open capture from its start');
    let total = 0;
    for (let i = 0; i < 100 && total < 10; i++) {
      await get();
      await new Promise((r) => setTimeout(r, 50));
      total = (await call('packets.rows', { filter: '', from: 0, count: 50 })).total;
    }
    assert.ok(total >= 10, `rows while capturing (got ${total})`);
    assert.equal((await call('capture.status', {}))?.running, true, 'still capturing');
    const page = await call('packets.rows', { filter: 'tcp.flags.syn == 1', from: 0, count: 10 });
    assert.ok(page.rows.length > 0 && page.rows[0].info.includes('[SYN'), 'rows are dissected packets');
    assert.ok(
      progress.some((p) => p.path === started.file && p.packets > 0 && !p.complete),
      'progress while live',
    );
  } finally {
    await session.dispatch('capture.stop', {});
  }
  const info = await call('packets.status', {});
  assert.equal(info?.complete, true);
  assert.ok((info?.packets ?? 0) >= 10);
});

test(
  'the demo lab: status lists the 12 scenarios; probe.capture on acl-403 is proxy-denied with evidence',
  { skip },
  async () => {
    const off = await call('lab.status', {});
    assert.equal(off.running, false);
    assert.equal(off.scenarios.length, 12);
    assert.equal(off.scenarios.find((s) => s.name === 'acl-403')?.issue, 'proxy-denied');

    const on = await call('lab.start', { scenario: 'acl-403' });
    assert.equal(on.running, true);
    assert.ok(on.proxy && on.proxy.host === '127.0.0.1' && on.proxy.port > 0);

    const r = await call('probe.capture', { interface: on.interface });
    assert.equal(r.probe.verdict.issue, 'proxy-denied');
    assert.equal(r.verdict.issue, 'proxy-denied');
    assert.equal(r.verdict.agreement, 'agree', r.verdict.agreementText);
    assert.equal(r.lab, 'acl-403');
    const evidence = r.findings.find((f) => f.id === 'proxy-denied');
    assert.ok(evidence && evidence.packets.length > 0, 'evidence frames');
    // the evidence frames are rows of the open capture (the one just made)
    const open = await call('packets.status', {});
    assert.equal(open?.path, r.capture?.file);
    const detail = await call('packets.detail', { no: evidence.packets[0] });
    assert.equal(detail.summary.no, evidence.packets[0]);
    assert.deepEqual((await call('probe.last', {}))?.verdict.issue, 'proxy-denied');
  },
);

test(
  'a capture that cannot start does not stop the probe: its verdict, the error and the fix',
  { skip },
  async () => {
    await call('lab.start', { scenario: 'acl-403' });
    const r = await call('probe.capture', { interface: 'no-such-if0' });
    assert.equal(r.capture, null);
    assert.equal(r.captureError?.code, 'CAPTURE');
    assert.match(r.captureError?.message ?? '', /no-such-if0/);
    assert.equal(r.verdict.issue, 'proxy-denied', 'the probe still judged');
    assert.equal(r.verdict.source, 'probe');
    assert.equal(r.verdict.agreement, 'disagree');
    assert.equal(r.findings.length, 0);
  },
);

test('switching the lab to healthy gives ok; lab.stop ends it', { skip }, async () => {
  await call('lab.start', { scenario: 'healthy' });
  const r = await call('probe.capture', { interface: 'lo' });
  assert.equal(r.verdict.issue, 'ok', r.verdict.summary);
  assert.equal(r.verdict.ok, true);
  const stopped = await call('lab.stop', {});
  assert.equal(stopped.running, false);
  const env = await session.dispatch('probe.run', {});
  assert.ok(!env.ok && env.error.code === 'NO_PROXY', 'no lab, no proxy');
});

test('lab.start refuses an unknown scenario by name', async () => {
  const env = await session.dispatch('lab.start', { scenario: 'nope' as never });
  assert.ok(!env.ok && env.error.code === 'BAD_ARGS');
  assert.match(env.error.message, /scenario/);
});
