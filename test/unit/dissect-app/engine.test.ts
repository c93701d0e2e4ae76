// The app modules inside the engine on hand-built captures: DNS over UDP and TCP (length prefix,
// split across segments), HTTP header blocks and bodies split across segments, pipelined
// requests, a CONNECT tunnel on a non-proxy port. Rows are compared with tshark where it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { createRegistry } from '../../../src-main/core/dissect/index.js';
import { httpModule } from '../../../src-main/core/dissect/http.js';
import { tlsModule } from '../../../src-main/core/dissect/tls.js';
import { dnsModule } from '../../../src-main/core/dissect/dns.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import { dnsMessage, PTR_QNAME } from './dns-build.js';
import {
  haveTshark,
  TcpStream,
  tsharkFields,
  udpFrame,
  writePcap,
  type Frame,
  withoutSni,
} from './pcap-helpers.js';

function run(frames: Frame[]) {
  const raws: RawPacket[] = frames.map((f) => {
    const sec = Math.floor(f.ts);
    return {
      tsSec: sec,
      tsNsec: Math.round((f.ts - sec) * 1e6) * 1000,
      capturedLength: f.data.length,
      originalLength: f.data.length,
      interfaceId: 0,
      linkType: 1,
      data: f.data,
      dataOffset: -1,
    };
  });
  const engine = new PacketEngine({
    registry: createRegistry([httpModule, tlsModule, dnsModule]),
    fetchFrame: (no) => raws[no - 1],
  });
  const fast = raws.map((r, i) => engine.index(r, i + 1).severity);
  const rows = raws.map((r, i) => engine.summary(r, i + 1));
  // the first pass (scan functions, no tree) rates every packet as the full dissection does
  const rank = { chat: 1, note: 2, warn: 3, error: 4 } as const;
  assert.deepEqual(
    fast,
    rows.map((r) => (r.severity ? rank[r.severity] : 0)),
  );
  return {
    rows,
    dissect: (no: number) => engine.dissect(raws[no - 1], no),
  };
}

