// "Protocols in frame" (frame.protocols) agree with tshark -r (one pass, as `tshark -Y` filters)
// for every frame: the lab's sample captures and CONNECT tunnels built here. What `-Y http` and
// `-Y tls` select depends on it: tunnel data is `…:tcp:http:tls` (HTTP passes it on), even the
// first piece of a split TLS record (Protocol column still "TCP"). The first pass's protocol bits
// (what the store's index-only filters read) must name the same protocols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { createRegistry } from '../../../src-main/core/dissect/index.js';
import { httpModule } from '../../../src-main/core/dissect/http.js';
import { tlsModule } from '../../../src-main/core/dissect/tls.js';
import { dnsModule } from '../../../src-main/core/dissect/dns.js';
import { readCaptureFileSync, type RawPacket } from '../../../src-main/core/pcap/index.js';
import { haveTshark, TcpStream, tsharkFields, writePcap, type Frame } from './pcap-helpers.js';

const DIR = path.resolve('resources/samples');
const samples = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => /\.pcapng?$/.test(f))
      .map((f) => path.join(DIR, f))
  : [];
const skip = !haveTshark() ? 'tshark not installed' : false;
const ONLY = [
  '--disable-protocol',
  'ALL',
  '--enable-protocol',
  'frame,eth,ethertype,sll,ip,ipv6,tcp,udp,dns,http,tls',
];

interface Mismatch {
  no: number;
  ours: string;
  theirs: string;
}

/** Per frame: our protocols (full dissection) vs tshark's, and first-pass bits vs our protocols. */
function compare(file: string): { frames: number; mismatches: Mismatch[]; maskMismatches: string[] } {
  const packets: RawPacket[] = [];
  readCaptureFileSync(file, (p) => packets.push({ ...p, data: p.data.slice() }));
  const registry = createRegistry([httpModule, tlsModule, dnsModule]);
  const engine = new PacketEngine({ registry, fetchFrame: (no) => packets[no - 1] });
  const masks = packets.map((p, i) => engine.indexWithSummary(p, i + 1).fast.protoMask);
  const known = new Set(['ethertype', ...registry.protocols().map((m) => m.name)]);
  const rows = tsharkFields(file, ['frame.protocols'], ONLY, false);
  assert.equal(rows.length, packets.length, file);
  const mismatches: Mismatch[] = [];
  const maskMismatches: string[] = [];
  rows.forEach((row, i) => {
    const d = engine.dissect(packets[i], i + 1);
    const ours = d.protocols.filter((p) => p !== 'frame').join(':');
    // tshark's names we do not dissect (data-text-lines, x509…) are left out of its list
    const theirs = (row[0] ?? '')
      .split(':')
      .filter((p) => known.has(p))
      .join(':');
    if (ours !== theirs) mismatches.push({ no: i + 1, ours, theirs });
    for (const name of ['http', 'tls', 'dns', 'tcp', 'udp']) {
      const id = registry.protocolId(name);
      if (id < 1 || id > 30) continue;
      const inMask = (masks[i] & (1 << id)) !== 0;
      if (inMask !== d.protocols.includes(name))
        maskMismatches.push(
          `frame ${i + 1}: ${name} ${inMask ? 'only in the first-pass bits' : 'missing from the first-pass bits'}`,
        );
    }
  });
  return { frames: rows.length, mismatches, maskMismatches };
}

test(
  'frame.protocols of every sample frame agree with tshark -r',
  { skip: skip || (samples.length === 0 ? 'no sample captures' : false) },
  () => {
    let frames = 0;
    for (const f of samples) {
      const r = compare(f);
      assert.deepEqual(r.mismatches, [], path.basename(f));
      assert.deepEqual(r.maskMismatches, [], `${path.basename(f)}: index bits vs dissection`);
      frames += r.frames;
    }
    assert.ok(frames > 100, `compared ${frames} frames`);
  },
);

