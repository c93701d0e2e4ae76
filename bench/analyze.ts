// Benchmark of `proxyscope analyze` against tshark and tcpdump on a synthetic 1,000,000-packet
// proxy capture (bench/analyze.gen.ts), plus the store's figures: index memory per packet and
// time to first rows of PacketStore.openFile.
//
// Run: npm run bench:analyze   (= node --expose-gc --import tsx bench/analyze.ts [packets] [rounds])
// Needs: a build (dist/cli/main.js; made if missing), tshark, tcpdump, /usr/bin/time (Debian: time).
// The capture is cached in $TMPDIR/proxyscope-bench/ (delete it to regenerate).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, statSync, renameSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProxyCapture } from './analyze.gen.js';
import { PacketStore } from '../src-main/core/store/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.argv[2] ?? 1_000_000);
/** rounds of (analyze, analyze --threads 1, tshark): argv[3] or 3 */
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 3));
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

/** The run with the median wall time (its CPU and memory with it). */
function median(all: Run[]): Run {
  const sorted = [...all].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
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

  // several rounds, the tools taking turns, and the median of each: one run on a shared machine
  // can be off by a quarter either way
  const rounds = ROUNDS;
  console.log(
    `bench: ${rounds} round(s), load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`,
  );
  const runs = new Map<string, Run[]>();
  const add = (r: Run | null): void => {
    if (r) runs.set(r.name, [...(runs.get(r.name) ?? []), r]);
  };
  const analyze = ['dist/cli/main.js', 'analyze', file, '--format', 'tsv'];
  if (need('/usr/bin/time', 'time')) {
    const haveTshark = need('/usr/bin/tshark', 'tshark');
    for (let i = 0; i < rounds; i++) {
      add(timed('proxyscope analyze --format tsv', [process.execPath, ...analyze]));
      // one thread: the figure on a machine whose other cores are busy
      add(timed('  … with --threads 1', [process.execPath, ...analyze, '--threads', '1']));
      if (haveTshark) add(timed('tshark -n -r', ['/usr/bin/tshark', '-n', '-r', file]));
    }
    // tcpdump takes ~40 s a run: once
    if (need('/usr/bin/tcpdump', 'tcpdump'))
      add(timed('tcpdump -nn -r', ['/usr/bin/tcpdump', '-nn', '-r', file]));
  }
  const medians = [...runs.values()].map(median);
  const tshark = medians.find((r) => r.name.startsWith('tshark'));
  for (const r of medians) {
    const all = runs.get(r.name)!;
    const spread =
      all.length > 1
        ? ` [${Math.min(...all.map((x) => x.seconds)).toFixed(2)}–${Math.max(...all.map((x) => x.seconds)).toFixed(2)} s]`
        : '';
    const ratio =
      tshark && r !== tshark
        ? `  (${(r.seconds / tshark.seconds).toFixed(2)}× tshark time, ${(r.cpu / tshark.cpu).toFixed(2)}× its CPU, ${(r.peakKiB / tshark.peakKiB).toFixed(2)}× its memory)`
        : '';
    console.log(
      `${r.name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s wall${spread} ${r.cpu.toFixed(2).padStart(7)} s CPU ${(r.peakKiB / 1024).toFixed(0).padStart(6)} MiB peak${ratio}`,
    );
  }
  const ours = medians.filter((r) => r.name.startsWith('proxyscope') || r.name.includes('--threads'));
  if (ours.length > 0 && tshark) {
    for (const r of ours) {
      const t = r.seconds / tshark.seconds;
      const m = r.peakKiB / tshark.peakKiB;
      console.log(
        `targets (${r.name.trim()}, medians): time ≤ 0.5× tshark: ${t <= 0.5 ? 'met' : 'NOT met'} (${t.toFixed(2)}); memory ≤ 0.25× tshark: ${m <= 0.25 ? 'met' : 'NOT met'} (${m.toFixed(2)})`,
      );
    }
  }
  await storeFigures();
}

await main();
