// Our writers and file readers together: what is written is read back exactly (timestamps to the
// nanosecond, comments, interface names), offsets give random access, flush() survives kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  CaptureFileError,
  CaptureFileReader,
  LinkType,
  PcapngWriter,
  PcapWriter,
  readCaptureFile,
  readCaptureFileSync,
  type RawPacket,
} from '../../../src-main/core/pcap/index.js';
import { convertTimestamp, makeResolution, nanosToHiLo } from '../../../src-main/core/pcap/timestamp.js';
import { payload } from './build.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-pcap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Kept extends Omit<RawPacket, 'data'> {
  data: Uint8Array;
}
const keep = (list: Kept[]) => (p: RawPacket) => list.push({ ...p, data: p.data.slice() });

test('PcapngWriter → readCaptureFile: interfaces, timestamps, comments, original lengths, offsets', async (t) => {
  const file = path.join(tempDir(t), 'rt.pcapng');
  const w = new PcapngWriter(file, { comment: 'made by the round-trip test' });
  const eth = w.addInterface({ linkType: LinkType.ETHERNET, name: 'eth0', description: 'uplink' });
  const any = w.addInterface({ linkType: LinkType.LINUX_SLL2, name: 'any', snapLength: 65535 });
  const written: {
    iface: number;
    tsSec: number;
    tsNsec: number;
    data: Uint8Array;
    comments?: string[];
    original?: number;
    offset: number;
  }[] = [];
  for (let i = 0; i < 2000; i++) {
    const spec = {
      interfaceId: i % 3 === 0 ? any : eth,
      tsSec: 1764213000 + Math.floor(i / 7),
      tsNsec: (i * 987654321) % 1e9,
      data: payload(40 + ((i * 37) % 1500), i),
      comments: i % 100 === 5 ? [`packet ${i}: CONNECT refused`, 'второй комментарий ✓'] : undefined,
      originalLength: i % 50 === 0 ? 9000 : undefined,
    };
    const offset = w.writePacket(spec);
    written.push({
      iface: spec.interfaceId,
      tsSec: spec.tsSec,
      tsNsec: spec.tsNsec,
      data: spec.data,
      comments: spec.comments,
      original: spec.originalLength,
      offset,
    });
  }
  w.writePacket({ interfaceId: eth, tsSec: 0, tsNsec: 999999999, data: payload(600000) }); // bigger than the write buffer
  w.close();

  const read: Kept[] = [];
  const sectionComments: string[] = [];
  const result = await readCaptureFile(file, keep(read), {
    chunkSize: 4096,
    onSectionComment: (s) => sectionComments.push(s),
  });
  assert.equal(result.format, 'pcapng');
  assert.equal(result.packets, 2001);
  assert.equal(result.bytes, statSync(file).size);
  assert.deepEqual(sectionComments, ['made by the round-trip test']);
  assert.deepEqual(
    result.interfaces.map((i) => [i.id, i.linkType, i.name, i.description, i.snapLength, i.tsUnitNs]),
    [
      [0, 1, 'eth0', 'uplink', 262144, 1],
      [1, 276, 'any', undefined, 65535, 1],
    ],
  );
  written.forEach((w, i) => {
    const r = read[i];
    assert.deepEqual(
      [
        r.interfaceId,
        r.linkType,
        r.tsSec,
        r.tsNsec,
        r.capturedLength,
        r.originalLength,
        r.comments,
        r.dataOffset,
      ],
      [
        w.iface,
        w.iface === any ? 276 : 1,
        w.tsSec,
        w.tsNsec,
        w.data.length,
        w.original ?? w.data.length,
        w.comments,
        w.offset,
      ],
      `packet ${i}`,
    );
    assert.deepEqual(r.data, w.data);
  });
  assert.deepEqual([read[2000].tsSec, read[2000].tsNsec, read[2000].capturedLength], [0, 999999999, 600000]);

  // the sync reader agrees, and random access returns the same bytes
  const sync: Kept[] = [];
  readCaptureFileSync(file, keep(sync), { chunkSize: 100000 });
  assert.deepEqual(sync, read);
  const reader = CaptureFileReader.open(file);
  try {
    for (const i of [0, 5, 999, 1999, 2000])
      assert.deepEqual(
        reader.readBytes(read[i].dataOffset, read[i].capturedLength),
        Buffer.from(read[i].data),
      );
    assert.throws(
      () => reader.readBytes(result.bytes - 10, 100),
      (e: unknown) => e instanceof CaptureFileError && e.code === 'truncated',
    );
  } finally {
    reader.close();
  }
});

for (const nanoseconds of [false, true]) {
  test(`PcapWriter (${nanoseconds ? 'ns' : 'µs'}) → reader`, (t) => {
    const file = path.join(tempDir(t), 'rt.pcap');
    const w = new PcapWriter(file, { linkType: LinkType.RAW, nanoseconds });
    const offsets = [0, 1, 2].map((i) =>
      w.writePacket({
        tsSec: 1764213000 + i,
        tsNsec: 123456789,
        data: payload(20 + i, i),
        originalLength: 1500,
      }),
    );
    w.close();
    const read: Kept[] = [];
    const r = readCaptureFileSync(file, keep(read));
    assert.equal(r.format, 'pcap');
    assert.deepEqual(r.interfaces, [
      { id: 0, linkType: 101, snapLength: 262144, tsUnitNs: nanoseconds ? 1 : 1000 },
    ]);
    assert.deepEqual(
      read.map((p) => [p.tsSec, p.tsNsec, p.capturedLength, p.originalLength, p.dataOffset]),
      [0, 1, 2].map((i) => [1764213000 + i, nanoseconds ? 123456789 : 123456000, 20 + i, 1500, offsets[i]]),
    );
  });
}

