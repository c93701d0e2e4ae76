// The diagnosis takes its facts from the engine's first pass and dissects only the frames whose
// content matters (captureFileFacts); a full dissection of every frame (engineFacts) must lead to
// the same ladders, findings and verdicts on every lab sample.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { diagnosePackets } from '../../../src-main/core/diagnose/diagnose.js';
import { engineFacts } from '../../../src-main/core/diagnose/engine-facts.js';
import { captureFileFacts } from '../../../src-main/core/diagnose/file.js';
import { readCaptureFile } from '../../../src-main/core/pcap/file-reader.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/samples');
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.pcapng'))
      .sort()
  : [];

for (const name of files) {
  test(`first-pass facts = full-dissection facts for ${name}`, async () => {
    const file = path.join(dir, name);
    const raws: RawPacket[] = [];
    await readCaptureFile(file, (p) => raws.push({ ...p, data: p.data.slice() }));
    const a = diagnosePackets(await captureFileFacts(file));
    const b = diagnosePackets(engineFacts(raws));
    assert.equal(
      b.verdict.issue,
      a.verdict.issue,
      `full: ${b.verdict.summary}\nfirst pass: ${a.verdict.summary}`,
    );
    const stages = (r: typeof a) =>
      r.ladders.map((l) => l.stages.map((s) => `${s.name}:${s.status}:${s.packets.join(',')}`));
    assert.deepEqual(stages(b), stages(a));
    assert.deepEqual(
      b.findings.map((f) => [f.id, f.packets]),
      a.findings.map((f) => [f.id, f.packets]),
    );
  });
}
