// The lab's sample captures (resources/samples, made by `npm run samples`) analysed offline: the
// packet diagnosis of each file names the scenario's known issue, and the packet comments that
// name stages and findings survive in the pcapng.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { diagnosePackets } from '../../../src-main/core/diagnose/diagnose.js';
import { captureFileFacts, diagnoseCaptureFile } from '../../../src-main/core/diagnose/file.js';
import { LAB_SCENARIOS } from '../../../src-main/core/lab/index.js';
import { readCaptureFile } from '../../../src-main/core/pcap/file-reader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const indexPath = path.join(root, 'resources/samples/index.json');
interface Entry {
  scenario: string;
  file: string;
  expected: string;
  probe: { issue: string };
  diagnosis: { issue: string };
  packetsBlind?: string;
}
const entries: Entry[] = existsSync(indexPath)
  ? (JSON.parse(readFileSync(indexPath, 'utf8')) as Entry[])
  : [];
const skip = entries.length ? undefined : 'resources/samples/index.json is missing: run `npm run samples`';

test('there is a sample for every lab scenario', { skip }, () => {
  assert.deepEqual(entries.map((e) => e.scenario).sort(), [...LAB_SCENARIOS].sort());
});

for (const e of entries) {
  test(`sample ${e.scenario}: offline diagnosis → ${e.packetsBlind ? 'ok (packets blind)' : e.expected}`, async () => {
    const file = path.join(root, e.file);
    assert.ok(existsSync(file), `${e.file} exists`);
    // no --proxy: the proxy is inferred from the CONNECT requests, as `analyze FILE` does
    const r = await diagnoseCaptureFile(file);
    const want = e.packetsBlind ? 'ok' : e.expected;
    assert.equal(r.verdict.issue, want, r.verdict.summary);
    assert.equal(e.probe.issue, e.expected, "the probe named the scenario's issue when the sample was made");
    assert.ok(r.ladders.length >= 1);
    // the streaming reader (bounded memory) and the all-facts diagnosis agree
    for (const proxy of [undefined, r.ladders[0]!.proxy]) {
      const p = proxy ? { host: proxy.split(':')[0]!, port: Number(proxy.split(':')[1]) } : undefined;
      const streamed = await diagnoseCaptureFile(file, p ? { proxy: p } : {});
      const whole = diagnosePackets(await captureFileFacts(file), p ? { proxy: p } : {});
      assert.deepEqual(streamed.verdict, whole.verdict);
      assert.deepEqual(streamed.ladders, whole.ladders);
      assert.deepEqual(
        streamed.findings.map((f) => [f.id, f.conversation, f.packets, f.decisive]),
        whole.findings.map((f) => [f.id, f.conversation, f.packets, f.decisive]),
      );
    }
    const comments = new Map<number, string>();
    let no = 0;
    await readCaptureFile(file, (p) => {
      no++;
      if (p.comments?.length) comments.set(no, p.comments.join(' '));
    });
    if (want !== 'ok') {
      const f = r.findings.find((x) => x.id === want && x.decisive)!;
      assert.ok(f.packets.length > 0, 'evidence packets');
      for (const n of f.packets)
        assert.match(
          comments.get(n) ?? '',
          new RegExp(`finding ${want}`),
          `frame ${n} carries the finding as a comment`,
        );
    } else {
      assert.match(comments.get(1) ?? '', /stage SYN: ok/);
    }
  });
}
