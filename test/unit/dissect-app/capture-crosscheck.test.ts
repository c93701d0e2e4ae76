// End to end on real traffic: TLS 1.2 / 1.3 handshakes, a handshake failure, and CONNECT tunnels
// through a tiny proxy on 127.0.0.1 (407 → credentials → 200 → TLS, 403 with X-Squid-Error, a
// header and a certificate flight split across segments), captured with tcpdump on lo, then
// dissected by the engine and compared packet by packet with tshark.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type net from 'node:net';
import { PacketEngine, type DissectedPacket } from '../../../src-main/core/dissect/engine.js';
import { createRegistry } from '../../../src-main/core/dissect/index.js';
import { httpModule } from '../../../src-main/core/dissect/http.js';
import { tlsModule } from '../../../src-main/core/dissect/tls.js';
import { dnsModule } from '../../../src-main/core/dissect/dns.js';
import { readCaptureFileSync, type RawPacket } from '../../../src-main/core/pcap/index.js';
import type { FieldNode } from '../../../src-main/core/dissect/types.js';
import {
  canCapture,
  close,
  connectProxy,
  listen,
  makeCert,
  startTcpdump,
  stopTcpdump,
  tlsExchange,
  tlsServer,
  tunnelExchange,
} from './live-capture.js';
import { haveTshark, tsharkFields, withoutSni } from './pcap-helpers.js';

const SECRET = 'S3cr3t-pw';
const skip = canCapture() ?? (haveTshark() ? null : 'tshark not installed');

let dir = '';
let file = '';
let proxyPorts: number[] = [];
const packets: RawPacket[] = [];
let engine: PacketEngine;
const servers: net.Server[] = [];
let tcpdump: ChildProcess | null = null;
const fastSeverity: number[] = [];

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'ps-dissect-app-'));
  file = path.join(dir, 'flows.pcap');
  const cert = makeCert();
  const s12 = tlsServer(cert, { maxVersion: 'TLSv1.2' });
  const s13 = tlsServer(cert, {});
  const sBad = tlsServer(cert, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
  servers.push(s12, s13, sBad);
  const [p12, p13, pBad] = [await listen(s12), await listen(s13), await listen(sBad)];
  const proxyAuth = connectProxy(p12, { requireAuth: true });
  const proxySplit = connectProxy(p12, { chunk: 200 });
  servers.push(proxyAuth, proxySplit);
  proxyPorts = [await listen(proxyAuth), await listen(proxySplit)];
  const ports = [p12, p13, pBad, ...proxyPorts];
  tcpdump = await startTcpdump(file, ports.map((p) => `tcp port ${p}`).join(' or '));
  try {
    assert.equal(
      (await tlsExchange({ port: p12, host: '127.0.0.1', servername: 'tools.cisco.com' })).ok,
      true,
    );
    assert.equal(
      (await tlsExchange({ port: p13, host: '127.0.0.1', servername: 'tools.cisco.com' })).ok,
      true,
    );
    assert.equal(
      (
        await tlsExchange({
          port: pBad,
          host: '127.0.0.1',
          servername: 'tools.cisco.com',
          ciphers: 'ECDHE-RSA-CHACHA20-POLY1305',
          maxVersion: 'TLSv1.2',
        })
      ).ok,
      false,
    );
    const viaAuth = await tunnelExchange(proxyPorts[0], 'tools.cisco.com', {
      credentials: `alice:${SECRET}`,
    });
    assert.equal(viaAuth.status, 'HTTP/1.1 200 Connection established');
    const blocked = await tunnelExchange(proxyPorts[1], 'blocked.example');
    assert.equal(blocked.status, 'HTTP/1.1 403 Forbidden');
    const split = await tunnelExchange(proxyPorts[1], 'tools.cisco.com', { splitHeader: true });
    assert.equal(split.ok, true);
  } finally {
    await stopTcpdump(tcpdump);
    tcpdump = null;
  }
  readCaptureFileSync(file, (p) => packets.push({ ...p, data: p.data.slice() }));
  engine = new PacketEngine({
    registry: createRegistry([httpModule, tlsModule, dnsModule]),
    fetchFrame: (no) => packets[no - 1],
  });
  packets.forEach((p, i) => fastSeverity.push(engine.index(p, i + 1).severity));
});

