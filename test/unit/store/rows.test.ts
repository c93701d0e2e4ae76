import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RowBytes } from '../../../src-main/core/store/row-bytes.js';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  PacketLister,
  openCapture,
  streamCapture,
  textRow,
  tsvRow,
} from '../../../src-main/core/store/listing.js';
import type { PacketSummary } from '../../../src-main/core/dissect/types.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import { readCaptureFileSync } from '../../../src-main/core/pcap/file-reader.js';

const base: PacketSummary = {
  no: 7,
  time: 0,
  src: '10.0.0.1',
  dst: '10.10.10.100',
  protocol: 'HTTP',
  length: 187,
  info: 'CONNECT a:443 HTTP/1.1\r\n',
};

function bytesOf(write: (out: RowBytes) => void): string {
  const out = new RowBytes(16);
  write(out);
  return Buffer.from(out.buf.subarray(0, out.used)).toString('latin1');
}

function asUtf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

test('rows are laid out as tshark prints them', () => {
  const s = base;
  assert.equal(
    textRow(s, '0.000250'),
    '    7   0.000250     10.0.0.1 → 10.10.10.100 HTTP 187 CONNECT a:443 HTTP/1.1  \n',
  );
  assert.equal(
    tsvRow(s, '0.000250'),
    '7\t0.000250\t10.0.0.1\t10.10.10.100\tHTTP\t187\tCONNECT a:443 HTTP/1.1  \n',
  );
  const v6: PacketSummary = { ...s, no: 123456, src: '2001:db8::1234:5678', dst: '::1' };
  assert.equal(
    textRow(v6, '12.5'),
    '123456       12.5 2001:db8::1234:5678 → ::1          HTTP 187 CONNECT a:443 HTTP/1.1  \n',
  );
});
test('rows written as bytes are the UTF-8 of the row strings (text and TSV)', () => {
  const cases: [PacketSummary, number, number, number][] = [
    [base, 0, 250, 6],
    [{ ...base, no: 123456, src: '2001:db8::1234:5678', dst: '::1' }, 12, 500000, 6],
    [{ ...base, info: '48716 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM' }, 3, 5, 9],
    [
      { ...base, info: 'GET /caf\u00e9\t\u{1F600} HTTP/1.1\n', src: 'VMware_8d:76:9d', dst: 'Broadcast' },
      0,
      0,
      6,
    ],
    [{ ...base, no: 4294967295, length: 65535, info: '' }, 86399, 999999999, 9],
  ];
  for (const [s, whole, fraction, digits] of cases) {
    const time = `${whole}.${String(fraction).padStart(digits, '0')}`;
    assert.equal(
      bytesOf((o) => o.textRow(s, whole, fraction, digits)),
      asUtf8(textRow(s, time)),
    );
    assert.equal(
      bytesOf((o) => o.tsvRow(s, whole, fraction, digits)),
      asUtf8(tsvRow(s, time)),
    );
  }
});

test('any info text, address and number gives the same bytes as the string rows', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ maxLength: 20 }),
      fc.nat(),
      fc.nat({ max: 999999 }),
      fc.integer({ min: 1, max: 2 ** 32 }),
      (info, src, whole, fraction, no) => {
        const s: PacketSummary = { ...base, info, src, no };
        const time = `${whole}.${String(fraction).padStart(6, '0')}`;
        assert.equal(
          bytesOf((o) => o.textRow(s, whole, fraction, 6)),
          asUtf8(textRow(s, time)),
        );
        assert.equal(
          bytesOf((o) => o.tsvRow(s, whole, fraction, 6)),
          asUtf8(tsvRow(s, time)),
        );
      },
    ),
    { numRuns: 2000 },
  );
});

test('take() hands over the written bytes and starts an empty buffer', () => {
  const out = new RowBytes(8);
  out.text('a longer text than the first buffer');
  const taken = out.take(8);
  assert.equal(Buffer.from(taken).toString(), 'a longer text than the first buffer');
  assert.equal(out.used, 0);
  out.uint(0);
  out.fixed(0, 7, 3, 8);
  assert.equal(Buffer.from(out.buf.subarray(0, out.used)).toString(), '0   0.007');
});

test('packetInto() writes exactly the bytes of packet() for every frame of the lab samples', async () => {
  const dir = path.resolve(import.meta.dirname, '../../../resources/samples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.pcapng'));
  assert.ok(files.length >= 10);
  for (const format of ['tsv', 'text'] as const) {
    for (const filter of [null, 'tcp', 'tcp.flags.syn == 1 || http']) {
      let listed = 0;
      for (const f of files) {
        const file = path.join(dir, f);
        const strings = new PacketLister({ format, filter, findings: false });
        const bytes = new PacketLister({ format, filter, findings: false });
        const out = new RowBytes();
        let expected = '';
        await streamCapture(
          openCapture(file),
          file,
          (raw, no) => {
            expected += strings.packet(raw, no) ?? '';
            bytes.packetInto(raw, no, out);
          },
          (i) => {
            strings.addInterface(i);
            bytes.addInterface(i);
          },
          () => undefined,
        );
        listed += expected.length;
        assert.equal(
          Buffer.from(out.buf.subarray(0, out.used)).toString(),
          expected,
          `${f} ${format} ${filter}`,
        );
      }
      assert.ok(listed > 0, `rows for ${format} ${filter}`);
    }
  }
});

test('numbers are written as their decimal digits, right-aligned when asked', () => {
  const values = [
    0,
    7,
    9,
    10,
    42,
    99,
    100,
    101,
    999,
    1000,
    65535,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 53 - 1,
  ];
  for (const v of values) {
    assert.equal(
      bytesOf((o) => o.uint(v)),
      String(v),
    );
    assert.equal(
      bytesOf((o) => o.uint(v, 12)),
      String(v).padStart(12),
    );
  }
  assert.equal(
    bytesOf((o) => o.fixed(86400, 5, 9)),
    '86400.000000005',
  );
});

test('mutated and truncated packets: packetInto() bytes still equal packet() rows, nothing throws', () => {
  const dir = path.resolve(import.meta.dirname, '../../../resources/samples');
  const seeds: RawPacket[] = [];
  for (const f of ['healthy.pcapng', 'reset-on-large-segment.pcapng', 'auth-basic.pcapng'])
    readCaptureFileSync(path.join(dir, f), (p) => seeds.push({ ...p, data: p.data.slice() }));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), {
        maxLength: 40,
      }),
      (mutations) => {
        const packets = seeds.map((p) => ({ ...p, data: p.data.slice() }));
        for (const [which, at, value, cut] of mutations) {
          const p = packets[which % packets.length]!;
          if (cut) {
            p.data = p.data.subarray(0, at % (p.data.length + 1));
            p.capturedLength = p.data.length;
          } else if (p.data.length > 0) p.data[at % p.data.length] = value;
        }
        for (const format of ['tsv', 'text'] as const) {
          const strings = new PacketLister({ format, filter: null, findings: false });
          const bytes = new PacketLister({ format, filter: null, findings: false });
          const out = new RowBytes();
          let expected = '';
          packets.forEach((p, i) => {
            expected += strings.packet(p, i + 1) ?? '';
            bytes.packetInto(p, i + 1, out);
          });
          assert.equal(Buffer.from(out.buf.subarray(0, out.used)).toString(), expected);
        }
      },
    ),
    { numRuns: 150 },
  );
});
