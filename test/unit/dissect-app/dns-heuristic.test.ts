// DNS on a UDP port no table names: Wireshark's "dns_udp" heuristic (on by default in tshark 4)
// makes it DNS when the header looks like one. Same datagrams through tshark when it is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { looksLikeDns } from '../../../src-main/core/dissect/dns.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import { udpFrame, writePcap, haveTshark, tsharkFields } from './pcap-helpers.js';
import { dnsMessage, PTR_QNAME } from './dns-build.js';

const A = { name: PTR_QNAME, type: 1, data: [127, 0, 0, 1] };
const q = [{ name: 'a.b', type: 1 }];
const many = (n: number) => Array(n).fill(A);
const pad = (m: Uint8Array, n: number): Uint8Array => Uint8Array.from([...m, ...new Uint8Array(n)]);
// the limits measured against tshark 4.0 (answers ≤ 100, authority ≤ 10, additional ≤ 10)
const cases: { what: string; payload: Uint8Array; dns: boolean }[] = [
  {
    what: 'a standard query',
    payload: dnsMessage(0x1234, 0x0100, [{ name: 'tools.cisco.com', type: 1 }]),
    dns: true,
  },
  {
    what: 'its response',
    payload: dnsMessage(0x1234, 0x8180, [{ name: 'tools.cisco.com', type: 1 }], [A]),
    dns: true,
  },
  { what: 'a query with two questions', payload: dnsMessage(1, 0x0100, [...q, ...q]), dns: false },
  { what: 'a query with an answer', payload: dnsMessage(1, 0x0100, q, [A]), dns: false },
  { what: 'an update (opcode 5)', payload: dnsMessage(2, 0x2800, [{ name: 'a.b', type: 6 }]), dns: false },
  { what: 'a status request (opcode 2)', payload: dnsMessage(2, 0x1100, q), dns: false },
  { what: 'a response with 100 answers', payload: dnsMessage(3, 0x8180, q, many(100)), dns: true },
  { what: 'a response with 101 answers', payload: dnsMessage(3, 0x8180, q, many(101)), dns: false },
  {
    what: 'a response with 11 authority records',
    payload: dnsMessage(3, 0x8180, q, [], many(11)),
    dns: false,
  },
  {
    what: 'a query with 10 additional records',
    payload: dnsMessage(3, 0x0100, q, [], [], many(10)),
    dns: true,
  },
  {
    what: 'a query with 11 additional records',
    payload: dnsMessage(3, 0x0100, q, [], [], many(11)),
    dns: false,
  },
  {
    what: 'a response with no records and a byte more',
    payload: pad(dnsMessage(3, 0x8180, []), 1),
    dns: true,
  },
  { what: 'a header and one byte', payload: dnsMessage(4, 0x0100, q).subarray(0, 13), dns: true },
  { what: 'a header alone', payload: dnsMessage(4, 0x0100, []).subarray(0, 12), dns: false },
  { what: 'zeros', payload: new Uint8Array(40), dns: false },
  { what: 'text', payload: new TextEncoder().encode('hello there, this is no DNS at all'), dns: false },
];

test('the DNS heuristic takes what Wireshark takes on unregistered UDP ports', () => {
  const engine = new PacketEngine();
  cases.forEach((c, i) => {
    assert.equal(looksLikeDns(c.payload, 0, c.payload.length), c.dns, c.what);
    const data = udpFrame('127.0.0.1', 40000 + i, '127.0.0.1', 45000, c.payload);
    const raw: RawPacket = {
      data,
      tsSec: 1,
      tsNsec: 0,
      capturedLength: data.length,
      originalLength: data.length,
      interfaceId: 0,
      linkType: 1,
      dataOffset: -1,
    };
    engine.index(raw, i + 1);
    assert.equal(engine.summary(raw, i + 1).protocol, c.dns ? 'DNS' : 'UDP', c.what);
  });
});

test(
  'tshark agrees on which of these datagrams are DNS',
  { skip: !haveTshark() && 'tshark is not installed' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dns-heur-'));
    try {
      const file = path.join(dir, 'x.pcap');
      writePcap(
        file,
        cases.map((c, i) => ({
          ts: 1 + i / 10,
          data: udpFrame('127.0.0.1', 40000 + i, '127.0.0.1', 45000, c.payload),
        })),
      );
      const rows = tsharkFields(file, ['_ws.col.Protocol'], [], false);
      assert.deepEqual(
        rows.map((r) => r[0]),
        cases.map((c) => (c.dns ? 'DNS' : 'UDP')),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