after(async () => {
  if (tcpdump) await stopTcpdump(tcpdump);
  for (const s of servers) await close(s).catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function dissect(no: number): DissectedPacket {
  return engine.dissect(packets[no - 1], no);
}

function allLabels(nodes: FieldNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(n.label, typeof n.value === 'string' ? n.value : '');
    allLabels(n.children ?? [], out);
  }
  return out;
}

const RANK = { chat: 1, note: 2, warn: 3, error: 4 } as const;
const FIELDS = [
  'frame.number',
  '_ws.col.Protocol',
  'http.request.method',
  'http.response.code',
  'tls.handshake.extensions_server_name',
  'tls.handshake.type',
  'x509ce.dNSName',
  '_ws.col.Info',
  'tcp.analysis.acks_frame',
  'tcp.analysis.ack_rtt',
];

/**
 * tshark with only the protocols we dissect (ephemeral ports may collide with ports tshark gives
 * to others) and the test's proxy ports decoded as HTTP.
 */
function tsharkOptions(): string[] {
  const only = [
    '--disable-protocol',
    'ALL',
    '--enable-protocol',
    'frame,eth,ethertype,ip,tcp,http,tls,x509af,x509ce,x509if,x509sat,pkcs1,ber',
  ];
  return [...only, ...proxyPorts.flatMap((p) => ['-d', `tcp.port==${p},http`])];
}

test(
  'every packet agrees with tshark: Protocol, HTTP method/status, SNI, handshake types, SANs, Info',
  { skip: skip ?? false },
  () => {
    const extra = tsharkOptions();
    const rows = tsharkFields(file, FIELDS, extra);
    assert.equal(rows.length, packets.length);
    let http = 0;
    let tls = 0;
    for (const row of rows) {
      const no = Number(row[0]);
      const d = dissect(no);
      const s = engine.summary(packets[no - 1], no);
      const where = `frame ${no} (tshark: ${row[1]} "${row[7]}", ours: ${s.protocol} "${s.info}")`;
      assert.equal(fastSeverity[no - 1], s.severity ? RANK[s.severity] : 0, `first-pass severity, ${where}`);
      assert.equal(s.protocol, row[1], where);
      const vals = (f: string) => d.fields.values(f).map(String).join(',');
      assert.equal(vals('http.request.method'), row[2], where);
      assert.equal(vals('http.response.code'), row[3], where);
      assert.equal(vals('tls.handshake.extensions_server_name'), row[4], where);
      assert.equal(vals('tls.handshake.type'), row[5], where);
      assert.equal(vals('x509ce.dNSName'), row[6], where);
      assert.equal(vals('tcp.analysis.acks_frame'), row[8] ?? '', `tcp.analysis.acks_frame, ${where}`);
      assert.equal(
        d.fields
          .values('tcp.analysis.ack_rtt')
          .map((v) => Number(v).toFixed(9))
          .join(','),
        row[9] ?? '',
        `tcp.analysis.ack_rtt, ${where}`,
      );
      if (s.protocol === 'HTTP' || s.protocol.startsWith('TLS')) {
        assert.equal(withoutSni(s.info), row[7], where);
        if (s.protocol === 'HTTP') http++;
        else tls++;
      }
    }
    assert.ok(http >= 6 && tls >= 20, `saw ${http} HTTP and ${tls} TLS packets`);
  },
);

test(
  'tunnel: CONNECT → 407 (Basic, NTLM) → CONNECT with credentials → 200 → TLS inside',
  { skip: skip ?? false },
  () => {
    const rows = packets.map((p, i) => engine.summary(p, i + 1));
    const r407 = rows.find((r) => r.info.startsWith('HTTP/1.1 407'))!;
    assert.equal(r407.info, 'HTTP/1.1 407 Proxy Authentication Required  (text/html)');
    const d407 = dissect(r407.no);
    assert.ok(
      d407.expert.some(
        (e) => e.message === 'Proxy authentication required, offered: Basic, NTLM' && e.severity === 'note',
      ),
    );
    assert.deepEqual(d407.fields.values('http.squid_error'), ['ERR_CACHE_ACCESS_DENIED 0']);
    const ok = rows.find((r) => r.info === 'HTTP/1.1 200 Connection established ')!;
    const dOk = dissect(ok.no);
    const reqNo = Number(dOk.fields.values('http.request_in')[0]);
    const dReq = dissect(reqNo);
    assert.equal(dReq.summary.info, 'CONNECT tools.cisco.com:443 HTTP/1.1 ');
    assert.deepEqual(dReq.fields.values('http.response_in'), [ok.no]);
    assert.deepEqual(dReq.fields.values('http.request.full_uri'), ['tools.cisco.com:443']);
    assert.deepEqual(dReq.fields.values('http.proxy_authorization.user'), ['alice']);
    assert.match(allLabels(dOk.tree).join('\n'), /\[Time since request: 0\.\d{9} seconds\]/);
    // the next client packet in that conversation is TLS inside the tunnel
    const hello = rows.find((r) => r.no > ok.no && r.info.startsWith('Client Hello'))!;
    assert.equal(hello.info, 'Client Hello (SNI=tools.cisco.com)');
    assert.equal(hello.protocol, 'TLSv1.2');
  },
);

test('the proxy password never appears in any tree, field value or Info', { skip: skip ?? false }, () => {
  const b64 = Buffer.from(`alice:${SECRET}`).toString('base64');
  for (let no = 1; no <= packets.length; no++) {
    const d = dissect(no);
    const text = allLabels(d.tree).join('\n') + d.summary.info + d.expert.map((e) => e.message).join('\n');
    assert.ok(!text.includes(SECRET) && !text.includes(b64), `frame ${no} leaks the credentials`);
  }
});

test('403 with X-Squid-Error and handshake failure alert are flagged', { skip: skip ?? false }, () => {
  const rows = packets.map((p, i) => engine.summary(p, i + 1));
  const r403 = rows.find((r) => r.info.startsWith('HTTP/1.1 403'))!;
  assert.equal(r403.info, 'HTTP/1.1 403 Forbidden  (text/html)');
  assert.equal(r403.severity, 'warn');
  assert.deepEqual(dissect(r403.no).fields.values('http.squid_error'), ['ERR_ACCESS_DENIED 0']);
  const alert = rows.find((r) => r.info === 'Alert (Level: Fatal, Description: Handshake Failure)')!;
  assert.equal(alert.protocol, 'TLSv1.2');
  assert.equal(alert.severity, 'warn');
});

test(
  'certificate flight split over many segments is reassembled and decoded',
  { skip: skip ?? false },
  () => {
    const rows = packets.map((p, i) => engine.summary(p, i + 1));
    const certRows = rows.filter((r) => r.info.includes('Certificate'));
    assert.ok(certRows.length >= 3);
    for (const r of certRows) {
      const d = dissect(r.no);
      assert.deepEqual(d.fields.values('x509af.subject'), ['CN=tools.cisco.com, O=ProxyScope Test, C=US']);
      assert.deepEqual(d.fields.values('x509ce.dNSName'), ['tools.cisco.com', 'www.tools.cisco.com']);
    }
    // at least one of them came from a reassembled buffer (the chunking proxy)
    assert.ok(certRows.some((r) => dissect(r.no).extraSources.length > 0));
  },
);

// A single pass marks "[TCP segment of a reassembled PDU]" only when nothing was dissected before
// the piece that waits (tshark -r: "Server Hello" alone when the Certificate record continues).
test(
  'single-pass rows (as `proxyscope analyze` prints them) agree with tshark -r',
  { skip: skip ?? false },
  () => {
    const extra = tsharkOptions();
    const rows = tsharkFields(file, ['_ws.col.Protocol', '_ws.col.Info'], extra, false);
    const single = new PacketEngine({ registry: createRegistry([httpModule, tlsModule, dnsModule]) });
    assert.equal(rows.length, packets.length);
    packets.forEach((p, i) => {
      const s = single.indexWithSummary(p, i + 1).summary;
      assert.deepEqual([s.protocol, withoutSni(s.info)], [rows[i][0], rows[i][1]], `frame ${i + 1}`);
    });
  },
);
