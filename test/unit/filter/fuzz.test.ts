import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileFilter, FilterError } from '../../../src-main/core/filter/index.js';
import type { FieldSource } from '../../../src-main/core/dissect/types.js';

const source: FieldSource = {
  hasProtocol: (n) => n === 'tcp' || n === 'http',
  values: (f) =>
    f === 'tcp.port' ? [80, 3128] : f === 'http.host' ? ['example.net'] : f === 'ip.src' ? ['10.0.0.1'] : [],
};

// pieces filters are made of, so random sequences come close to real filters
const piece = fc.constantFrom(
  'tcp',
  'http',
  'ip.src',
  'tcp.port',
  'http.host',
  '==',
  '!=',
  '~=',
  '<',
  '>=',
  'eq',
  'contains',
  'matches',
  '~',
  'in',
  'not',
  '!',
  '&&',
  '||',
  'and',
  'or',
  '(',
  ')',
  '{',
  '}',
  ',',
  '..',
  '[',
  ']',
  '0:2',
  '80',
  '0x50',
  '10.0.0.0/8',
  '::1',
  '00:50:56:8d:76:9d',
  '"example"',
  '"a\\\\.b"',
  '"(["',
  '"\\x4',
  'r"\\d+"',
  "'a'",
  'True',
  '-1',
  '=',
  '&',
  '|',
  '"',
);

test('any sequence of filter pieces compiles or gives a FilterError with a position inside the text', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), fc.boolean(), (parts, spaced) => {
      const text = parts.join(spaced ? ' ' : '');
      try {
        const f = compileFilter(text);
        assert.equal(typeof f.test(source), 'boolean');
      } catch (e) {
        assert.ok(e instanceof FilterError, `${JSON.stringify(text)} threw ${String(e)}`);
        assert.ok(
          e.position >= 0 && e.position <= text.length,
          `position ${e.position} in ${JSON.stringify(text)}`,
        );
        assert.match(e.message, /^1:\d+: \S/);
      }
    }),
    { numRuns: 3000 },
  );
});

test('arbitrary text never crashes the compiler', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      try {
        compileFilter(text).test(source);
      } catch (e) {
        assert.ok(e instanceof FilterError, `${JSON.stringify(text)} threw ${String(e)}`);
      }
    }),
    { numRuns: 3000 },
  );
});
