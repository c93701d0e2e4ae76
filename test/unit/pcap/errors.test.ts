// Broken files: each gives a CaptureFileError naming the right byte offset, and only after every
// good packet before the problem was delivered — whatever the chunk sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bytes, classicHeader, classicRecord, concat, epb, idb, payload, shb } from './build.js';
import { collect, type Collected } from './collect.js';
import { CaptureFileError } from '../../../src-main/core/pcap/types.js';

function expectError(
  bytes: Uint8Array,
  code: string,
  offset: number,
  packets: number,
  message?: RegExp,
): Collected {
  let first: Collected | undefined;
  for (const sizes of [undefined, [1], [5, 17], [1000]]) {
    const r = collect(bytes, sizes);
    assert.ok(
      r.error instanceof CaptureFileError,
      `expected CaptureFileError (chunks ${sizes}), got ${r.error}`,
    );
    assert.equal(r.error.code, code, r.error.message);
    assert.equal(r.error.offset, offset, r.error.message);
    assert.equal(r.packets.length, packets, 'good packets before the error are delivered');
    if (message) assert.match(r.error.message, message);
    assert.ok(r.error.hint && r.error.hint.length > 10, 'has a hint');
    first ??= r;
  }
  return first!;
}

const goodClassic = concat(
  classicHeader({ le: true }),
  classicRecord({ le: true, sec: 1, frac: 0, data: payload(60) }),
  classicRecord({ le: true, sec: 2, frac: 0, data: payload(70) }),
);
const goodNg = concat(
  shb(true),
  idb(true, 1, 0),
  epb(true, 0, 1n, payload(60)),
  epb(true, 0, 2n, payload(70)),
);

test('truncated last record (classic): error at the start of the cut record', () => {
  const cut = classicRecord({ le: true, sec: 3, frac: 0, data: payload(80) }).subarray(0, 50);
  const r = expectError(
    concat(goodClassic, cut),
    'truncated',
    goodClassic.length,
    2,
    /packet record 3 at byte offset 186: 50 of 96 bytes/,
  );
  assert.match(r.error!.hint!, /2 packets before it were read/);
  // cut inside the 16-byte record header
  expectError(concat(goodClassic, cut.subarray(0, 9)), 'truncated', goodClassic.length, 2);
  // cut inside the file header
  expectError(classicHeader({ le: false }).subarray(0, 20), 'truncated', 0, 0, /pcap file header/);
});

test('truncated last block (pcapng): error at the block start', () => {
  const last = epb(true, 0, 3n, payload(80));
  expectError(
    concat(goodNg, last.subarray(0, last.length - 4)),
    'truncated',
    goodNg.length,
    2,
    /packet block 3/,
  );
  expectError(concat(goodNg, last.subarray(0, 6)), 'truncated', goodNg.length, 2);
});

test('bad block lengths: not a multiple of 4, below 12, above 256 MiB, trailer mismatch', () => {
  const at = goodNg.length;
  const withLength = (len: number) =>
    concat(goodNg, new Bytes(true).u32(6).u32(len).raw(new Uint8Array(40)).done());
  expectError(withLength(33), 'bad-block-length', at, 2, /not a multiple of 4/);
  expectError(withLength(8), 'bad-block-length', at, 2, /shorter than the 12-byte minimum/);
  expectError(withLength(0x7ffffffc), 'bad-block-length', at, 2, /larger than 256 MiB/);
  const mismatch = epb(true, 0, 3n, payload(20));
  mismatch[mismatch.length - 4] ^= 4;
  expectError(
    concat(goodNg, mismatch, epb(true, 0, 4n, payload(20))),
    'bad-block-length',
    at,
    2,
    /closing length field/,
  );
});

test('unknown link type: classic header names the value and the field offset', () => {
  const bytes = concat(
    classicHeader({ le: true, linkType: 12345 }),
    classicRecord({ le: true, sec: 1, frac: 0, data: payload(10) }),
  );
  const r = expectError(bytes, 'unknown-link-type', 20, 0, /LINKTYPE 12345/);
  assert.match(r.error!.hint!, /ETHERNET \(1\)/);
  expectError(
    classicHeader({ le: false, linkType: 127 }),
    'unknown-link-type',
    20,
    0,
    /IEEE802_11_RADIOTAP \(127\)/,
  );
});

