// Memory stays bounded whatever the traffic: with a consumer slower than the capture, the queue
// drops the OLDEST batches, counts them, and what the consumer gets is the newest traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedBatchQueue } from '../../../src-main/core/capture/batch-queue.js';
import { startCapture } from '../../../src-main/core/capture/index.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import { skipUnlessRootLinux, udpFirstWord, udpSender, waitFor } from './helpers.js';

function batch(id: number, n: number): { packets: RawPacket[]; bytes: number } {
  const packets = Array.from({ length: n }, (_, i) => ({
    tsSec: id,
    tsNsec: i,
    capturedLength: 1,
    originalLength: 1,
    interfaceId: 0,
    linkType: 1,
    data: new Uint8Array([id]),
    dataOffset: -1,
  }));
  return { packets, bytes: n * 100 };
}

test('bounded queue: drops the oldest batch first and counts its packets', () => {
  const q = new BoundedBatchQueue(3, 1_000_000);
  for (let id = 1; id <= 5; id++) q.push(batch(id, 10));
  assert.equal(q.length, 3);
  assert.equal(q.droppedBatches, 2);
  assert.equal(q.droppedPackets, 20);
  assert.deepEqual(
    [q.shift()!.packets[0]!.tsSec, q.shift()!.packets[0]!.tsSec, q.shift()!.packets[0]!.tsSec],
    [3, 4, 5],
  );
  assert.equal(q.shift(), undefined);
  // the byte bound works the same way, and never drops the batch just pushed
  const b = new BoundedBatchQueue(100, 2500);
  for (let id = 1; id <= 4; id++) b.push(batch(id, 10)); // 1000 bytes each
  assert.equal(b.length, 2);
  assert.equal(b.bytes, 2000);
  const big = new BoundedBatchQueue(100, 10);
  big.push(batch(9, 10));
  assert.equal(big.length, 1);
});

test(
  'slow consumer during a live capture: queue drops are counted, received = delivered + dropped, newest kept',
  { skip: skipUnlessRootLinux(), timeout: 60000 },
  async () => {
    const udp = await udpSender();
    const got: number[] = [];
    const session = await startCapture({
      interface: 'lo',
      backend: 'cap',
      filter: `udp port ${udp.port}`,
      maxQueuedBatches: 2,
      // a consumer that takes 100 ms per batch: far slower than the traffic
      onBatch: async (packets) => {
        for (const p of packets) got.push(udpFirstWord(p.data));
        await new Promise((r) => setTimeout(r, 100));
      },
    });
    try {
      const total = 3000;
      for (let from = 0; from < total; from += 200) {
        await udp.send(200, 32, from);
        await new Promise((r) => setTimeout(r, 30));
      }
      await waitFor(() => got.includes(total - 1), 20000, 'the last packet to reach the consumer');
      const s = await session.stop();
      assert.ok(s.droppedByQueue > 0, 'the slow consumer made the queue drop');
      assert.equal(s.received, s.delivered + s.droppedByQueue);
      assert.equal(got.length, s.delivered);
      // what was kept is in order, and the newest packet made it
      for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!);
      assert.equal(got.at(-1), total - 1);
    } finally {
      await session.stop();
      udp.close();
    }
  },
);