test('CONNECT tunnels: HTTP passes the data on by target port, split records keep http:tls', { skip }, () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const record = new Uint8Array(5 + 3000);
  record.set([0x17, 0x03, 0x03, 3000 >> 8, 3000 & 0xff]);
  const frames: Frame[] = [];
  let port = 42000;
  const tunnel = (target: string, sends: [0 | 1, Uint8Array][]): void => {
    const s = new TcpStream(['10.0.0.1', port++], ['10.0.0.2', 3128]);
    s.send(0, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    s.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n');
    for (const [dir, b] of sends) s.send(dir, b);
    frames.push(...s.frames);
  };
  // a TLS record in three pieces: first http:tls (Protocol TCP), middle tcp, last http:tls
  tunnel('example.com:443', [
    [1, record.subarray(0, 1000)],
    [1, record.subarray(1000, 2000)],
    [1, record.subarray(2000)],
  ]);
  tunnel('example.com:993', [
    [1, record.subarray(0, 1000)],
    [1, record.subarray(1000)],
  ]);
  // :80 (HTTP's own port): data, not HTTP again; a port nobody claims: HTTP alone
  tunnel('example.com:80', [[0, enc('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n')]]);
  tunnel('example.com:1234', [[1, record.subarray(0, 1000)]]);
  // non-TLS bytes in a :443 tunnel: TLS refuses them, data
  tunnel('example.com:443', [[0, enc('SSH-2.0-OpenSSH\r\n')]]);
  // no port: TCP alone
  tunnel('example.com', [[1, record.subarray(0, 1000)]]);
  // HTTP's own header split: the first piece is TCP alone
  const h = new TcpStream(['10.0.0.1', port++], ['10.0.0.2', 3128]);
  h.send(0, 'GET http://example.com/ HTTP/1.1\r\nHost: exa').send(0, 'mple.com\r\n\r\n');
  frames.push(...h.frames);
  // plain TLS on 443, split: tcp:tls on the first piece
  const t = new TcpStream(['10.0.0.1', port++], ['10.0.0.2', 443]);
  t.send(1, record.subarray(0, 1000)).send(1, record.subarray(1000));
  frames.push(...t.frames);

  // a port no dissector claims: TLS takes the tunnel from a real handshake on (the healthy
  // sample's Client Hello / Server Hello / …), not from application data alone (above)
  const healthy = path.join(DIR, 'healthy.pcapng');
  if (existsSync(healthy)) {
    const raw: Uint8Array[] = [];
    readCaptureFileSync(healthy, (p) => raw.push(p.data.slice()));
    const tcpPayload = (d: Uint8Array): Uint8Array => {
      const l4 = 14 + (d[14] & 15) * 4;
      return d.slice(l4 + (d[l4 + 12] >> 4) * 4, 14 + ((d[16] << 8) | d[17]));
    };
    // frames 8 (Client Hello), 9 (Server Hello…), 11, 12 (application data) of the first tunnel
    tunnel(
      'example.com:8443',
      [8, 9, 11, 12].map((no) => [(no === 8 || no === 11 ? 0 : 1) as 0 | 1, tcpPayload(raw[no - 1])]),
    );
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-protocols-'));
  try {
    const file = path.join(dir, 'tunnels.pcap');
    writePcap(file, frames);
    const r = compare(file);
    assert.deepEqual(r.mismatches, []);
    assert.deepEqual(r.maskMismatches, []);
    // the cases above are really there (tshark's view, not ours)
    const theirs = tsharkFields(
      file,
      ['frame.protocols', '_ws.col.Protocol', 'http.proxy_connect_port'],
      ONLY,
      false,
    );
    assert.ok(
      theirs.some((row) => row[0].endsWith(':tcp:http:tls') && row[1] === 'TCP' && row[2] === '443'),
      'a waiting first piece in the tunnel',
    );
    assert.ok(
      theirs.some((row) => row[0].endsWith(':tcp:http:data') && row[2] === '80'),
      'the :80 tunnel',
    );
    if (existsSync(healthy))
      assert.equal(
        theirs.filter((row) => row[0].endsWith(':tcp:http:tls') && row[2] === '8443').length,
        4,
        'the :8443 tunnel',
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
