import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dnsInfo, dnsTree, parseDns } from '../../../src-main/core/dissect/dns-parse.js';
import type { FieldNode } from '../../../src-main/core/dissect/types.js';
import { dnsMessage, name, PTR_QNAME, u16, u32 } from './dns-build.js';
import { haveTshark, tsharkFields, udpFrame, writePcap } from './pcap-helpers.js';

function values(n: FieldNode, field: string, out: unknown[] = []): unknown[] {
  if (n.field === field && n.value !== undefined) out.push(n.value);
  for (const c of n.children ?? []) values(c, field, out);
  return out;
}

const query = dnsMessage(0x1a2b, 0x0100, [{ name: 'tools.cisco.com', type: 1 }]);
const answer = dnsMessage(
  0x1a2b,
  0x8180,
  [{ name: 'tools.cisco.com', type: 1 }],
  [{ name: PTR_QNAME, type: 1, data: [72, 163, 4, 161] }],
);
const nxdomain = dnsMessage(
  0x1a2b,
  0x8183,
  [{ name: 'nosuch.example', type: 1 }],
  [],
  [
    {
      name: [0],
      type: 6,
      data: [
        ...name('a.root-servers.net'),
        ...name('nstld.verisign-grs.com'),
        ...u32(2024010100),
        ...u32(1800),
        ...u32(900),
        ...u32(604800),
        ...u32(86400),
      ],
    },
  ],
);
const mixed = dnsMessage(
  0x0007,
  0x8180,
  [{ name: 'www.example.com', type: 28 }],
  [
    { name: PTR_QNAME, type: 5, data: name('edge.example.net') },
    { name: [0xc0, 0x21], type: 28, data: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
  ],
);
const others = dnsMessage(
  0x0008,
  0x8180,
  [{ name: 'example.com', type: 255 }],
  [
    { name: PTR_QNAME, type: 15, data: [...u16(10), ...name('mx.example.com')] },
    { name: PTR_QNAME, type: 16, data: [5, ...Buffer.from('hello'), 3, ...Buffer.from('abc')] },
    { name: PTR_QNAME, type: 33, data: [...u16(0), ...u16(5), ...u16(5060), ...name('sip.example.com')] },
    { name: PTR_QNAME, type: 2, data: name('ns1.example.com') },
    { name: PTR_QNAME, type: 12, data: name('host.example.com') },
  ],
);

test('DNS query: Info and fields as Wireshark', () => {
  const m = parseDns(query, 0, query.length);
  assert.equal(dnsInfo(m), 'Standard query 0x1a2b A tools.cisco.com');
  const { node, expert } = dnsTree(m);
  assert.deepEqual(expert, []);
  assert.deepEqual(values(node, 'dns.qry.name'), ['tools.cisco.com']);
  assert.deepEqual(values(node, 'dns.id'), [0x1a2b]);
  assert.equal(node.label, 'Domain Name System (query)');
});

test('DNS response with a compressed name: A record', () => {
  const m = parseDns(answer, 0, answer.length);
  assert.equal(dnsInfo(m), 'Standard query response 0x1a2b A tools.cisco.com A 72.163.4.161');
  const { node } = dnsTree(m);
  assert.deepEqual(values(node, 'dns.a'), ['72.163.4.161']);
  assert.deepEqual(values(node, 'dns.resp.name'), ['tools.cisco.com']);
  assert.deepEqual(values(node, 'dns.flags.rcode'), [0]);
});

test('DNS NXDOMAIN names the rcode and the SOA of the authority section', () => {
  const m = parseDns(nxdomain, 0, nxdomain.length);
  assert.equal(
    dnsInfo(m),
    'Standard query response 0x1a2b No such name A nosuch.example SOA a.root-servers.net',
  );
  const { node } = dnsTree(m);
  assert.deepEqual(values(node, 'dns.flags.rcode'), [3]);
  assert.deepEqual(values(node, 'dns.soa.rname'), ['nstld.verisign-grs.com']);
});

test('DNS CNAME + AAAA, MX, TXT, SRV, NS, PTR', () => {
  const m = parseDns(mixed, 0, mixed.length);
  assert.equal(
    dnsInfo(m),
    'Standard query response 0x0007 AAAA www.example.com CNAME edge.example.net AAAA 2001:db8::1',
  );
  const o = parseDns(others, 0, others.length);
  assert.equal(o.malformed, undefined);
  assert.equal(
    dnsInfo(o),
    'Standard query response 0x0008 ANY example.com MX 10 mx.example.com TXT SRV 0 5 5060 sip.example.com NS ns1.example.com PTR host.example.com',
  );
  const { node } = dnsTree(o);
  assert.deepEqual(values(node, 'dns.txt'), ['hello', 'abc']);
  assert.deepEqual(values(node, 'dns.srv.port'), [5060]);
  assert.deepEqual(values(node, 'dns.mx.mail_exchange'), ['mx.example.com']);
});

test('DNS compression loop and truncation give a malformed expert item, not an exception', () => {
  const loop = Uint8Array.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1]);
  const m = parseDns(loop, 0, loop.length);
  assert.match(m.malformed ?? '', /compression loop/);
  assert.equal(dnsTree(m).expert[0].id, 'malformed');
  for (let cut = 0; cut < answer.length; cut++) {
    const t = parseDns(answer, 0, cut);
    assert.ok(t.malformed, `cut at ${cut} should be malformed`);
    assert.equal(dnsTree(t).expert.length, 1);
  }
});

test('DNS Info matches tshark for the same packets', (t) => {
  if (!haveTshark()) return t.skip('tshark not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'ps-dns-'));
  try {
    const msgs = [query, answer, nxdomain, mixed, others];
    const frames = msgs.map((p, i) => ({
      ts: 1_700_000_000 + i,
      data: udpFrame('10.40.40.1', 40000 + i, '10.10.10.53', 53, p),
    }));
    const f = path.join(dir, 'dns.pcap');
    writePcap(f, frames);
    const rows = tsharkFields(f, ['_ws.col.Protocol', '_ws.col.Info', 'dns.qry.name', 'dns.a']);
    assert.equal(rows.length, msgs.length);
    msgs.forEach((p, i) => {
      const m = parseDns(p, 0, p.length);
      assert.equal(rows[i][0], 'DNS');
      assert.equal(dnsInfo(m), rows[i][1].trim(), `packet ${i + 1}`);
    });
    assert.equal(rows[1][3], '72.163.4.161');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
