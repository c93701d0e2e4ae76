// capture.start/stop through the dispatcher on `lo`: the counters move while loopback HTTP runs,
// and on stop the capture is the open capture, its rows from the store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unwrap, type CaptureStatus, type RowsPage } from '../../../src-main/core/api.js';
import { Session } from '../../../src-main/core/session.js';
import { liveCaptureMissing } from '../../helpers/live-capture.js';
import { createMemorySecretStore } from '../../../src-main/core/settings.js';

const skip = liveCaptureMissing;

let dir: string;
let session: Session;
let server: http.Server;
let port = 0;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-capture-'));
  session = new Session({ transport: 'browser', configDir: dir, secrets: createMemorySecretStore() });
  server = http.createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  session.close();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function get(pathname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

test('capture.start without a filter or proxy says what is missing', async () => {
  const env = await session.dispatch('capture.start', { interface: 'lo' });
  assert.ok(!env.ok && env.error.code === 'NO_PROXY');
  const none = await session.dispatch('capture.stop', {});
  assert.ok(!none.ok && none.error.code === 'NO_CAPTURE');
});

test('a capture on lo counts packets and opens in the packet list when stopped', { skip }, async () => {
  const started = unwrap(
    await session.dispatch('capture.start', { interface: 'lo', filter: `tcp port ${port}` }),
  ) as CaptureStatus;
  assert.equal(started.running, true);
  assert.match(started.file, /\.pcapng$/);
  const busy = await session.dispatch('capture.start', { interface: 'lo', filter: '' });
  assert.ok(!busy.ok && busy.error.code === 'BUSY');

  // the backend may need a moment before it sees packets: send until some are counted
  let status = started;
  for (let i = 0; i < 50 && status.delivered < 10; i++) {
    await get(`/req${i}`);
    await new Promise((r) => setTimeout(r, 100));
    status = unwrap(await session.dispatch('capture.status', {})) as CaptureStatus;
  }
  assert.ok(status.delivered >= 10, `packets counted (${status.delivered})`);
  const stopped = unwrap(await session.dispatch('capture.stop', {})) as CaptureStatus;
  assert.equal(stopped.running, false);

  const page = unwrap(await session.dispatch('packets.rows', { from: 0, count: 500 })) as RowsPage;
  assert.ok(page.total >= 10);
  assert.ok(
    page.rows.some((r) => /GET \/req\d+ HTTP\/1\.1/.test(r.info)),
    'the HTTP requests are in the rows',
  );
});
