// A real MTU black hole: three network namespaces, client ── router ── proxy+origin, with a
// 1280-byte MTU on the router's link toward the client and the router's ICMP "fragmentation
// needed" dropped on its way back to the proxy (htb class with a zero-length queue: this kernel
// has no tc drop action and no iptables). The origin sends a TLS 1.2 certificate chain of several
// KB, so full-size segments must cross the small link: they vanish, small ones pass. The packet
// diagnosis must name mtu-blackhole from the client's capture and from the proxy's.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { diagnosePackets } from '../../../src-main/core/diagnose/diagnose.js';
import { captureFileFacts } from '../../../src-main/core/diagnose/file.js';
import { joinVerdict } from '../../../src-main/core/diagnose/joined.js';
import { pemSubjects } from '../../../src-main/core/diagnose/trust.js';
import type { ProbeResult } from '../../../src-main/core/probe/types.js';
import { startTcpdump, tcpdumpUnavailable } from '../diagnose/tcpdump.js';
import { makeOriginCerts, writeOriginCerts } from '../diagnose/tls-origin.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const tag = `${process.pid % 100000}`;
const NS = { c: `psmtu-c-${tag}`, r: `psmtu-r-${tag}`, s: `psmtu-s-${tag}` };
const PROXY = { host: '10.99.2.2', port: 3128 };
const ORIGIN_PORT = 8443;

function ip(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr || r.stdout || '').trim() };
}
/** Runs a command (words split on spaces) in a namespace, or here; throws with its stderr. */
function must(ns: string | undefined, line: string): void {
  const cmd = line.split(' ');
  const r = ns
    ? spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' })
    : spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`${ns ? `[${ns}] ` : ''}${cmd.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
}

function namespacesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = `psmtu-probe-${tag}`;
  const r = ip('netns', 'add', probe);
  if (!r.ok) return `network namespaces are not permitted here: ${r.err}`;
  ip('netns', 'del', probe);
  return tcpdumpUnavailable();
}

const skip = namespacesUnavailable();
const children: ChildProcess[] = [];
let work = '';

function deleteNamespaces(): void {
  for (const ns of Object.values(NS)) ip('netns', 'del', ns);
}

function startIn(ns: string, args: string[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args[0]} did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('listening')) {
        clearTimeout(t);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d) => (out += String(d)));
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${args[0]} exited (${code}): ${out}`));
    });
  });
}

