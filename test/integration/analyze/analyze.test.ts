// `proxyscope analyze` against tshark on captures tcpdump writes on this machine: loopback HTTP
// (GET, a proxy CONNECT answered 407 and 200), DNS over UDP and a refused connection (RST).
// The rows (no, src, dst, protocol, length; Info for TCP) and filter results must agree with
// tshark's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateProxyCapture } from '../../../bench/analyze.gen.js';
import {
  analyzeDiagnosis,
  analyzeDiagnosisJson,
  analyzeDiagnosisText,
} from '../../../src-main/core/diagnose/analyze-diagnosis.js';
import net from 'node:net';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TSHARK = '/usr/bin/tshark';
const TCPDUMP = '/usr/bin/tcpdump';
const EDITCAP = '/usr/bin/editcap';

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'loopback capture runs on Linux';
  if (process.getuid?.() !== 0) return 'tcpdump on lo needs root';
  if (!existsSync(TCPDUMP)) return 'tcpdump is not installed (apt-get install tcpdump)';
  if (!existsSync(TSHARK)) return 'tshark is not installed (apt-get install tshark)';
  return false;
}
const skip = skipReason();

let dir = '';
let pcap = '';
let pcapng = '';
const ports = { http: 0, proxy: 0, dns: 0, closed: 0 };

let cli = '';
let cliDir = '';

/**
 * The current source of the CLI (and its dissection worker, next to it) bundled once for this
 * test: fast to start, never a stale dist/.
 */
async function bundleCli(outdir: string): Promise<void> {
  const { build } = await import('esbuild');
  const common = {
    bundle: true,
    platform: 'node' as const,
    target: 'node20',
    format: 'esm' as const,
    packages: 'external' as const,
    define: { __APP_VERSION__: '"test"' },
    logLevel: 'error' as const,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  };
  await build({
    ...common,
    entryPoints: [path.join(root, 'src-main/cli/main.ts')],
    outfile: path.join(outdir, 'cli.mjs'),
  });
  await build({
    ...common,
    entryPoints: [path.join(root, 'src-main/core/store/listing-worker.ts')],
    outfile: path.join(outdir, 'listing-worker.js'),
  });
  await build({
    ...common,
    entryPoints: [path.join(root, 'src-main/core/diagnose/diagnosis-worker.ts')],
    outfile: path.join(outdir, 'diagnosis-worker.js'),
  });
}

function analyze(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'analyze', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tsharkFields(file: string, filter: string | null, fields: string[]): string[][] {
  const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  const r = spawnSync(TSHARK, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** Waits until tcpdump has written every packet (the file stops growing), at most 10 s. */
async function settled(file: string): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size !== last) {
      last = size;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 700) return;
  }
}

async function makeTraffic(): Promise<void> {
  const sockets = new Set<net.Socket>();
  const httpServer = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () =>
      s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'),
    );
  });
  let connects = 0;
  const proxy = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => {
      connects++;
      if (connects === 1) {
        const body = 'auth needed\n';
        s.end(
          `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="lab"\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
      } else {
        s.write('HTTP/1.1 200 Connection established\r\n\r\n');
        s.once('data', () => s.end());
      }
    });
  });
  const dns = dgram.createSocket('udp4');
  const closed = net.createServer();
  await Promise.all([
    new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => dns.bind(0, '127.0.0.1', r)),
    new Promise<void>((r) => closed.listen(0, '127.0.0.1', r)),
  ]);
  ports.http = (httpServer.address() as net.AddressInfo).port;
  ports.proxy = (proxy.address() as net.AddressInfo).port;
  ports.dns = dns.address().port;
  ports.closed = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  dns.on('message', (msg, rinfo) => {
    // answer with an A record for the question
    const answer = Buffer.concat([
      msg.subarray(0, 2),
      Buffer.from([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]),
      msg.subarray(12),
      Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]),
    ]);
    dns.send(answer, rinfo.port, rinfo.address);
  });

  const tcpdumpArgs = [
    '-i',
    'lo',
    '-U',
    '--immediate-mode',
    '-n',
    '-w',
    pcap,
    `tcp port ${ports.http} or tcp port ${ports.proxy} or tcp port ${ports.closed} or udp port ${ports.dns}`,
  ];
  const td = spawn(TCPDUMP, tcpdumpArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let err = '';
      td.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) resolve();
        if (process.env.KEEP_ANALYZE_DIR) console.log('tcpdump:', err);
      });
      td.on('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${err}`)));
    });
    const exchange = (port: number, send: string[]): Promise<void> =>
      new Promise((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => {
          c.write(send[0]);
        });
        let step = 1;
        c.on('data', () => {
          if (step < send.length) c.write(send[step++]);
        });
        c.on('error', () => resolve());
        c.on('close', () => resolve());
        c.resume();
      });
    await exchange(ports.http, [
      'GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: proxyscope-test\r\n\r\n',
    ]);
    await exchange(ports.proxy, [
      'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n',
    ]);
    await exchange(ports.proxy, [
      'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n',
      'bye',
    ]);
    await exchange(ports.closed, ['nothing listens here']);
    await new Promise<void>((resolve) => {
      const c = dgram.createSocket('udp4');
      // DNS query: id 0x1234, RD, one question tools.cisco.com A IN
      const q = Buffer.from([
        0x12,
        0x34,
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        5,
        ...Buffer.from('tools'),
        5,
        ...Buffer.from('cisco'),
        3,
        ...Buffer.from('com'),
        0,
        0,
        1,
        0,
        1,
      ]);
      c.on('message', () => {
        c.close();
        resolve();
      });
      c.send(q, ports.dns, '127.0.0.1');
    });
    await settled(pcap);
  } finally {
    const exited = new Promise<void>((r) => td.once('exit', () => r()));
    if (process.env.KEEP_ANALYZE_DIR)
      td.stderr.on('data', (d: Buffer) => console.log('tcpdump at exit:', d.toString(), ports));
    td.kill('SIGINT');
    await exited;
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => httpServer.close(() => r()));
    await new Promise<void>((r) => proxy.close(() => r()));
    dns.close();
  }
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'analyze-it-'));
  pcap = path.join(dir, 'lo.pcap');
  pcapng = path.join(dir, 'lo.pcapng');
  // inside the repository so that the bundle finds node_modules
  cliDir = path.join(root, 'dist', `analyze-test-${process.pid}`);
  await bundleCli(cliDir);
  cli = path.join(cliDir, 'cli.mjs');
  await makeTraffic();
  // tcpdump writes classic pcap only; the pcapng is the same capture converted by Wireshark's editcap
  if (existsSync(EDITCAP)) spawnSync(EDITCAP, ['-F', 'pcapng', pcap, pcapng]);
});

