import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withProtocolBytes } from '../../../src-main/core/store/protocol-bytes.js';
import { compileFilter } from '../../../src-main/core/filter/index.js';
import type { FieldSource, PacketDetail } from '../../../src-main/core/dissect/types.js';

test('a protocol name in contains/matches stands for the bytes the protocol spans', () => {
  const bytes = new TextEncoder().encode('xxxxHTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
  const reassembled = new TextEncoder().encode('\x16\x03\x01tools.cisco.com');
  const detail: PacketDetail = {
    summary: { no: 1, time: 0, src: 'a', dst: 'b', protocol: 'HTTP', length: bytes.length, info: '' },
    tree: [
      { label: 'Frame', field: 'frame', offset: 0, length: bytes.length },
      {
        label: 'Hypertext Transfer Protocol',
        field: 'http',
        offset: 4,
        length: bytes.length - 4,
        children: [{ label: 'x', field: 'http.response.code', value: 407, offset: 13, length: 3 }],
      },
      { label: 'Transport Layer Security', field: 'tls', offset: 0, length: reassembled.length, source: 1 },
    ],
    bytes,
    extraSources: [{ label: 'Reassembled', bytes: reassembled }],
    expert: [],
  };
  const fields: FieldSource = {
    hasProtocol: (n) => ['frame', 'http', 'tls'].includes(n),
    values: (f) => (f === 'http.response.code' ? [407] : []),
  };
  const src = withProtocolBytes(detail, fields);
  assert.equal(compileFilter('http contains "Proxy"').test(src), true);
  assert.equal(compileFilter('http contains "xxxx"').test(src), false, 'only the bytes under the http node');
  assert.equal(compileFilter('tls matches "CISCO"').test(src), true, 'reassembled sources too');
  assert.equal(compileFilter('http.response.code == 407').test(src), true);
  assert.equal(compileFilter('dns contains "x"').test(src), false);
});

test('a protocol whose only values are presence marks (true) still stands for its bytes', () => {
  const bytes = new TextEncoder().encode('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
  const detail: PacketDetail = {
    summary: { no: 1, time: 0, src: 'a', dst: 'b', protocol: 'HTTP', length: bytes.length, info: '' },
    tree: [{ label: 'Hypertext Transfer Protocol', field: 'http', offset: 0, length: bytes.length }],
    bytes,
    extraSources: [],
    expert: [],
  };
  const fields: FieldSource = {
    hasProtocol: (n) => n === 'http' || n === 'udp',
    values: (f) => (f === 'http' || f === 'udp' ? [true] : []),
  };
  const src = withProtocolBytes(detail, fields);
  assert.equal(compileFilter('http contains "Proxy"').test(src), true);
  assert.equal(compileFilter('http contains "Squid"').test(src), false);
  assert.equal(compileFilter('udp').test(src), true, 'presence without a tree node still counts');
});
