// The diagnosis takes the HTTP and TLS facts of TCP frames from what the engine's first pass
// collected (collectHttpFrameFacts / collectTlsFrameFacts) instead of dissecting the frame again:
// on every frame of every lab sample and of the benchmark's synthetic proxy capture, they must be
// the facts a full dissection gives (factsFromFields over dissect().fields).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { generateProxyCapture } from '../../../bench/analyze.gen.js';
import { EngineFactSource, factsFromFields } from '../../../src-main/core/diagnose/engine-facts.js';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { readCaptureFile } from '../../../src-main/core/pcap/file-reader.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/samples');
const samples = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.pcapng'))
      .sort()
  : [];

async function compareFile(file: string): Promise<{ http: number; tls: number }> {
  const raws: RawPacket[] = [];
  await readCaptureFile(file, (p) => raws.push({ ...p, data: p.data.slice() }));
  const src = new EngineFactSource();
  const ref = new PacketEngine({ fetchFrame: (no) => raws[no - 1] });
  raws.forEach((r, i) => ref.index(r, i + 1));
  // another engine's first pass running alongside (one frame behind, as a packet list might) must
  // not disturb the facts
  const other = new PacketEngine();
  const seen = { http: 0, tls: 0 };
  raws.forEach((r, i) => {
    const no = i + 1;
    if (no > 1) other.index(raws[no - 2]!, no - 1);
    const fast = src.push(r, no);
    if (!fast.tcp) return;
    const full = factsFromFields(no, fast.time, ref.dissect(r, no).fields);
    assert.deepEqual(fast.http, full.http, `frame ${no}: HTTP facts`);
    assert.deepEqual(fast.tls, full.tls, `frame ${no}: TLS facts`);
    if (full.http) seen.http++;
    if (full.tls) seen.tls++;
  });
  return seen;
}

for (const name of samples) {
  test(`first-pass HTTP/TLS facts = full-dissection facts on every frame of ${name}`, async () => {
    await compareFile(path.join(dir, name));
  });
}

test('first-pass HTTP/TLS facts = full-dissection facts on the synthetic proxy capture (CONNECT, 200/403/407, split TLS flights, certificates)', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'first-pass-facts-'));
  try {
    const file = path.join(tmp, 'proxy.pcap');
    generateProxyCapture(file, 3000);
    const seen = await compareFile(file);
    assert.ok(seen.http > 100 && seen.tls > 500, `HTTP frames ${seen.http}, TLS frames ${seen.tls}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
