// A real Squid on 127.0.0.1 (Basic + Digest auth, an ACL that denies blocked.example): its 403 with
// X-Squid-Error, its 407 with two Proxy-Authenticate headers, then the 200 and TLS in the tunnel,
// captured on lo and compared with tshark in both passes. Squid resolves names through its own
// hosts_file (everything is 127.0.0.1): no DNS, no traffic off the machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { createRegistry } from '../../../src-main/core/dissect/index.js';
import { httpModule } from '../../../src-main/core/dissect/http.js';
import { tlsModule } from '../../../src-main/core/dissect/tls.js';
import { dnsModule } from '../../../src-main/core/dissect/dns.js';
import { readCaptureFileSync, type RawPacket } from '../../../src-main/core/pcap/index.js';
import { canCapture, close, listen, makeCert, startTcpdump, stopTcpdump, tlsServer } from './live-capture.js';
import { haveTshark, tsharkFields, withoutSni } from './pcap-helpers.js';
import { BASIC_HELPER, squidUnavailable, startSquid, type Squid } from '../../helpers/squid.js';

const SECRET = 'S3cr3t-pw';
const skip =
  squidUnavailable() ??
  (!existsSync(BASIC_HELPER)
    ? 'squid basic_ncsa_auth not installed'
    : spawnSync('htpasswd', ['-h'], { stdio: 'ignore' }).error
      ? 'htpasswd (apache2-utils) not installed'
      : (canCapture() ?? (haveTshark() ? false : 'tshark not installed')));

let dir = '';
let squid: Squid | null = null;
let proxyPort = 0;
const packets: RawPacket[] = [];
let file = '';

/** Sends CONNECTs on one connection: first without, then (after a 407) with credentials; then TLS. */
function connectThrough(host: string, port: number): Promise<string[]> {
  return new Promise((resolve) => {
    const statuses: string[] = [];
    const c = net.connect(proxyPort, '127.0.0.1');
    const req = (auth: boolean) =>
      `CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: curl/7.88.1\r\n` +
      (auth ? `Proxy-Authorization: Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}\r\n` : '') +
      'Proxy-Connection: Keep-Alive\r\n\r\n';
    c.on('connect', () => c.write(req(false)));
    let buf = '';
    let authSent = false;
    // never hang (or loop) on a proxy that misbehaves
    const timer = setTimeout(() => c.destroy(), 10000);
    const done = () => {
      clearTimeout(timer);
      resolve(statuses);
    };
    c.on('close', done);
    c.on('error', done);
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/\r\nContent-Length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      const status = buf.slice(0, buf.indexOf('\r\n'));
      statuses.push(status);
      buf = '';
      if (status.includes(' 407 ') && !authSent) {
        authSent = true;
        c.write(req(true));
      } else if (status.includes(' 200 ')) {
        c.off('data', onData);
        const s = tls.connect({ socket: c, servername: host, rejectUnauthorized: false }, () =>
          s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
        );
        s.on('data', () => s.end());
        s.on('error', () => c.destroy());
      } else c.end();
    };
    c.on('data', onData);
  });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'ps-squid-app-'));
  chmodSync(dir, 0o755); // tcpdump writes the capture after dropping to its own user
  file = path.join(dir, 'squid.pcap');
  // an apr1 (MD5) entry, which basic_ncsa_auth reads
  const hp = spawnSync('htpasswd', ['-nbm', 'alice', SECRET], { encoding: 'utf8' });
  assert.equal(hp.status, 0, 'htpasswd failed');
  const server = tlsServer(makeCert(), { maxVersion: 'TLSv1.2' });
  const tlsPort = await listen(server);
  try {
    squid = await startSquid({
      files: { passwd: hp.stdout.trim() + '\n' },
      hosts: ['127.0.0.1 tools.cisco.com blocked.example'],
      sslPorts: [tlsPort],
      access: [
        // the 407 this test checks carries Squid's Via header
        'via on',
        `auth_param basic program ${BASIC_HELPER} %DIR%/passwd`,
        'auth_param basic realm ProxyScope',
        'acl authed proxy_auth REQUIRED',
        'acl blocked dstdomain blocked.example',
        'http_access deny blocked',
        'http_access allow authed',
      ],
    });
    proxyPort = squid.port;
    const td = await startTcpdump(file, `tcp port ${proxyPort}`);
    try {
      assert.deepEqual(await connectThrough('blocked.example', tlsPort), ['HTTP/1.1 403 Forbidden']);
      assert.deepEqual(await connectThrough('tools.cisco.com', tlsPort), [
        'HTTP/1.1 407 Proxy Authentication Required',
        'HTTP/1.1 200 Connection established',
      ]);
    } finally {
      await stopTcpdump(td);
    }
  } finally {
    await close(server);
  }
  readCaptureFileSync(file, (p) => packets.push({ ...p, data: p.data.slice() }));
});