after(() => {
  if (cliDir) rmSync(cliDir, { recursive: true, force: true });
  if (dir && !process.env.KEEP_ANALYZE_DIR) rmSync(dir, { recursive: true, force: true });
  else if (dir) console.log('kept', dir);
});

const COLUMNS = [
  'frame.number',
  '_ws.col.Source',
  '_ws.col.Destination',
  '_ws.col.Protocol',
  'frame.len',
  '_ws.col.Info',
];

function compareRows(file: string): void {
  const ours = analyze(file, '--format', 'tsv');
  assert.equal(ours.status, 0, ours.stderr);
  const lines = ours.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines[0], 'no\ttime\tsrc\tdst\tprotocol\tlength\tinfo');
  const rows = lines.slice(1).map((l) => l.split('\t'));
  const theirs = tsharkFields(file, null, COLUMNS);
  assert.ok(theirs.length >= 20, `the capture has ${theirs.length} packets`);
  assert.equal(rows.length, theirs.length, 'same number of packets');
  for (let i = 0; i < theirs.length; i++) {
    const [no, src, dst, protocol, len, info] = theirs[i];
    const r = rows[i];
    const where = `packet ${no}: ours ${JSON.stringify(r)} vs tshark ${JSON.stringify(theirs[i])}`;
    assert.deepEqual([r[0], r[2], r[3], r[4], r[5]], [no, src, dst, protocol, len], where);
    if (protocol === 'TCP') assert.equal(r[6], info, where);
  }
  // the protocols tshark names must all be there
  const protos = new Set(theirs.map((t) => t[3]));
  for (const p of ['TCP', 'HTTP', 'DNS']) assert.ok(protos.has(p), `capture has ${p}`);
}

test(
  'rows of a tcpdump pcap agree with tshark (no, src, dst, protocol, length; Info for TCP)',
  { skip },
  () => {
    compareRows(pcap);
  },
);

test(
  'rows of the same capture as pcapng agree with tshark',
  { skip: skip || (!existsSync(EDITCAP) && 'editcap is not installed') },
  () => {
    compareRows(pcapng);
  },
);

test('text output is laid out as tshark -r prints it (TCP rows identical)', { skip }, () => {
  // the packet list only: the diagnosis that ends the text output is not tshark's
  const ours = analyze(pcap, '--no-diagnosis').stdout.split('\n');
  const r = spawnSync(TSHARK, ['-n', '-r', pcap], { encoding: 'utf8' });
  const theirs = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(ours.filter((l) => l !== '').length, theirs.length);
  let compared = 0;
  for (let i = 0; i < theirs.length; i++) {
    if (!/ TCP \d+ /.test(theirs[i])) continue;
    assert.equal(ours[i], theirs[i]);
    compared++;
  }
  assert.ok(compared > 10);
});

