// Every file-format variant the reader accepts, built byte by byte in the test, read whole and in
// awkward chunk sizes (the result must not depend on where chunks split).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classicHeader,
  classicRecord,
  comment,
  concat,
  epb,
  idb,
  payload,
  pb,
  shb,
  spb,
  block,
  tsoffset,
  tsresol,
} from './build.js';
import { collect, strip } from './collect.js';

const CHUNKINGS = [[1], [3], [7, 1, 13], [64], [4096]];

function assertSameAcrossChunkings(bytes: Uint8Array): ReturnType<typeof collect> {
  const whole = collect(bytes);
  for (const sizes of CHUNKINGS)
    assert.deepEqual(strip(collect(bytes, sizes)), strip(whole), `chunk sizes ${sizes}`);
  return whole;
}

for (const le of [true, false]) {
  for (const nano of [false, true]) {
    test(`classic pcap, ${le ? 'little' : 'big'}-endian, ${nano ? 'ns' : 'µs'}: packets, timestamps, offsets`, () => {
      const a = payload(60, 1);
      const b = payload(1514, 2);
      const c = payload(42, 3);
      const bytes = concat(
        classicHeader({ le, nano, linkType: 113, snapLength: 262144 }),
        classicRecord({ le, sec: 1764213000, frac: nano ? 999999999 : 999999, data: a }),
        classicRecord({ le, sec: 1764213001, frac: 0, data: b, original: 9000 }),
        classicRecord({ le, sec: 0xfffffffe, frac: nano ? 1 : 1, data: c }),
      );
      const r = assertSameAcrossChunkings(bytes);
      assert.equal(r.error, undefined);
      assert.equal(r.format, 'pcap');
      assert.deepEqual(r.interfaces, [
        { id: 0, linkType: 113, snapLength: 262144, tsUnitNs: nano ? 1 : 1000 },
      ]);
      assert.equal(r.packets.length, 3);
      const [p1, p2, p3] = r.packets;
      assert.deepEqual([p1.tsSec, p1.tsNsec], [1764213000, 999999999 - (nano ? 0 : 999)]);
      assert.deepEqual(
        [p2.tsSec, p2.tsNsec, p2.capturedLength, p2.originalLength],
        [1764213001, 0, 1514, 9000],
      );
      assert.deepEqual([p3.tsSec, p3.tsNsec], [0xfffffffe, nano ? 1 : 1000]);
      assert.deepEqual(
        [p1.dataOffset, p2.dataOffset, p3.dataOffset],
        [40, 40 + 60 + 16, 40 + 60 + 16 + 1514 + 16],
      );
      assert.deepEqual(p2.data, Array.from(b));
      assert.ok(
        r.packets.every((p) => p.linkType === 113 && p.interfaceId === 0 && p.comments === undefined),
      );
      assert.equal(r.bytesConsumed, bytes.length);
    });
  }

  test(`pcapng ${le ? 'little' : 'big'}-endian: interfaces with names and resolutions, EPB/SPB/PB, comments, skipped blocks`, () => {
    const d = [
      payload(60, 1),
      payload(61, 2),
      payload(62, 3),
      payload(100, 4),
      payload(33, 5),
      payload(64, 6),
    ];
    const bytes = concat(
      shb(le, [comment('section one'), { code: 4, value: 'unit test' }]),
      idb(le, 1, 128, [
        { code: 2, value: 'eth0' },
        { code: 3, value: 'first NIC' },
      ]), // default µs
      idb(le, 276, 0, [{ code: 2, value: 'any' }, tsresol(9)]),
      idb(le, 101, 65535, [tsresol(0x80 | 20)]), // 2^-20 s units
      idb(le, 0, 65535, [tsresol(3), tsoffset(le, 1000n)]), // ms units, +1000 s
      block(le, 4, (b) => b.u16(1).u16(4).raw([127, 0, 0, 1]).u16(0).u16(0)), // NRB
      epb(le, 0, 1764213000_123456n, d[0], [
        comment('first'),
        { code: 2, value: Uint8Array.of(0, 0, 0, 0) },
        comment('second ünïcode'),
      ]),
      spb(le, 300, d[3]), // iface 0 has snaplen 128, data 100 bytes in block → captured min(300,128,100)
      epb(le, 1, 1764213000_999999999n, d[1]),
      block(le, 5, (b) => b.u32(0).u32(0).u32(0)), // ISB
      pb(le, 2, (1764213000n << 20n) + 524288n, d[2], [comment('obsolete')]), // .5 s in 2^-20 units
      block(le, 0x00000bad, (b) => b.u32(0x1234).raw([1, 2, 3])), // custom block
      block(le, 0x0a, (b) => b.u32(1).u32(0)), // DSB
      epb(le, 3, 1764212000_250n, d[4], undefined, 1000),
      block(le, 0xdeadbeef & 0x7fffffff, (b) => b.u32(7)), // unknown type
    );
    const r = assertSameAcrossChunkings(bytes);
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'pcapng');
    assert.deepEqual(r.sectionComments, ['section one']);
    assert.deepEqual(
      r.interfaces.map((i) => [i.id, i.linkType, i.snapLength, i.name, i.description, i.tsUnitNs]),
      [
        [0, 1, 128, 'eth0', 'first NIC', 1000],
        [1, 276, 0, 'any', undefined, 1],
        [2, 101, 65535, undefined, undefined, 1e9 / 2 ** 20],
        [3, 0, 65535, undefined, undefined, 1e6],
      ],
    );
    const got = r.packets.map((p) => [
      p.interfaceId,
      p.linkType,
      p.tsSec,
      p.tsNsec,
      p.capturedLength,
      p.originalLength,
      p.comments,
    ]);
    assert.deepEqual(got, [
      [0, 1, 1764213000, 123456000, 60, 60, ['first', 'second ünïcode']],
      [0, 1, 0, 0, 100, 300, undefined],
      [1, 276, 1764213000, 999999999, 61, 61, undefined],
      [2, 101, 1764213000, 500000000, 62, 62, ['obsolete']],
      [3, 0, 1764212000 + 1000, 250000000, 33, 1000, undefined],
    ]);
    // every packet's data is where dataOffset says it is
    for (const p of r.packets)
      assert.deepEqual(Array.from(bytes.subarray(p.dataOffset, p.dataOffset + p.capturedLength)), p.data);
    assert.deepEqual(r.packets[0].data, Array.from(d[0]));
    assert.deepEqual(r.packets[1].data, Array.from(d[3]));
  });
}

