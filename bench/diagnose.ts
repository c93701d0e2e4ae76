// `node --expose-gc --import tsx bench/diagnose.ts [packets]`: times the packet diagnosis
// (diagnoseCaptureFile: the packet engine's first pass, a full dissection only of the frames with
// HTTP heads / TLS handshakes, streaming per-conversation diagnosis) on the synthetic
// explicit-proxy capture of bench/analyze.gen.ts (1M packets by default, cached in
// $TMPDIR/proxyscope-bench like bench/analyze.ts), with and without --proxy, and reports the
// memory the result keeps (heap after GC) and the process's peak RSS.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diagnoseCaptureFile } from '../src-main/core/diagnose/file.js';
import { generateProxyCapture } from './analyze.gen.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const dir = path.join(tmpdir(), 'proxyscope-bench');
const file = path.join(dir, `proxy-${COUNT}-v2.pcap`);
mkdirSync(dir, { recursive: true });
if (!existsSync(file)) {
  generateProxyCapture(file + '.tmp', COUNT);
  renameSync(file + '.tmp', file);
}
const gc = (globalThis as { gc?: () => void }).gc;

/** One diagnosis; its result is dropped on return (the next run starts from the same heap). */
async function run(proxy?: { host: string; port: number }): Promise<string> {
  gc?.();
  const t0 = performance.now();
  const r = await diagnoseCaptureFile(file, proxy ? { proxy } : {});
  const s = (performance.now() - t0) / 1000;
  gc?.();
  const heap = process.memoryUsage().heapUsed / 1e6;
  return `diagnose ${COUNT} packets${proxy ? ' --proxy' : ''}: ${s.toFixed(1)} s (${((s * 1e6) / COUNT).toFixed(1)} µs/packet), ${r.ladders.length} conversations, ${r.findings.length} findings, verdict ${r.verdict.issue}; heap after GC ${heap.toFixed(0)} MB, RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;
}

for (const proxy of [undefined, { host: '10.10.10.100', port: 3128 }]) console.log(await run(proxy));
