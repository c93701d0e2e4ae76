// Benchmark of live capture: a bounded loopback UDP generator at rising rates; for each rate, the
// packets captured (and dropped) by ProxyScope (cap backend writing pcapng; also the tcpdump pipe
// backend) and by `tcpdump -i lo -w /dev/null` under the same generator, side by side.
//
// Run (root, Linux): npm run bench:capture   (= node --import tsx bench/capture.ts [seconds] [rates...])
// Defaults: 2 s per run at 10k, 25k, 50k, 100k packets/s. The generator is a separate process,
// bounded by count and time; it reports the rate it actually reached (the CPU may not allow more).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCapture, type BackendName } from '../src-main/core/capture/index.js';
import { findExecutable } from '../src-main/core/capture/tools.js';

const self = fileURLToPath(import.meta.url);

/** child mode: send `rate` packets/s of 64 bytes to 127.0.0.1:port for `seconds`, print the count */
async function generate(port: number, rate: number, seconds: number): Promise<void> {
  const tx = dgram.createSocket('udp4');
  const payload = Buffer.alloc(64, 0x63);
  const total = Math.round(rate * seconds);
  const t0 = process.hrtime.bigint();
  let sent = 0;
  let acked = 0;
  const deadline = seconds * 1.5 * 1e9;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = Number(process.hrtime.bigint() - t0);
      const due = Math.min(total, Math.floor((elapsed / 1e9) * rate));
      // bounded in flight: dgram queues in libuv; never let it grow without limit
      while (sent < due && sent - acked < 4096) {
        tx.send(payload, port, '127.0.0.1', () => void acked++);
        sent++;
      }
      if (sent >= total || elapsed > deadline) {
        const wait = (): void => (acked >= sent ? resolve() : void setTimeout(wait, 5));
        wait();
      } else setImmediate(tick);
    };
    tick();
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ sent, seconds: secs }) + '\n');
  tx.close();
}

function runGenerator(
  port: number,
  rate: number,
  seconds: number,
): Promise<{ sent: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      process.execPath,
      ['--import', 'tsx', self, '--generate', String(port), String(rate), String(seconds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`generator exited ${code}`)),
    );
  });
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = (s.address() as { port: number }).port;
  s.close();
  return p;
}

interface Row {
  captured: number;
  dropped: string;
}

async function withProxyScope(
  backend: BackendName,
  port: number,
  rate: number,
  seconds: number,
  dir: string,
): Promise<{ gen: { sent: number; seconds: number }; row: Row }> {
  const file = path.join(dir, `bench-${backend}-${rate}.pcapng`);
  let got = 0;
  const s = await startCapture({
    interface: 'lo',
    backend,
    filter: `udp port ${port}`,
    writePath: file,
    onBatch: (p) => void (got += p.length),
  });
  const gen = await runGenerator(port, rate, seconds);
  // let the last batches arrive (batching is 20 ms; the kernel buffer drains at once)
  const until = Date.now() + 2000;
  while (got < gen.sent && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const st = await s.stop();
  rmSync(file, { force: true });
  const k = st.droppedByKernel === null ? '?' : String(st.droppedByKernel);
  return { gen, row: { captured: st.delivered, dropped: `k=${k} q=${st.droppedByQueue}` } };
}

async function withTcpdump(
  port: number,
  rate: number,
  seconds: number,
): Promise<{ gen: { sent: number; seconds: number }; row: Row }> {
  const exe = findExecutable('tcpdump')!;
  const c = spawn(exe, ['-i', 'lo', '-w', '/dev/null', '-p', `udp port ${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  c.stderr.on('data', (d) => (err += d));
  while (!/listening on/.test(err)) {
    if (c.exitCode !== null) throw new Error(`tcpdump failed: ${err}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const gen = await runGenerator(port, rate, seconds);
  // without --immediate-mode tcpdump reads the ring a block at a time (1 s block timeout): wait
  // for the last block before asking it to stop, so "captured" is complete
  await new Promise((r) => setTimeout(r, 1500));
  c.kill('SIGINT');
  await new Promise((r) => c.once('close', r));
  // ("received by filter" counts lo packets twice: outgoing and incoming both pass the filter)
  const captured = Number(/(\d+) packets? captured/.exec(err)?.[1] ?? NaN);
  const kernel = /(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? '?';
  return { gen, row: { captured, dropped: `k=${kernel}` } };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') {
    console.log('bench:capture needs root on Linux (capture on lo). Skipped.');
    return;
  }
  const seconds = Number(process.argv[2] ?? 2);
  const rates = process.argv
    .slice(3)
    .map(Number)
    .filter((n) => n > 0);
  const list = rates.length ? rates : [10_000, 25_000, 50_000, 100_000];
  const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-bench-capture-'));
  const fmt = (rate: number, who: string, gen: { sent: number; seconds: number }, r: Row): string =>
    `${String(rate).padStart(7)} | ${who.padEnd(34)} | ${`${r.captured}/${gen.sent}`.padStart(15)} | ${(r.captured === gen.sent ? 'no loss' : `lost ${gen.sent - r.captured}`).padEnd(11)} | ${r.dropped.padEnd(11)} | ${Math.round(gen.sent / gen.seconds)}`;
  console.log(`Capture on lo, ${seconds} s per run, 64-byte UDP, filter on the generator's port.`);
  console.log(
    'target  | capture                            | captured/sent   | result      | drops       | generator pps reached',
  );
  const tcpdump = findExecutable('tcpdump');
  const dumpcap = findExecutable('dumpcap');
  try {
    for (const rate of list) {
      const port = await freeUdpPort();
      const cap = await withProxyScope('cap', port, rate, seconds, dir);
      console.log(fmt(rate, 'ProxyScope cap → pcapng', cap.gen, cap.row));
      if (dumpcap) {
        const r = await withProxyScope('dumpcap', port, rate, seconds, dir);
        console.log(fmt(rate, 'ProxyScope dumpcap pipe → pcapng', r.gen, r.row));
      }
      if (tcpdump) {
        const r = await withProxyScope('tcpdump', port, rate, seconds, dir);
        console.log(fmt(rate, 'ProxyScope tcpdump pipe → pcapng', r.gen, r.row));
        const t = await withTcpdump(port, rate, seconds);
        console.log(fmt(rate, 'tcpdump -i lo -w /dev/null', t.gen, t.row));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    'captured/sent; k = dropped by the kernel (? = the cap binding does not report it), q = ProxyScope queue drops; the generator may not reach the target rate (CPU).',
  );
}

if (process.argv[2] === '--generate') {
  await generate(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
} else {
  await main();
}
