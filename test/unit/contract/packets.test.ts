// The packets.* methods through the dispatcher (what both transports call), on a small capture
// this test writes itself: rows, a display filter, one packet's details, the wire encoding of its
// bytes, and clear errors for a missing file, a non-capture, a bad filter and no capture open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fromWire,
  toWire,
  unwrap,
  type CaptureInfo,
  type DiagnosisJson,
  type Envelope,
  type FilterResult,
  type PacketDetail,
  type RowsPage,
} from '../../../src-main/core/api.js';
import { listSamples, Session } from '../../../src-main/core/session.js';
import { createMemorySecretStore } from '../../../src-main/core/settings.js';
import { CONNECT, connectCapture } from './capture-fixture.js';

let dir: string;
let session: Session;
let file: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-packets-'));
  file = path.join(dir, 'connect.pcap');
  writeFileSync(file, connectCapture());
  writeFileSync(path.join(dir, 'notes.txt'), 'this is not a capture file at all\n');
  session = new Session({
    transport: 'browser',
    configDir: path.join(dir, 'cfg'),
    secrets: createMemorySecretStore(),
  });
});

after(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<T>(method: string, args: unknown): Promise<T> {
  // through the WebSocket's encoding, as the browser host carries it
  const env = fromWire(toWire(await session.dispatch(method, args))) as Envelope<T>;
  return unwrap(env);
}

async function failure(method: string, args: unknown): Promise<{ code: string; message: string }> {
  const env = await session.dispatch(method, args);
  assert.equal(env.ok, false, `${method} should fail`);
  return env.ok ? { code: '', message: '' } : env.error;
}

test('packets.* before any capture is opened says so', async () => {
  assert.equal(await call('packets.status', {}), null);
  assert.equal((await failure('packets.rows', { from: 0, count: 10 })).code, 'NO_CAPTURE');
});

test('a missing file and a non-capture are refused with what went wrong', async () => {
  const missing = await failure('packets.open', { path: path.join(dir, 'nope.pcap') });
  assert.equal(missing.code, 'IO');
  assert.match(missing.message, /nope\.pcap/);
  const text = await failure('packets.open', { path: path.join(dir, 'notes.txt') });
  assert.equal(text.code, 'BAD_FILE');
  const empty = await failure('packets.open', { path: '' });
  assert.equal(empty.code, 'BAD_ARGS');
  assert.match(empty.message, /'path'/);
});

test('an opened capture gives rows, a filtered view and one packet in detail', async () => {
  const info = await call<CaptureInfo>('packets.open', { path: file });
  assert.equal(info.name, 'connect.pcap');
  // the whole file indexes in the first chunk
  const status = await call<CaptureInfo>('packets.status', {});
  assert.equal(status.packets, 4);

  const page = await call<RowsPage>('packets.rows', { from: 0, count: 100 });
  assert.equal(page.total, 4);
  assert.deepEqual(
    page.rows.map((r) => [r.no, r.src, r.dst]),
    [
      [1, '10.40.40.1', '10.10.10.1'],
      [2, '10.10.10.1', '10.40.40.1'],
      [3, '10.40.40.1', '10.10.10.1'],
      [4, '10.40.40.1', '10.10.10.1'],
    ],
  );
  assert.match(page.rows[0].info, /SYN/);
  assert.match(page.rows[3].info, /CONNECT tools\.cisco\.com:443/);

  const f = await call<FilterResult>('packets.filter', { filter: 'tcp.flags.syn == 1' });
  assert.equal(f.matched, 2);
  const syns = await call<RowsPage>('packets.rows', { filter: 'tcp.flags.syn == 1', from: 0, count: 10 });
  assert.deepEqual(
    syns.rows.map((r) => r.no),
    [1, 2],
  );
  const beyond = await call<RowsPage>('packets.rows', { filter: 'tcp.flags.syn == 1', from: 5, count: 10 });
  assert.deepEqual(beyond.rows, []);

  // Go to packet: its row in the view, or null when the filter hides it or there is no such packet
  assert.deepEqual(await call('packets.locate', { no: 4 }), { no: 4, index: 3 });
  assert.deepEqual(await call('packets.locate', { filter: 'tcp.flags.syn == 1', no: 2 }), {
    no: 2,
    index: 1,
  });
  assert.deepEqual(await call('packets.locate', { filter: 'tcp.flags.syn == 1', no: 4 }), {
    no: 4,
    index: null,
  });
  assert.deepEqual(await call('packets.locate', { no: 99 }), { no: 99, index: null });
  assert.equal((await failure('packets.locate', { no: 0 })).code, 'BAD_ARGS');

  const d = await call<PacketDetail>('packets.detail', { no: 4 });
  assert.ok(d.bytes instanceof Uint8Array, 'bytes survive the wire as bytes');
  assert.equal(d.bytes.length, 14 + 20 + 20 + CONNECT.length);
  const labels = JSON.stringify(d.tree.map((n) => n.label));
  assert.match(labels, /Internet Protocol Version 4/);
  assert.match(labels, /Transmission Control Protocol/);
  assert.equal((await failure('packets.detail', { no: 99 })).code, 'BAD_ARGS');
});

test('the wire encoding keeps bytes (Buffer or Uint8Array) and bigints', () => {
  const back = fromWire(
    toWire({ a: Buffer.from([1, 2, 255]), b: new Uint8Array([7]), n: 2n ** 70n, s: 'x' }),
  ) as { a: Uint8Array; b: Uint8Array; n: bigint; s: string };
  assert.ok(back.a instanceof Uint8Array);
  assert.deepEqual([...back.a], [1, 2, 255]);
  assert.deepEqual([...back.b], [7]);
  assert.equal(back.n, 2n ** 70n);
  assert.equal(back.s, 'x');
});

test('a bad display filter names the column', async () => {
  const bad = await failure('packets.filter', { filter: 'tcp.port ==' });
  assert.equal(bad.code, 'BAD_FILTER');
  assert.match(bad.message, /1:\d+:/);
});

test('diagnosis.run needs an open capture, then names the known issue of a sample', async (t) => {
  const none = new Session({
    transport: 'browser',
    configDir: path.join(dir, 'cfg2'),
    secrets: createMemorySecretStore(),
  });
  try {
    const env = await none.dispatch('diagnosis.run', {});
    assert.ok(!env.ok && env.error.code === 'NO_CAPTURE');
  } finally {
    none.close();
  }
  const sample = path.resolve(import.meta.dirname, '../../../resources/samples/acl-403.pcapng');
  if (!existsSync(sample)) {
    t.skip('resources/samples/acl-403.pcapng is missing (made by scripts/make-samples)');
    return;
  }
  await call('packets.open', { path: sample });
  const result = await call<DiagnosisJson>('diagnosis.run', {});
  assert.equal(result.verdict.issue, 'proxy-denied');
  assert.ok(
    result.findings.some((f) => f.packets.length > 0),
    'findings name their evidence packets',
  );
});

test('samples.list names the lab samples by absolute path, and nothing without a resources folder', (t) => {
  assert.deepEqual(listSamples(undefined), []);
  assert.deepEqual(listSamples(path.join(dir, 'nowhere')), []);
  const resources = path.resolve(import.meta.dirname, '../../../resources');
  if (!existsSync(path.join(resources, 'samples', 'index.json'))) {
    t.skip('resources/samples/index.json is missing (made by scripts/make-samples)');
    return;
  }
  const samples = listSamples(resources);
  const acl = samples.find((s) => s.scenario === 'acl-403');
  assert.ok(acl, 'acl-403 is listed');
  assert.ok(path.isAbsolute(acl.path) && existsSync(acl.path));
  assert.equal(acl.expected, 'proxy-denied');
});
