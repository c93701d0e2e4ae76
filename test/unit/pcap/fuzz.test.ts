// Mutation fuzzing: thousands of corrupted and truncated versions of valid files, fed whole and in
// random chunks. Only CaptureFileError may come out, the chunking must not change the outcome, and
// every input finishes quickly (inputs are small, and the parser's work is linear in its input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CaptureFileError } from '../../../src-main/core/pcap/types.js';
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
  tsresol,
  tsoffset,
} from './build.js';
import { collect, strip } from './collect.js';

const seeds: Uint8Array[] = [
  concat(
    classicHeader({ le: true }),
    ...[1, 2, 3].map((i) => classicRecord({ le: true, sec: i, frac: i * 1000, data: payload(20 + i, i) })),
  ),
  concat(
    classicHeader({ le: false, nano: true, linkType: 276 }),
    ...[1, 2].map((i) => classicRecord({ le: false, sec: i, frac: i, data: payload(30, i) })),
  ),
  concat(
    shb(true, [comment('s')]),
    idb(true, 1, 64, [{ code: 2, value: 'eth0' }, tsresol(9)]),
    idb(true, 113, 0, [tsresol(0x80 | 10), tsoffset(true, -5n)]),
    epb(true, 0, 123456789n, payload(40), [comment('c1'), comment('c2')]),
    spb(true, 100, payload(64)),
    pb(true, 1, 99n, payload(12), [comment('old')]),
    epb(true, 1, 1n << 40n, payload(3)),
  ),
  concat(
    shb(false),
    idb(false, 101, 0),
    epb(false, 0, 5n, payload(50)),
    shb(true),
    idb(true, 0, 0),
    epb(true, 0, 6n, payload(9)),
  ),
];

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; n: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(fc.nat({ max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80)),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
);

function apply(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = input;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'set') {
      b = b.slice();
      if (b.length) b[at] = m.value;
    } else if (m.kind === 'cut') b = b.slice(0, at);
    else if (m.kind === 'insert') b = concat(b.subarray(0, at), Uint8Array.from(m.bytes), b.subarray(at));
    else b = concat(b.subarray(0, at), b.subarray(at + m.n));
  }
  return b;
}

test('mutated and truncated captures: only CaptureFileError escapes, outcome independent of chunking', () => {
  let errors = 0;
  let clean = 0;
  fc.assert(
    fc.property(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
      (seed, mutations, chunks) => {
        const bytes = apply(seeds[seed], mutations);
        const whole = collect(bytes); // collect() catches; anything but CaptureFileError fails below
        if (whole.error !== undefined) {
          assert.ok(whole.error instanceof CaptureFileError, `unexpected ${String(whole.error)}`);
          assert.ok(
            whole.error.offset >= 0 && whole.error.offset <= bytes.length,
            `offset ${whole.error.offset} within the input`,
          );
          assert.ok(whole.error.message.length > 0);
          errors++;
        } else clean++;
        for (const p of whole.packets) {
          assert.ok(
            p.dataOffset >= 0 && p.dataOffset + p.capturedLength <= bytes.length,
            'data lies inside the input',
          );
          assert.ok(
            Number.isInteger(p.tsSec) && Number.isInteger(p.tsNsec) && p.tsNsec >= 0 && p.tsNsec < 1e9,
          );
        }
        assert.deepEqual(strip(collect(bytes, chunks)), strip(whole));
      },
    ),
    { numRuns: 4000, seed: 20261127 },
  );
  assert.ok(errors > 100 && clean > 10, `both outcomes exercised (${errors} errors, ${clean} clean)`);
});

test('random bytes with a valid magic in front never escape as anything but CaptureFileError', () => {
  const magics = [
    Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1),
    Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d),
    Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a),
  ];
  fc.assert(
    fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 600 }), (magic, rest) => {
      const r = collect(concat(magic, rest));
      if (r.error) assert.ok(r.error instanceof CaptureFileError, String(r.error));
    }),
    { numRuns: 3000, seed: 7 },
  );
});