after(async () => {
  if (squid) await squid.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ONLY = [
  '--disable-protocol',
  'ALL',
  '--enable-protocol',
  'frame,eth,ethertype,ip,tcp,http,tls,x509af,x509ce,x509if,x509sat,pkcs1,ber',
];

test(
  'Squid 403 / 407 / 200 + TLS: rows agree with tshark (both passes), fields and experts',
  { skip },
  () => {
    const extra = [...ONLY, '-d', `tcp.port==${proxyPort},http`];
    const engine = new PacketEngine({
      registry: createRegistry([httpModule, tlsModule, dnsModule]),
      fetchFrame: (no) => packets[no - 1],
    });
    packets.forEach((p, i) => engine.index(p, i + 1));
    const two = tsharkFields(file, ['_ws.col.Protocol', '_ws.col.Info', 'http.response.code'], extra);
    assert.equal(two.length, packets.length);
    const rows = packets.map((p, i) => engine.summary(p, i + 1));
    rows.forEach((s, i) => {
      const codes = engine
        .dissect(packets[i], i + 1)
        .fields.values('http.response.code')
        .join(',');
      assert.deepEqual(
        [s.protocol, withoutSni(s.info), codes],
        [two[i][0], two[i][1], two[i][2] ?? ''],
        `frame ${i + 1}`,
      );
    });
    const single = new PacketEngine({ registry: createRegistry([httpModule, tlsModule, dnsModule]) });
    const one = tsharkFields(file, ['_ws.col.Protocol', '_ws.col.Info'], extra, false);
    packets.forEach((p, i) => {
      const s = single.indexWithSummary(p, i + 1).summary;
      assert.deepEqual(
        [s.protocol, withoutSni(s.info)],
        [one[i][0], one[i][1]],
        `single pass, frame ${i + 1}`,
      );
    });

    const r403 = rows.find((r) => r.info.startsWith('HTTP/1.1 403'))!;
    assert.equal(r403.info, 'HTTP/1.1 403 Forbidden  (text/html)');
    assert.deepEqual(engine.dissect(packets[r403.no - 1], r403.no).fields.values('http.squid_error'), [
      'ERR_ACCESS_DENIED 0',
    ]);
    const r407 = rows.find((r) => r.info.startsWith('HTTP/1.1 407'))!;
    const d407 = engine.dissect(packets[r407.no - 1], r407.no);
    assert.deepEqual(d407.fields.values('http.proxy_authenticate.scheme'), ['Basic']);
    assert.deepEqual(d407.fields.values('http.squid_error'), ['ERR_CACHE_ACCESS_DENIED 0']);
    assert.match(String(d407.fields.values('http.via')[0]), /squid/);
    assert.ok(d407.expert.some((e) => e.message === 'Proxy authentication required, offered: Basic'));
    assert.ok(rows.some((r) => r.info === 'Client Hello (SNI=tools.cisco.com)' && r.protocol === 'TLSv1.2'));
    assert.ok(
      rows.some((r) => r.info === 'Server Hello, Certificate, Server Key Exchange, Server Hello Done'),
    );
    for (let no = 1; no <= packets.length; no++) {
      const d = engine.dissect(packets[no - 1], no);
      assert.ok(
        !JSON.stringify(d.tree, (_k, v) => (v instanceof Uint8Array ? undefined : v)).includes(SECRET),
        `frame ${no} shows the password`,
      );
    }
  },
);
