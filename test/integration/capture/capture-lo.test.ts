// Live capture on lo with each backend: what the test sent is what was captured, and the pcapng
// written on the way reads back with the same count in our reader and in tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCapture, listInterfaces, type BackendName } from '../../../src-main/core/capture/index.js';
import { readCaptureFileSync } from '../../../src-main/core/pcap/file-reader.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import {
  ACK,
  FIN,
  SYN,
  echoOnce,
  parseEthIpv4Tcp,
  skipUnlessRootLinux,
  startEchoServer,
  tshark,
  tsharkCount,
  waitFor,
  type TcpSegment,
  presentBackends,
} from './helpers.js';

const skip = skipUnlessRootLinux();
const CONNECTIONS = 4;
const BYTES = [100, 1000, 5000, 20000];

for (const backend of ['cap', 'tcpdump', 'dumpcap'] as BackendName[]) {
  const why = skip || (!presentBackends.has(backend) && `${backend} is not installed`);
  test(
    `capture on lo with ${backend}: packets and 5-tuples match the connections made; the pcapng reads back`,
    { skip: why, timeout: 60000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `proxyscope-cap-${backend}-`));
      const server = await startEchoServer();
      const file = path.join(dir, 'lo.pcapng');
      const seen: TcpSegment[] = [];
      const batches: RawPacket[][] = [];
      const session = await startCapture({
        interface: 'lo',
        backend,
        filter: `tcp port ${server.port}`,
        writePath: file,
        onBatch: (packets) => {
          batches.push(packets);
          for (const p of packets) {
            const s = parseEthIpv4Tcp(p.data);
            if (s) seen.push(s);
          }
        },
      });
      // a consumer (the store) can read each packet back from the file as soon as it gets it
      let readBackMismatches = 0;
      let readBackChecked = 0;
      session.onBatch((packets, info) => {
        assert.equal(info.file, file);
        const fd = openSync(file, 'r');
        try {
          for (const p of packets) {
            assert.ok(info.fileBytes >= p.dataOffset + p.capturedLength, 'fileBytes covers the batch');
            const back = Buffer.alloc(p.capturedLength);
            readSync(fd, back, 0, back.length, p.dataOffset);
            readBackChecked++;
            if (!back.equals(p.data)) readBackMismatches++;
          }
        } finally {
          closeSync(fd);
        }
      });
      try {
        assert.equal(session.backend, backend);
        assert.equal(session.linkType, 1, 'lo captures as Ethernet');
        const clientPorts: number[] = [];
        for (let i = 0; i < CONNECTIONS; i++) clientPorts.push(await echoOnce(server.port, BYTES[i]!));
        // both FINs of every connection have arrived (the last packets of a clean close)
        const fins = (): number => seen.filter((s) => s.flags & FIN).length;
        await waitFor(() => fins() >= 2 * CONNECTIONS, 10000, 'the FINs of every connection');
        // the final ACKs follow the FINs: give them the time to arrive, then stop
        await waitFor(
          () => {
            const lastFin = seen.map((s) => s.flags & FIN).lastIndexOf(FIN);
            return seen.slice(lastFin + 1).some((s) => (s.flags & ACK) !== 0 && !(s.flags & FIN));
          },
          5000,
          'the last ACK',
        );
        const stats = await session.stop();

        // 5-tuples: exactly our connections, both directions
        const tuples = new Set(
          seen.map((s) =>
            s.dport === server.port
              ? `${s.src}:${s.sport}>${s.dst}:${s.dport}`
              : `${s.dst}:${s.dport}>${s.src}:${s.sport}`,
          ),
        );
        assert.deepEqual(
          [...tuples].sort(),
          clientPorts.map((p) => `127.0.0.1:${p}>127.0.0.1:${server.port}`).sort(),
        );
        for (let i = 0; i < CONNECTIONS; i++) {
          const port = clientPorts[i]!;
          const mine = seen.filter((s) => s.sport === port || s.dport === port);
          const up = mine.filter((s) => s.sport === port);
          const down = mine.filter((s) => s.dport === port);
          assert.equal(up.filter((s) => s.flags & SYN).length, 1, `one SYN on connection ${port}`);
          assert.equal(down.filter((s) => s.flags & SYN).length, 1, `one SYN-ACK on connection ${port}`);
          assert.equal(
            up.reduce((a, s) => a + s.payload, 0),
            BYTES[i],
            `bytes sent on ${port}`,
          );
          assert.equal(
            down.reduce((a, s) => a + s.payload, 0),
            BYTES[i],
            `bytes echoed on ${port}`,
          );
          assert.equal(up.filter((s) => s.flags & FIN).length, 1);
          assert.equal(down.filter((s) => s.flags & FIN).length, 1);
        }

        // counts: consumer == stats == file (our reader) == tshark; nothing dropped
        const delivered = batches.reduce((a, b) => a + b.length, 0);
        assert.equal(delivered, seen.length);
        assert.equal(stats.delivered, delivered);
        assert.equal(stats.droppedByQueue, 0);
        if (stats.droppedByKernel !== null) assert.equal(stats.droppedByKernel, 0);
        assert.equal(stats.stopReason, 'stopped');
        assert.equal(stats.timestampSource, backend === 'cap' ? 'dispatch' : 'kernel');
        const fromFile: RawPacket[] = [];
        const r = readCaptureFileSync(file, (p) => fromFile.push({ ...p, data: new Uint8Array(p.data) }));
        assert.equal(r.format, 'pcapng');
        assert.equal(r.packets, delivered);
        assert.equal(r.interfaces[0]?.linkType, 1);
        // bytes and timestamps in the file are the ones delivered, and dataOffset points at them
        const flat = batches.flat();
        for (let i = 0; i < flat.length; i++) {
          assert.deepEqual(fromFile[i]!.data, flat[i]!.data);
          assert.equal(fromFile[i]!.tsSec, flat[i]!.tsSec);
          assert.equal(fromFile[i]!.tsNsec, flat[i]!.tsNsec);
          assert.equal(fromFile[i]!.dataOffset, flat[i]!.dataOffset);
        }
        if (tshark) assert.equal(tsharkCount(file), delivered);
        assert.equal(readBackChecked, delivered);
        assert.equal(readBackMismatches, 0, 'every packet was on disk when the consumer got it');
      } finally {
        await session.stop();
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}

test('count limit stops the capture after exactly N packets', { skip, timeout: 30000 }, async () => {
  const server = await startEchoServer();
  let got = 0;
  const session = await startCapture({
    interface: 'lo',
    filter: `tcp port ${server.port}`,
    limits: { count: 5 },
    onBatch: (p) => void (got += p.length),
  });
  try {
    await echoOnce(server.port, 10);
    await echoOnce(server.port, 10);
    const stats = await session.done;
    assert.equal(stats.stopReason, 'count');
    assert.equal(stats.delivered, 5);
    assert.equal(got, 5);
  } finally {
    await session.stop();
    await server.close();
  }
});

test(
  'interfaces: lo is listed as a loopback Ethernet interface we may capture on',
  { skip, timeout: 30000 },
  async () => {
    for (const backend of ['cap', 'tcpdump'] as BackendName[]) {
      if (!presentBackends.has(backend)) continue;
      const list = await listInterfaces({ backend });
      assert.equal(list.backend, backend);
      const lo = list.interfaces.find((i) => i.name === 'lo');
      assert.ok(lo, `lo listed by ${backend}`);
      assert.equal(lo.loopback, true);
      assert.equal(lo.up, true);
      assert.equal(lo.linkType, 1);
      assert.equal(lo.capturePermitted, true);
      assert.ok(lo.addresses.some((a) => a.addr === '127.0.0.1'));
      const any = list.interfaces.find((i) => i.name === 'any');
      // cap leaves libpcap's default for `any` (Linux cooked v1); tcpdump/dumpcap pick cooked v2
      if (any) assert.equal(any.linkType, backend === 'cap' ? 113 : 276);
    }
  },
);
