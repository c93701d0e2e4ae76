import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PcapWriter } from '../../../src-main/core/pcap/index.js';
import { PacketLister, openCapture, streamCapture } from '../../../src-main/core/store/listing.js';
import { partitionKey, networkOffset } from '../../../src-main/core/store/partition.js';

/** Ethernet + IPv4 + TCP (no options) with a payload. */
function tcpFrame(
  src: number[],
  dst: number[],
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  payload = '',
): Uint8Array {
  const body = new TextEncoder().encode(payload);
  const b = new Uint8Array(14 + 20 + 20 + body.length);
  b.set([0, 0x50, 0x56, 1, 2, 3, 0, 0x50, 0x56, 4, 5, 6, 0x08, 0x00]);
  const total = 40 + body.length;
  b.set([0x45, 0, total >> 8, total & 255, 0, 1, 0x40, 0, 64, 6, 0, 0, ...src, ...dst], 14);
  const t = 34;
  b.set(
    [
      sport >> 8,
      sport & 255,
      dport >> 8,
      dport & 255,
      seq >>> 24,
      (seq >>> 16) & 255,
      (seq >>> 8) & 255,
      seq & 255,
      ack >>> 24,
      (ack >>> 16) & 255,
      (ack >>> 8) & 255,
      ack & 255,
      0x50,
      flags,
      0xff,
      0xff,
      0,
      0,
      0,
      0,
    ],
    t,
  );
  b.set(body, 54);
  return b;
}

function writeCapture(file: string): void {
  const w = new PcapWriter(file, { linkType: 1 });
  let usec = 0;
  const put = (d: Uint8Array) =>
    w.writePacket({ tsSec: 1_700_000_000, tsNsec: (usec += 250) * 1000, data: d });
  // 12 interleaved conversations between different address pairs, to a proxy on 3128
  for (let round = 0; round < 5; round++) {
    for (let c = 0; c < 12; c++) {
      const cl = [10, 0, c, 1];
      const px = [10, 9, 9, 9];
      const cport = 40000 + c;
      if (round === 0) put(tcpFrame(cl, px, cport, 3128, 100, 0, 0x02));
      if (round === 1) put(tcpFrame(px, cl, 3128, cport, 500, 101, 0x12));
      if (round === 2)
        put(
          tcpFrame(
            cl,
            px,
            cport,
            3128,
            101,
            501,
            0x18,
            'CONNECT example.net:443 HTTP/1.1\r\nHost: example.net:443\r\n\r\n',
          ),
        );
      if (round === 3)
        put(
          tcpFrame(
            px,
            cl,
            3128,
            cport,
            501,
            157,
            0x18,
            'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n',
          ),
        );
      if (round === 4) put(tcpFrame(cl, px, cport, 3128, 157, 566, 0x14));
    }
  }
  w.close();
}

async function list(file: string, filter: string | null, part?: { index: number; count: number }) {
  const lister = new PacketLister({ format: 'tsv', filter, findings: true, part });
  const rows: { no: number; row: string }[] = [];
  await streamCapture(
    openCapture(file),
    file,
    (raw, no) => {
      const r = lister.packet(raw, no);
      if (r !== null) rows.push({ no, row: r });
    },
    (i) => lister.addInterface(i),
    () => undefined,
  );
  return { rows, lister };
}

test('parts of a parallel listing together give exactly the single listing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'listing-'));
  try {
    const file = path.join(dir, 'proxy.pcap');
    writeCapture(file);
    for (const filter of [null, 'http', 'tcp.flags.syn == 1 || http.response.code == 407']) {
      const whole = await list(file, filter);
      assert.ok(whole.rows.length > 0);
      const parts = await Promise.all([0, 1, 2].map((index) => list(file, filter, { index, count: 3 })));
      assert.ok(parts.filter((p) => p.rows.length > 0).length >= 2, 'the work is spread over several parts');
      const merged = parts.flatMap((p) => p.rows).sort((a, b) => a.no - b.no);
      assert.deepEqual(merged, whole.rows, `filter ${filter}`);
      const convs = parts.flatMap((p) => p.lister.conversations()).length;
      assert.equal(convs, whole.lister.conversations().length);
    }
    // times count from the file's first packet in every part
    const p1 = await list(file, null, { index: 1, count: 3 });
    const whole = await list(file, null);
    const sample = p1.rows[0];
    assert.equal(sample.row, whole.rows.find((r) => r.no === sample.no)!.row);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the partition key is the same both ways and finds IP behind VLAN tags and SLL', () => {
  const ab = tcpFrame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2, 0, 0, 2);
  const ba = tcpFrame([10, 0, 0, 2], [10, 0, 0, 1], 2, 1, 0, 0, 0x12);
  assert.equal(partitionKey(1, ab), partitionKey(1, ba));
  assert.notEqual(partitionKey(1, ab), 0);
  const vlan = new Uint8Array(ab.length + 4);
  vlan.set(ab.subarray(0, 12));
  vlan.set([0x81, 0x00, 0x00, 0x0a], 12);
  vlan.set(ab.subarray(12), 16);
  assert.equal(networkOffset(1, vlan), 18);
  assert.equal(partitionKey(1, vlan), partitionKey(1, ab));
  const sll = new Uint8Array(16 + ab.length - 14);
  sll.set([0, 0, 0, 1, 0, 6, 0, 0x50, 0x56, 1, 2, 3, 0, 0, 0x08, 0x00]);
  sll.set(ab.subarray(14), 16);
  assert.equal(partitionKey(113, sll), partitionKey(1, ab));
  assert.equal(partitionKey(1, new Uint8Array([1, 2, 3])), 0);
  assert.equal(partitionKey(147, ab), 0);
});