/** Compares Protocol and Info of every packet with tshark (Info only for our app protocols). */
function crossCheck(
  t: { skip: (m: string) => void },
  frames: Frame[],
  rows: { protocol: string; info: string }[],
  extra: string[] = [],
): void {
  if (!haveTshark()) return t.skip('tshark not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'ps-app-engine-'));
  try {
    const f = path.join(dir, 'x.pcap');
    writePcap(f, frames);
    const only = [
      '--disable-protocol',
      'ALL',
      '--enable-protocol',
      'frame,eth,ethertype,ip,tcp,udp,dns,http,tls',
    ];
    const ts = tsharkFields(f, ['_ws.col.Protocol', '_ws.col.Info'], [...only, ...extra]);
    assert.equal(ts.length, rows.length);
    rows.forEach((r, i) => {
      const where = `frame ${i + 1}: tshark ${ts[i][0]} "${ts[i][1]}", ours ${r.protocol} "${r.info}"`;
      assert.equal(r.protocol, ts[i][0], where);
      if (['DNS', 'HTTP'].includes(r.protocol) || r.protocol.startsWith('TLS')) {
        assert.equal(withoutSni(r.info), ts[i][1], where);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('DNS over UDP and over TCP with the length prefix split across segments', (t) => {
  const q = dnsMessage(0x1a2b, 0x0100, [{ name: 'tools.cisco.com', type: 1 }]);
  const a = dnsMessage(
    0x1a2b,
    0x8180,
    [{ name: 'tools.cisco.com', type: 1 }],
    [{ name: PTR_QNAME, type: 1, data: [72, 163, 4, 161] }],
  );
  const frames: Frame[] = [
    { ts: 1_700_000_000, data: udpFrame('10.40.40.1', 53000, '10.40.40.53', 53, q) },
    { ts: 1_700_000_000.01, data: udpFrame('10.40.40.53', 53, '10.40.40.1', 53000, a) },
  ];
  const s = new TcpStream(['10.40.40.1', 53001], ['10.40.40.53', 53]);
  const withLen = (m: Uint8Array) => Uint8Array.from([m.length >> 8, m.length & 0xff, ...m]);
  s.send(0, withLen(q));
  const al = withLen(a);
  s.send(1, al.subarray(0, 10));
  s.send(1, al.subarray(10));
  frames.push(...s.frames.map((f) => ({ ...f, ts: f.ts - 1_700_000_000 + 1_700_000_001 })));
  const { rows, dissect } = run(frames);
  assert.equal(rows[0].info, 'Standard query 0x1a2b A tools.cisco.com');
  assert.equal(rows[1].info, 'Standard query response 0x1a2b A tools.cisco.com A 72.163.4.161');
  assert.equal(rows[0].protocol, 'DNS');
  assert.equal(rows[5].info, 'Standard query 0x1a2b A tools.cisco.com');
  assert.equal(rows[7].info, 'Standard query response 0x1a2b A tools.cisco.com A 72.163.4.161');
  assert.deepEqual(dissect(8).fields.values('dns.a'), ['72.163.4.161']);
  // query/response linking, over UDP and TCP
  assert.deepEqual(dissect(1).fields.values('dns.response_in'), [2]);
  assert.deepEqual(dissect(2).fields.values('dns.response_to'), [1]);
  assert.ok(Math.abs(Number(dissect(2).fields.values('dns.time')[0]) - 0.01) < 1e-6);
  assert.deepEqual(dissect(6).fields.values('dns.response_in'), [8]);
  assert.deepEqual(dissect(8).fields.values('dns.response_to'), [6]);
  crossCheck(t, frames, rows);
});

test('HTTP: header block and body split across segments, pipelined requests, tunnel on port 8443', (t) => {
  const s = new TcpStream(['10.40.40.1', 40220], ['10.10.10.1', 8443]);
  const connect =
    'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n';
  s.send(0, connect.slice(0, 25)); // 4: segment of a reassembled PDU
  s.send(0, connect.slice(25)); // 5: CONNECT
  const page = '<html><body>auth</body></html>';
  const r407 = `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\nProxy-Authenticate: NTLM\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\n\r\n`;
  s.send(1, r407); // 6: header only, body follows
  s.send(1, page); // 7: 407 complete
  s.send(0, connect.replace('\r\n\r\n', '\r\nProxy-Authorization: Basic YWxpY2U6cHc=\r\n\r\n')); // 8
  s.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n', 0.176633); // 9
  s.send(0, Uint8Array.from([0x17, 3, 3, 0, 4, 1, 2, 3, 4])); // 10: tunnel data
  s.send(1, Uint8Array.from([0x17, 3, 3, 0, 4, 5, 6, 7, 8])); // 11
  // another connection: two pipelined requests in one segment (frames 12-14 handshake)
  const p = new TcpStream(['10.40.40.1', 40221], ['10.10.10.1', 8443]);
  const get = (x: string) => `GET http://example.com/${x} HTTP/1.1\r\nHost: example.com\r\n\r\n`;
  p.send(0, get('a') + get('b')); // 15
  p.send(1, 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'); // 16
  p.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); // 17
  const frames = [...s.frames, ...p.frames.map((f) => ({ ...f, ts: f.ts + 1 }))];
  const { rows, dissect } = run(frames);
  assert.equal(rows[4].info, 'CONNECT tools.cisco.com:443 HTTP/1.1 ');
  assert.equal(rows[6].info, 'HTTP/1.1 407 Proxy Authentication Required  (text/html)');
  const d407 = dissect(7);
  assert.deepEqual(d407.fields.values('http.request_in'), [5]);
  assert.deepEqual(d407.fields.values('http.proxy_authenticate.scheme'), ['Basic', 'NTLM']);
  assert.equal(d407.extraSources.length, 1);
  assert.deepEqual(dissect(5).fields.values('http.response_in'), [7]);
  assert.deepEqual(dissect(9).fields.values('http.request_in'), [8]);
  assert.deepEqual(dissect(9).fields.values('http.response.code'), [200]);
  assert.equal(rows[9].protocol, 'TLSv1.2');
  assert.deepEqual(dissect(15).fields.values('http.request.method'), ['GET', 'GET']);
  assert.deepEqual(dissect(15).fields.values('http.response_in'), [16, 17]);
  assert.deepEqual(dissect(16).fields.values('http.request_in'), [15]);
  assert.deepEqual(dissect(17).fields.values('http.request_in'), [15]);
  assert.deepEqual(dissect(17).fields.values('http.response_for.uri'), ['http://example.com/b']);
  crossCheck(t, frames, rows, ['-d', 'tcp.port==8443,http']);
});

test('a CONNECT tunnel to port 80: HTTP passes the bytes on as data (tshark 4.0), not TLS', (t) => {
  const s = new TcpStream(['10.40.40.1', 40230], ['10.10.10.1', 3128]);
  s.send(0, 'CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n');
  s.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n');
  s.send(0, 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
  s.send(1, 'HTTP/1.1 302 Found\r\nLocation: /healthcheck\r\nContent-Length: 0\r\n\r\n');
  const { rows, dissect } = run(s.frames);
  assert.deepEqual(
    rows.slice(3).map((r) => `${r.protocol} ${r.info}`),
    [
      'HTTP CONNECT example.com:80 HTTP/1.1 ',
      'HTTP HTTP/1.1 200 Connection established ',
      'TCP 40230 → 3128 [PSH, ACK] Seq=58 Ack=40 Win=65535 Len=37',
      'TCP 3128 → 40230 [PSH, ACK] Seq=40 Ack=95 Win=65535 Len=65',
    ],
  );
  const tunnelled = dissect(6);
  assert.deepEqual(tunnelled.protocols.slice(-3), ['tcp', 'http', 'data']);
  assert.deepEqual(tunnelled.fields.values('http.proxy_connect_host'), ['example.com']);
  assert.deepEqual(tunnelled.fields.values('http.proxy_connect_port'), [80]);
  assert.deepEqual(tunnelled.fields.values('http.request.method'), []);
  crossCheck(t, s.frames, rows);
});

test('a conversation found to be HTTP stays HTTP: with the 200 lost, TLS bytes are a Continuation', (t) => {
  const s = new TcpStream(['10.40.40.1', 40240], ['10.10.10.1', 3128]);
  s.send(0, 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n');
  s.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n');
  s.send(0, Uint8Array.from([0x16, 3, 1, 0, 4, 1, 0, 0, 0]));
  s.send(1, Uint8Array.from([0x17, 3, 3, 0, 4, 5, 6, 7, 8]));
  const frames = s.frames.filter((_, i) => i !== 4); // the capture missed the 200
  const { rows } = run(frames);
  assert.equal(rows[4].protocol, 'HTTP');
  assert.match(rows[4].info, /Continuation$/);
  crossCheck(t, frames, rows);
});

test('non-TLS bytes in a CONNECT tunnel: text before any TLS is TCP, binary is "Continuation Data", as tshark', (t) => {
  const frames: Frame[] = [];
  const tunnel = (k: number, data: [0 | 1, string | Uint8Array][]) => {
    const s = new TcpStream(['10.40.40.1', 40260 + k], ['10.10.10.1', 3128]);
    s.send(0, 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n');
    s.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n');
    for (const [dir, p] of data) s.send(dir, p);
    frames.push(...s.frames.map((f) => ({ ...f, ts: f.ts + k })));
  };
  const bin = (first: number) => Uint8Array.from([first, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // (no TLS record follows: with one, tshark -2 shows the earlier bytes as "TLSv1.2 Ignored Unknown Record")
  tunnel(0, [
    [0, 'hello, this is not TLS at all\r\n'],
    [1, bin(1)],
  ]); // 6-7
  tunnel(1, [
    [1, 'text from the server first\r\n'],
    [0, bin(1)],
  ]); // 13-14
  tunnel(2, [
    [0, bin(0x80)],
    [1, bin(0xff)],
  ]); // 20-21
  const { rows, dissect } = run(frames);
  const at = (no: number) => `${rows[no - 1].protocol} ${rows[no - 1].info}`;
  assert.equal(at(6), 'TCP 40260 → 3128 [PSH, ACK] Seq=68 Ack=40 Win=65535 Len=31');
  assert.equal(dissect(6).fields.hasProtocol('tls'), false);
  assert.equal(at(7), 'SSL Continuation Data');
  assert.match(at(13), /^TCP 3128 → 40261 \[PSH, ACK\]/);
  assert.equal(at(14), 'SSL Continuation Data');
  assert.deepEqual([at(20), at(21)], ['SSL Continuation Data', 'SSL Continuation Data']);
  // the single pass (analyze) decides the same way
  const single = new PacketEngine({ registry: createRegistry([httpModule, tlsModule, dnsModule]) });
  frames.forEach((f, i) => {
    const raw: RawPacket = {
      tsSec: Math.floor(f.ts),
      tsNsec: 0,
      capturedLength: f.data.length,
      originalLength: f.data.length,
      interfaceId: 0,
      linkType: 1,
      data: f.data,
      dataOffset: -1,
    };
    const s = single.indexWithSummary(raw, i + 1).summary;
    assert.deepEqual([s.protocol, s.info], [rows[i].protocol, rows[i].info], `single pass, frame ${i + 1}`);
  });
  crossCheck(t, frames, rows);
});

test('presence fields (tls.record, tls.handshake, tls.change_cipher_spec) can be filtered on', () => {
  const s = new TcpStream(['10.40.40.1', 40250], ['10.10.10.1', 443]);
  s.send(1, Uint8Array.from([0x14, 3, 3, 0, 1, 1, 0x16, 3, 3, 0, 4, 0x0e, 0, 0, 0]));
  const { dissect } = run(s.frames);
  const d = dissect(4);
  assert.equal(d.summary.info, 'Change Cipher Spec, Encrypted Handshake Message');
  assert.deepEqual(d.fields.values('tls.record'), [true, true]);
  assert.deepEqual(d.fields.values('tls.change_cipher_spec'), [true]);
  assert.ok(d.fields.hasProtocol('tls'));
});