test('pcapng: several sections with different byte orders, each resetting its interfaces', () => {
  const bytes = concat(
    shb(true),
    idb(true, 1, 65535, [{ code: 2, value: 'eth0' }]),
    epb(true, 0, 1_000_000n, payload(20, 1)),
    shb(false, [comment('second section')]),
    idb(false, 113, 65535, [{ code: 2, value: 'any' }, tsresol(9)]),
    idb(false, 228, 65535, [{ code: 2, value: 'tun0' }]),
    epb(false, 1, 3_000_000n, payload(24, 2)),
    epb(false, 0, 2_000_000_000n, payload(28, 3)),
  );
  const r = assertSameAcrossChunkings(bytes);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.sectionComments, ['second section']);
  assert.deepEqual(
    r.interfaces.map((i) => [i.id, i.name, i.linkType]),
    [
      [0, 'eth0', 1],
      [1, 'any', 113],
      [2, 'tun0', 228],
    ],
  );
  assert.deepEqual(
    r.packets.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec]),
    [
      [0, 1, 1, 0],
      [2, 228, 3, 0],
      [1, 113, 2, 0],
    ],
  );
});

test('pcapng: an interface id from a previous section is not valid in the next', () => {
  const bytes = concat(
    shb(true),
    idb(true, 1, 0),
    idb(true, 1, 0),
    epb(true, 1, 0n, payload(10)),
    shb(true),
    idb(true, 1, 0),
  );
  const second = epb(true, 1, 0n, payload(10));
  const r = collect(concat(bytes, second));
  assert.equal(r.packets.length, 1);
  assert.equal(r.error?.code, 'bad-field');
  assert.equal(r.error?.offset, bytes.length + 8);
  assert.match(r.error!.message, /refers to interface 1/);
});

test('pcapng timestamps: large nanosecond values, if_tsresol 10^-12 and 2^-30, negative if_tsoffset', () => {
  const maxNs = 0xffffffffffffffffn; // 2^64-1 ns
  const bytes = concat(
    shb(true),
    idb(true, 1, 0, [tsresol(9)]),
    idb(true, 1, 0, [tsresol(12)]),
    idb(true, 1, 0, [tsresol(0x80 | 30), tsoffset(true, -10n)]),
    epb(true, 0, maxNs, payload(4)),
    epb(true, 1, 12345678_123456789999n, payload(4)), // ps: 2^64 ps is only ~213 days
    epb(true, 2, (1764213000n << 30n) + (1n << 29n) + 1n, payload(4)),
  );
  const r = collect(bytes);
  assert.equal(r.error, undefined);
  assert.deepEqual(
    r.packets.map((p) => [p.tsSec, p.tsNsec]),
    [
      [Number(maxNs / 1_000_000_000n), Number(maxNs % 1_000_000_000n)],
      [12345678, 123456789],
      [1764212990, 500000000], // 2^-30 s rounds down to whole ns
    ],
  );
});

test('a classic pcap header with no packets is a valid empty capture', () => {
  const r = collect(classicHeader({ le: true }));
  assert.equal(r.error, undefined);
  assert.equal(r.packets.length, 0);
  assert.equal(r.interfaces.length, 1);
});

test('packet data fed as a Buffer comes out as a plain Uint8Array (so slice() really copies)', async () => {
  const { createCaptureParser } = await import('../../../src-main/core/pcap/parser.js');
  const kinds: unknown[] = [];
  const p = createCaptureParser({ onPacket: (x) => kinds.push(x.data.constructor) });
  p.push(
    Buffer.from(
      concat(classicHeader({ le: true }), classicRecord({ le: true, sec: 1, frac: 0, data: payload(10) })),
    ),
  );
  p.end();
  assert.deepEqual(kinds, [Uint8Array]);
});

test('classic pcap: FCS flag bits in the link-type field are ignored; an overflowing fraction carries into seconds', () => {
  const header = classicHeader({ le: true, linkType: 1 });
  header[23] = 0x14; // FCS-present flag and length in the top bits (0x14000000 | 1)
  const r = collect(concat(header, classicRecord({ le: true, sec: 10, frac: 2_500_000, data: payload(14) })));
  assert.equal(r.error, undefined);
  assert.equal(r.interfaces[0].linkType, 1);
  assert.deepEqual([r.packets[0].tsSec, r.packets[0].tsNsec], [12, 500_000_000]);
});
