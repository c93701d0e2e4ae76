// Benchmark of the packet engine alone (no file writing, no output): CPU time per packet of
// index() (the fast first pass), indexWithSummary() (first pass + single-pass rows, what a
// streaming `analyze` needs) and index() then summary() (two passes), plus the heap the engine
// keeps after indexing (conversations, TCP state, per-frame records); then dissect() against
// fields() (values only: display filters, the diagnosis) per frame on the lab's sample captures.
//
// Run: node --expose-gc --import tsx bench/dissect-engine.ts [packets]
//      node --import tsx bench/dissect-engine.ts --fields   (only dissect() vs fields())
// Input: the analyze benchmark's synthetic proxy capture (bench/analyze.gen.ts), generated into
// $TMPDIR/proxyscope-bench/ when missing. Under tsx imported calls are slower than in the built
// CLI; the figures are upper bounds (bundle with esbuild for the real ones).
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateProxyCapture } from './analyze.gen.js';
import { createCaptureParser, readCaptureFileSync } from '../src-main/core/pcap/index.js';
import { PacketEngine } from '../src-main/core/dissect/engine.js';
import type { RawPacket } from '../src-main/core/pcap/types.js';

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** dissect() vs fields() per frame, every frame of every sample capture, `rounds` times over. */
function fieldsVersusDissect(rounds: number): void {
  const samples = path.resolve('resources/samples');
  const sets: { e: PacketEngine; p: RawPacket[] }[] = [];
  for (const f of existsSync(samples) ? readdirSync(samples).filter((n) => /\.pcapng?$/.test(n)) : []) {
    const p: RawPacket[] = [];
    readCaptureFileSync(path.join(samples, f), (r) => p.push({ ...r, data: r.data.slice() }));
    const e = new PacketEngine({ fetchFrame: (no) => p[no - 1] });
    p.forEach((r, i) => e.index(r, i + 1));
    sets.push({ e, p });
  }
  const frames = sets.reduce((a, s) => a + s.p.length, 0);
  if (frames === 0) return void console.log('no sample captures in resources/samples');
  const kinds: [string, (e: PacketEngine, r: RawPacket, no: number) => unknown][] = [
    ['dissect()', (e, r, no) => e.dissect(r, no)],
    ['fields()', (e, r, no) => e.fields(r, no)],
    ['fields(wanted: http.request.method)', (e, r, no) => e.fields(r, no, WANTED)],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [name, fn] of kinds) {
      const t0 = cpu();
      for (let k = 0; k < rounds; k++) for (const s of sets) s.p.forEach((r, i) => fn(s.e, r, i + 1));
      const sec = cpu() - t0;
      console.log(
        `${name.padEnd(38)} ${((sec * 1e6) / (frames * rounds)).toFixed(1)} µs/frame (${frames} sample frames × ${rounds})`,
      );
    }
  }
}
const WANTED: ReadonlySet<string> = new Set(['http.request.method']);

if (process.argv[2] === '--fields') {
  fieldsVersusDissect(50);
  process.exit(0);
}

const COUNT = Number(process.argv[2] ?? 300_000);
const dir = path.join(tmpdir(), 'proxyscope-bench');
const file = path.join(dir, `engine-${COUNT}.pcap`);
if (!existsSync(file)) {
  mkdirSync(dir, { recursive: true });
  console.log(`generating ${COUNT} packets into ${file}`);
  generateProxyCapture(file, COUNT);
}

const raws: RawPacket[] = [];
createCaptureParser({
  onPacket: (r) => raws.push({ ...r, data: r.data.slice() }),
  onInterface: () => {},
}).push(readFileSync(file));

function run(name: string, body: (e: PacketEngine) => void): PacketEngine {
  const e = new PacketEngine({ keepReassembled: false });
  const t0 = cpu();
  body(e);
  const s = cpu() - t0;
  console.log(`${name.padEnd(28)} ${s.toFixed(2)} s CPU  ${((s * 1e6) / raws.length).toFixed(2)} µs/packet`);
  return e;
}

console.log(`${raws.length} packets`);
for (let round = 0; round < 2; round++) {
  run('index()', (e) => raws.forEach((r, i) => e.index(r, i + 1)));
  run('indexWithSummary()', (e) => raws.forEach((r, i) => e.indexWithSummary(r, i + 1)));
  run('index() + summary()', (e) =>
    raws.forEach((r, i) => {
      e.index(r, i + 1);
      e.summary(r, i + 1);
    }),
  );
}
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage().heapUsed;
const kept = run('index() (for memory)', (e) => raws.forEach((r, i) => e.index(r, i + 1)));
gc?.();
const after = process.memoryUsage().heapUsed;
console.log(
  `engine heap after indexing: ${((after - before) / 1e6).toFixed(1)} MB, ${((after - before) / raws.length).toFixed(0)} bytes/packet, ${kept.conversations().length} conversations${gc ? '' : ' (run with --expose-gc for a stable figure)'}`,
);

fieldsVersusDissect(20);