function runIn(ns: string, args: string[]): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`probe did not finish in 60 s: ${err}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`probe exited ${code}: ${err}`));
    });
  });
}

let caPem = '';

before(() => {
  if (skip) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-mtu-'));
  deleteNamespaces(); // leftovers of an interrupted run with the same pid
  for (const ns of Object.values(NS)) must(undefined, `ip netns add ${ns}`);
  must(NS.r, `ip link add r0 type veth peer name c0 netns ${NS.c}`);
  must(NS.r, `ip link add r1 type veth peer name s0 netns ${NS.s}`);
  must(NS.c, 'ip addr add 10.99.1.2/24 dev c0');
  must(NS.r, 'ip addr add 10.99.1.1/24 dev r0');
  must(NS.r, 'ip addr add 10.99.2.1/24 dev r1');
  must(NS.s, 'ip addr add 10.99.2.2/24 dev s0');
  // the small link: the router's side toward the client
  must(NS.r, 'ip link set r0 mtu 1280');
  for (const [ns, devs] of [
    [NS.c, ['lo', 'c0']],
    [NS.r, ['lo', 'r0', 'r1']],
    [NS.s, ['lo', 's0']],
  ] as const)
    for (const d of devs) must(ns, `ip link set ${d} up`);
  must(NS.c, 'ip route add default via 10.99.1.1');
  must(NS.s, 'ip route add default via 10.99.2.1');
  must(NS.r, 'sysctl -q -w net.ipv4.ip_forward=1');
  // drop ICMP destination-unreachable (fragmentation needed) leaving the router toward the proxy
  must(NS.r, 'tc qdisc add dev r1 root handle 1: htb default 20');
  must(NS.r, 'tc class add dev r1 parent 1: classid 1:10 htb rate 1000mbit');
  must(NS.r, 'tc class add dev r1 parent 1: classid 1:20 htb rate 1000mbit');
  must(NS.r, 'tc qdisc add dev r1 parent 1:10 handle 10: pfifo limit 0');
  must(
    NS.r,
    'tc filter add dev r1 parent 1: protocol ip prio 1 u32 match ip protocol 1 0xff match ip icmp_type 3 0xff flowid 1:10',
  );
  const certs = makeOriginCerts(4);
  caPem = certs.caPem;
  writeOriginCerts(work, certs);
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  if (!skip) deleteNamespaces();
  if (work && !process.env.KEEP_MTU) rmSync(work, { recursive: true, force: true });
  if (process.env.KEEP_MTU) console.log('kept', work);
});

test(
  'MTU black hole between client and proxy → mtu-blackhole from the packets',
  { skip, timeout: 120_000 },
  async () => {
    await startIn(NS.s, [
      path.join(here, '../diagnose/tls-origin.ts'),
      String(ORIGIN_PORT),
      work,
      '127.0.0.1',
    ]);
    await startIn(NS.s, [path.join(here, 'connect-proxy.ts'), PROXY.host, String(PROXY.port)]);
    const clientFile = path.join(work, 'client.pcap');
    const proxyFile = path.join(work, 'proxy.pcap');
    const capC = await startTcpdump('c0', `tcp port ${PROXY.port} or icmp`, clientFile, NS.c);
    const capS = await startTcpdump('s0', `tcp port ${PROXY.port} or icmp`, proxyFile, NS.s);
    let probe: ProbeResult;
    try {
      const out = await runIn(NS.c, [
        path.join(here, 'run-probe.ts'),
        JSON.stringify({
          proxy: PROXY,
          target: { host: 'tools.cisco.com', port: ORIGIN_PORT },
          extraCa: caPem,
          timeouts: { connect: 4000, response: 4000, tls: 5000, http: 4000 },
        }),
      ]);
      probe = JSON.parse(out) as ProbeResult;
    } finally {
      await capC.stop();
      await capS.stop();
    }
    assert.notEqual(
      probe.verdict.issue,
      'ok',
      `the probe cannot succeed through the black hole: ${probe.verdict.summary}`,
    );
    // the CONNECT and the 200 are small: they pass
    assert.ok(
      probe.stages.some((s) => s.name === 'connect-response' && s.status === 'ok'),
      JSON.stringify(probe.stages),
    );

    const trusted = pemSubjects(caPem);
    for (const [view, file] of [
      ['client', clientFile],
      ['proxy', proxyFile],
    ] as const) {
      const facts = await captureFileFacts(file);
      const diag = diagnosePackets(facts, { proxy: PROXY, trustedIssuers: trusted });
      assert.equal(
        diag.verdict.issue,
        'mtu-blackhole',
        `${view} capture: ${diag.verdict.summary}\n${JSON.stringify(diag.findings.map((f) => [f.id, f.detail]))}`,
      );
      const f = diag.findings.find((x) => x.id === 'mtu-blackhole' && x.decisive)!;
      if (view === 'proxy') {
        // the sender's view: full-size segments (payload ≥ 1200 bytes) retransmitted, never acknowledged
        const big = new Set(
          facts.filter((p) => (p.tcp?.payloadLength ?? 0) >= 1200 && p.src === PROXY.host).map((p) => p.no),
        );
        assert.ok(
          f.packets.filter((n) => big.has(n)).length >= 2,
          `proxy: evidence ${f.packets} holds the full-size segment and its retransmissions`,
        );
        assert.match(f.detail, /retransmitted \d+ time\(s\) and never acknowledged/);
      } else {
        // the receiver's view: a hole of full-size segments that never fills, a small segment after
        // it, and the client's duplicate ACKs
        const fromProxy = facts
          .filter((p) => p.src === PROXY.host && (p.tcp?.payloadLength ?? 0) > 0)
          .map((p) => p.no);
        const dupAcks = facts
          .filter((p) => p.src === '10.99.1.2' && p.tcp && p.tcp.payloadLength === 0 && !p.tcp.fin)
          .map((p) => p.no);
        assert.ok(
          f.packets.some((n) => fromProxy.includes(n)),
          `client: evidence ${f.packets} has the segment after the hole`,
        );
        assert.ok(
          f.packets.some((n) => dupAcks.includes(n)),
          `client: evidence ${f.packets} has a duplicate ACK`,
        );
        assert.match(f.detail, /never arrived/);
      }
      // small packets passed: the handshake and the CONNECT/200 rungs are ok
      const ladder = diag.ladders[0]!;
      for (const rung of ['syn-ack', 'connect', 'response'])
        assert.equal(ladder.stages.find((s) => s.name === rung)!.status, 'ok', `${view}: ${rung}`);
    }
    const joined = joinVerdict(probe, await captureFileFacts(clientFile), {
      proxy: PROXY,
      trustedIssuers: trusted,
    });
    assert.equal(joined.verdict.issue, 'mtu-blackhole', joined.verdict.agreementText);
  },
);