test('unknown link type (pcapng): packets on supported interfaces first, error at the first packet on the other', () => {
  const head = concat(
    shb(true),
    idb(true, 1, 0),
    idb(true, 189, 0, [{ code: 2, value: 'usbmon1' }]),
    epb(true, 0, 1n, payload(30)),
  );
  const r = expectError(
    concat(head, epb(true, 1, 2n, payload(30)), epb(true, 0, 3n, payload(30))),
    'unknown-link-type',
    head.length,
    1,
  );
  assert.match(r.error!.message, /interface 1 \(usbmon1\).*USB_LINUX \(189\)/);
});

test('random bytes and other non-captures: "not a pcap or pcapng file" at offset 0', () => {
  expectError(
    new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    'not-a-capture',
    0,
    0,
    /Not a pcap or pcapng file: it starts with bytes 47 45 54 20/,
  );
  const gz = expectError(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0), 'not-a-capture', 0, 0);
  assert.match(gz.error!.hint!, /gzip/);
  let seed = 12345;
  const random = Uint8Array.from({ length: 5000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  expectError(random, 'not-a-capture', 0, 0);
  expectError(new Uint8Array(0), 'not-a-capture', 0, 0, /empty/);
  expectError(Uint8Array.of(0xd4, 0xc3), 'not-a-capture', 0, 0, /only 2 bytes/);
});

test('captured length beyond the snapshot length or the block is rejected with its offset', () => {
  const big = new Bytes(true).u32(3).u32(0).u32(300000).u32(300000).raw(payload(100)).done();
  expectError(
    concat(goodClassic, big),
    'bad-field',
    goodClassic.length + 8,
    2,
    /claims 300000 captured bytes/,
  );
  // up to libpcap's 262144 is tolerated even above the header's snaplen (real tools do that)
  const tolerated = concat(
    classicHeader({ le: true, snapLength: 100 }),
    classicRecord({ le: true, sec: 1, frac: 0, data: payload(200) }),
  );
  assert.equal(collect(tolerated).packets.length, 1);
  const lying = epb(true, 0, 3n, payload(20));
  lying[20] = 200; // captured length 200 in a block with room for 20
  expectError(
    concat(goodNg, lying),
    'bad-field',
    goodNg.length + 20,
    2,
    /claims 200 captured bytes, but the block has room for 20/,
  );
});

test('a packet block before any interface, and a bad byte-order magic', () => {
  const noIface = concat(shb(true), epb(true, 0, 1n, payload(8)));
  expectError(noIface, 'bad-field', shb(true).length + 8, 0, /describes 0 interface/);
  const badBom = shb(true);
  badBom[8] = 0x99;
  expectError(concat(goodNg, badBom), 'bad-field', goodNg.length + 8, 2, /byte-order magic/);
});

test('after an error the parser keeps failing with the same error', async () => {
  const { createCaptureParser } = await import('../../../src-main/core/pcap/parser.js');
  const p = createCaptureParser({ onPacket() {} });
  assert.throws(() => p.push(Uint8Array.of(1, 2, 3, 4, 5)), CaptureFileError);
  assert.throws(() => p.push(goodClassic), /Not a pcap/);
  assert.throws(() => p.end(), /Not a pcap/);
});

test('hints for near-captures: modified libpcap, ASCII-mangled pcapng, NetMon', () => {
  const hintOf = (bytes: number[]) =>
    collect(Uint8Array.from([...bytes, ...new Array(40).fill(0)])).error?.hint ?? '';
  assert.match(hintOf([0x34, 0xcd, 0xb2, 0xa1]), /modified/);
  assert.match(hintOf([0x0d, 0x0a, 0x0d, 0x0d, 0x0a]), /binary mode/);
  assert.match(hintOf([0x47, 0x4d, 0x42, 0x55]), /Network Monitor/);
});

test('a pcapng section of an unsupported major version is refused with the field offset', () => {
  const v2 = shb(true);
  v2[12] = 2;
  expectError(concat(goodNg, v2), 'bad-field', goodNg.length + 12, 2, /version 2\.0/);
});