test('timestamp arithmetic is exact: writer split and reader conversion agree with BigInt', () => {
  const out = { hi: 0, lo: 0 };
  const tsOut = { sec: 0, nsec: 0 };
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 34 }),
      fc.integer({ min: 0, max: 999_999_999 }),
      (sec, nsec) => {
        nanosToHiLo(sec, nsec, out);
        const v = BigInt(sec) * 1_000_000_000n + BigInt(nsec);
        assert.equal((BigInt(out.hi) << 32n) | BigInt(out.lo), v);
        convertTimestamp(out.hi, out.lo, makeResolution(1_000_000_000n), tsOut);
        assert.deepEqual([tsOut.sec, tsOut.nsec], [sec, nsec]);
      },
    ),
    { numRuns: 5000 },
  );
  const units = [1n, 10n, 1000n, 1_000_000n, 1_000_000_000n, 1n << 20n, 1n << 32n, 10n ** 12n, 3n];
  fc.assert(
    fc.property(
      fc.nat({ max: 0xffffffff }),
      fc.nat({ max: 0xffffffff }),
      fc.constantFrom(...units),
      (hi, lo, u) => {
        convertTimestamp(hi, lo, makeResolution(u), tsOut);
        const v = (BigInt(hi) << 32n) | BigInt(lo);
        assert.deepEqual([tsOut.sec, tsOut.nsec], [Number(v / u), Number(((v % u) * 1_000_000_000n) / u)]);
      },
    ),
    { numRuns: 5000 },
  );
});

test('flush() makes packets survive kill -9 of the writing process', async (t) => {
  const file = path.join(tempDir(t), 'crash.pcapng');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'fixtures', 'write-then-hang.ts'), file],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => child.kill('SIGKILL'));
  const ready = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
  assert.equal(ready, 'flushed 1000');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const read: Kept[] = [];
  const r = readCaptureFileSync(file, keep(read));
  assert.equal(r.packets, 1000, 'every flushed packet is in the file');
  assert.deepEqual(read[999].comments, ['last flushed']);
});

test('file errors: missing file, directory, not a capture; abort signal', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(
    readCaptureFile(path.join(dir, 'nope.pcap'), () => {}),
    (e: unknown) => e instanceof CaptureFileError && e.code === 'io' && /nope\.pcap/.test(e.message),
  );
  assert.throws(
    () => readCaptureFileSync(dir, () => {}),
    (e: unknown) => e instanceof CaptureFileError && e.code === 'io',
  );
  assert.throws(
    () => CaptureFileReader.open(dir),
    (e: unknown) => e instanceof CaptureFileError && e.code === 'io',
  );
  const text = path.join(dir, 'notes.txt');
  writeFileSync(text, 'hello, this is not a capture\n');
  await assert.rejects(
    readCaptureFile(text, () => {}),
    (e: unknown) => e instanceof CaptureFileError && e.code === 'not-a-capture',
  );
  const file = path.join(dir, 'ok.pcapng');
  const w = new PcapngWriter(file);
  const i = w.addInterface({ linkType: 1 });
  for (let k = 0; k < 3000; k++) w.writePacket({ interfaceId: i, tsSec: k, tsNsec: 0, data: payload(100) });
  w.close();
  const ac = new AbortController();
  let seen = 0;
  await assert.rejects(
    readCaptureFile(
      file,
      () => {
        if (++seen === 10) ac.abort(new Error('stopped by test'));
      },
      { signal: ac.signal, chunkSize: 4096 },
    ),
    /stopped by test/,
  );
  assert.ok(seen < 3000);
  assert.equal(readFileSync(file).length > 0, true);
});

test('writers: fd targets stay open after close(); bad timestamps and interfaces are refused clearly', async (t) => {
  const { openSync, closeSync, writeSync } = await import('node:fs');
  const file = path.join(tempDir(t), 'fd.pcapng');
  const fd = openSync(file, 'w');
  try {
    const w = new PcapngWriter(fd);
    const i = w.addInterface({ linkType: LinkType.RAW });
    w.writePacket({ interfaceId: i, tsSec: 18_446_744_072, tsNsec: 999_999_999, data: payload(20) }); // near the 64-bit ns limit
    assert.throws(
      () => w.writePacket({ interfaceId: i, tsSec: 1, tsNsec: 1e9, data: payload(1) }),
      (e: unknown) => e instanceof CaptureFileError && /bad timestamp/.test(e.message),
    );
    assert.throws(
      () => w.writePacket({ interfaceId: i, tsSec: -1, tsNsec: 0, data: payload(1) }),
      CaptureFileError,
    );
    assert.throws(
      () => w.writePacket({ interfaceId: 5, tsSec: 1, tsNsec: 0, data: payload(1) }),
      /interface 5 was not added/,
    );
    w.close();
    assert.equal(writeSync(fd, Buffer.alloc(0)), 0, 'fd still open');
  } finally {
    closeSync(fd);
  }
  const read: Kept[] = [];
  readCaptureFileSync(file, keep(read));
  assert.deepEqual(
    read.map((p) => [p.tsSec, p.tsNsec, p.linkType]),
    [[18_446_744_072, 999_999_999, 101]],
  );
  const classic = new PcapWriter(path.join(tempDir(t), 'x.pcap'), { linkType: 1 });
  assert.throws(() => classic.writePacket({ tsSec: 2 ** 32, tsNsec: 0, data: payload(1) }), /bad timestamp/);
  classic.close();
});
