// Benchmark of `proxyscope analyze` against tshark and tcpdump on a synthetic 1,000,000-packet
// proxy capture (bench/analyze.gen.ts), plus the store's figures: index memory per packet and
// time to first rows of PacketStore.openFile.
//
// Run: npm run bench:analyze   (= node --expose-gc --import tsx bench/analyze.ts [packets])
// Needs: a build (dist/cli/main.js; made if missing), tshark, tcpdump, /usr/bin/time (Debian: time).
// The capture is cached in $TMPDIR/proxyscope-bench/ (delete it to regenerate).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, statSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProxyCapture } from './analyze.gen.js';
import { PacketStore } from '../src-main/core/store/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.argv[2] ?? 1_000_000);
const GEN_VERSION = 2;
const dir = path.join(tmpdir(), 'proxyscope-bench');
const file = path.join(dir, `proxy-${COUNT}-v${GEN_VERSION}.pcap`);

function need(tool: string, pkg: string): boolean {
  if (existsSync(tool)) return true;
  console.log(`bench: ${tool} is missing (Debian: apt-get install ${pkg}); skipping what needs it.`);
  return false;
}

interface Run {
  name: string;
  seconds: number;
  peakKiB: number;
  /** user + system CPU seconds (steadier than wall time on a shared machine) */
  cpu: number;
}

/** Runs a command under GNU time with stdout to /dev/null; wall seconds and peak RSS in KiB. */
function timed(name: string, argv: string[]): Run | null {
  const devnull = openSync('/dev/null', 'w');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', ...argv], {
      stdio: ['ignore', devnull, 'pipe'],
      encoding: 'utf8',
      cwd: root,
    });
    const line = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('TIME '))
      .at(-1);
    if (r.status !== 0 || !line) {
      console.log(`bench: ${name} failed (exit ${r.status}): ${r.stderr.slice(-400)}`);
      return null;
    }
    const [, s, k, u, sys] = line.split(' ');
    return { name, seconds: Number(s), peakKiB: Number(k), cpu: Number(u) + Number(sys) };
  } finally {
    closeSync(devnull);
  }
}

async function storeFigures(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // the running app has its modules loaded before a file is opened: do the same here so the
  // figure is the store's, not the TypeScript loader's
  await import('../src-main/core/store/default-engine.js');
  gc?.();
  const heap0 = process.memoryUsage();
  const t0 = performance.now();
  const store = await PacketStore.openFile(file);
  const rows = store.rows(null, 0, 50);
  const firstRows = performance.now() - t0;
  const countAtFirstRows = store.count;
  await store.loaded;
  const loadMs = performance.now() - t0;
  gc?.();
  const heap1 = process.memoryUsage();
  const mem = store.memory();
  const heapPerPacket =
    (heap1.heapUsed + heap1.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers) / store.count;
  const t1 = performance.now();
  const http = store.filter('http');
  const fastFilterMs = performance.now() - t1;
  const t2 = performance.now();
  const connect = store.filter('http.request.method == "CONNECT"');
  const fieldFilterMs = performance.now() - t2;
  console.log(
    `store: first ${rows.length} rows after ${firstRows.toFixed(0)} ms (${countAtFirstRows} packets indexed then); whole file indexed in ${(loadMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `store: index ${(mem.indexBytes / store.count).toFixed(1)} B/packet in typed arrays; heap+buffers growth ${heapPerPacket.toFixed(1)} B/packet in all (index + engine state + conversations)${gc ? '' : ' (run with --expose-gc for a precise figure)'}`,
  );
  console.log(
    `store: filter "http" (from the index) ${fastFilterMs.toFixed(0)} ms → ${http?.packets.length} packets; "http.request.method == \\"CONNECT\\"" (dissecting http packets) ${(fieldFilterMs / 1000).toFixed(2)} s → ${connect?.packets.length}`,
  );
  store.close();
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    const t0 = performance.now();
    const g = generateProxyCapture(file + '.tmp', COUNT);
    renameSync(file + '.tmp', file);
    console.log(
      `bench: generated ${g.packets} packets in ${g.conversations} conversations (${(g.bytes / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  console.log(`bench: ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB, ${COUNT} packets)`);
  // always rebuild: a stale dist/ would time old code
  spawnSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'inherit' });

  const runs: Run[] = [];
  if (need('/usr/bin/time', 'time')) {
    const ours = timed('proxyscope analyze --format tsv', [
      process.execPath,
      'dist/cli/main.js',
      'analyze',
      file,
      '--format',
      'tsv',
    ]);
    if (ours) runs.push(ours);
    // one thread: the figure on a machine whose other cores are busy
    const one = timed('  … with --threads 1', [
      process.execPath,
      'dist/cli/main.js',
      'analyze',
      file,
      '--format',
      'tsv',
      '--threads',
      '1',
    ]);
    if (one) runs.push(one);
    if (need('/usr/bin/tshark', 'tshark')) {
      const t = timed('tshark -n -r', ['/usr/bin/tshark', '-n', '-r', file]);
      if (t) runs.push(t);
    }
    if (need('/usr/bin/tcpdump', 'tcpdump')) {
      const t = timed('tcpdump -nn -r', ['/usr/bin/tcpdump', '-nn', '-r', file]);
      if (t) runs.push(t);
    }
  }
  const tshark = runs.find((r) => r.name.startsWith('tshark'));
  for (const r of runs) {
    const ratio =
      tshark && r !== tshark
        ? `  (${(r.seconds / tshark.seconds).toFixed(2)}× tshark time, ${(r.cpu / tshark.cpu).toFixed(2)}× its CPU, ${(r.peakKiB / tshark.peakKiB).toFixed(2)}× its memory)`
        : '';
    console.log(
      `${r.name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s wall ${r.cpu.toFixed(2).padStart(7)} s CPU ${(r.peakKiB / 1024).toFixed(0).padStart(6)} MiB peak${ratio}`,
    );
  }
  const ours = runs
    .filter((r) => r.name.startsWith('proxyscope') || r.name.includes('--threads'))
    .sort((a, b) => a.seconds - b.seconds)[0];
  if (ours && tshark) {
    const t = ours.seconds / tshark.seconds;
    const m = ours.peakKiB / tshark.peakKiB;
    console.log(
      `targets: time ≤ 0.5× tshark: ${t <= 0.5 ? 'met' : 'NOT met'} (${t.toFixed(2)}); memory ≤ 0.25× tshark: ${m <= 0.25 ? 'met' : 'NOT met'} (${m.toFixed(2)})`,
    );
  }
  await storeFigures();
}

await main();