test('display filters select the same packets as tshark -Y', { skip }, () => {
  const filters = [
    'tcp',
    'udp',
    'http',
    'dns',
    '!tcp',
    `tcp.port == ${ports.proxy}`,
    `tcp.dstport == ${ports.http} && tcp.flags.syn == 1`,
    `tcp.port in {${ports.http}, ${ports.closed}}`,
    `tcp.port in {${ports.http} ${ports.proxy}}`,
    'tcp.flags.reset == 1',
    'tcp.flags.syn == 1 and tcp.flags.ack == 0',
    'http.request.method == "CONNECT"',
    'http.request.method == "GET" || http.response.code == 407',
    'http.response.code >= 200 && http.response.code < 300',
    'http.request',
    'http.response',
    'ip.addr == 127.0.0.0/8 && tcp.len > 0',
    'ip.src == 127.0.0.1 and not tcp.analysis.flags',
    'frame.len > 100',
    'tcp.len == 0',
    'http contains "Proxy"',
    'http.request.uri contains "cisco"',
    'dns.qry.name == "tools.cisco.com"',
    'dns.flags.response == 1',
    'http.request.method matches "^conn"',
    `udp.port != ${ports.dns}`,
    `tcp.port ~= ${ports.proxy}`,
  ];
  const mismatches: string[] = [];
  for (const f of filters) {
    // tshark 4.0 accepts only the comma form of a set; ours accepts both
    const forTshark = f.replace(/\{(\d+) (\d+)\}/, '{$1, $2}');
    const expected = tsharkFields(pcap, forTshark, ['frame.number']).map((r) => r[0]);
    const ours = analyze(pcap, '--format', 'tsv', '--filter', f);
    assert.equal(ours.status, 0, `${f}: ${ours.stderr}`);
    const got = ours.stdout
      .split('\n')
      .slice(1)
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0]);
    if (got.join(',') !== expected.join(','))
      mismatches.push(`${f}: ours [${got.join(',')}] tshark [${expected.join(',')}]`);
  }
  assert.deepEqual(mismatches, []);
});

test('worker threads give the same rows as one thread', { skip }, () => {
  for (const format of ['tsv', 'json']) {
    const one = analyze(pcap, '--format', format, '--threads', '1');
    const two = analyze(pcap, '--format', format, '--threads', '3');
    assert.equal(one.status, 0, one.stderr);
    assert.equal(two.status, 0, two.stderr);
    assert.equal(two.stdout, one.stdout);
  }
});

test('json output lists packets, conversations and findings', { skip }, () => {
  const r = analyze(pcap, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    file: string;
    packets: { no: number; protocol: string; info: string }[];
    conversations: { transport: string }[];
    findings: { no: number; severity: string }[];
  };
  assert.equal(doc.file, pcap);
  assert.equal(doc.packets.length, tsharkFields(pcap, null, ['frame.number']).length);
  assert.ok(
    doc.packets.some((p) => p.protocol === 'HTTP' && p.info.startsWith('CONNECT tools.cisco.com:443')),
  );
  assert.ok(doc.conversations.filter((c) => c.transport === 'tcp').length >= 4);
  assert.ok(doc.conversations.some((c) => c.transport === 'udp'));
  // the refused connection's RST is a warning
  assert.ok(doc.findings.some((f) => f.severity === 'warn' || f.severity === 'error'));
});

test('unreadable files and bad filters exit 1 with a clear message', { skip }, () => {
  const missing = analyze(path.join(dir, 'nope.pcap'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nope\.pcap: no such file/);
  const junk = path.join(dir, 'junk.pcap');
  writeFileSync(junk, 'GET / HTTP/1.1\r\n\r\n this is no capture');
  const bad = analyze(junk);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Not a pcap or pcapng file/);
  const badFilter = analyze(pcap, '--filter', 'tcp.port == ');
  assert.equal(badFilter.status, 1);
  assert.match(badFilter.stderr, /bad filter: 1:10: expected a value after "=="/);
  assert.match(badFilter.stderr, /\n\s+\^\^/);
  const typo = analyze(pcap, '--filter', 'ip.scr == 127.0.0.1');
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /'ip\.scr' is not a known field; did you mean 'ip\.src'\?/);
  const usage = analyze();
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /which capture file/);
});

test(
  'a big file is diagnosed in its own thread, beside the listing: the same text and JSON',
  { skip },
  async () => {
    // over the 32 MB from which analyze uses threads
    const big = path.join(dir, 'big.pcap');
    generateProxyCapture(big, 130_000);
    assert.ok(statSync(big).size > 32 * 1024 * 1024);
    const expected = await analyzeDiagnosis(big, {});
    const list = analyze(big, '--no-diagnosis');
    const text = analyze(big);
    assert.equal(list.status, 0, list.stderr);
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stdout, list.stdout + analyzeDiagnosisText(expected));
    assert.match(text.stdout, /^Verdict: /m);
    const json = analyze(big, '--format', 'json');
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { verdict: unknown; ladders: unknown[]; packets: unknown[] };
    const want = analyzeDiagnosisJson(expected);
    assert.deepEqual(
      { verdict: doc.verdict, ladders: doc.ladders },
      JSON.parse(JSON.stringify({ verdict: want.verdict, ladders: want.ladders })),
    );
    assert.equal(doc.packets.length, 130_000);
  },
);
