// Every lab scenario probed while capturing on `lo`: the packet diagnosis of the probe's own
// conversations names the same issue as the probe, with evidence frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectBackends } from '../../../src-main/core/capture/index.js';
import { LAB_SCENARIOS, SCENARIO_INFO, startLab, type Lab } from '../../../src-main/core/lab/index.js';
import { runProbe, type ProbeResult } from '../../../src-main/core/probe/index.js';
import { attachCapture } from '../../../src-main/core/probe/with-capture.js';

let lab: Lab | undefined;
let dir = '';
let skip: string | false = false;

before(async () => {
  if (process.platform !== 'linux') skip = 'live capture on lo is tested on Linux only';
  else if (process.getuid?.() !== 0) skip = 'live capture needs root (or CAP_NET_RAW) for this test';
  else {
    const backends = await detectBackends();
    if (!backends.some((b) => b.present)) skip = 'no capture backend (dumpcap, tcpdump or cap) installed';
  }
  dir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-probe-capture-'));
  if (!skip) lab = await startLab({ dir });
});
after(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const scenario of LAB_SCENARIOS) {
  test(`capture during the probe, lab ${scenario}: packets say ${SCENARIO_INFO[scenario].issue}`, async (t) => {
    if (skip) return t.skip(skip);
    lab!.setScenario(scenario);
    const info = SCENARIO_INFO[scenario];
    const file = path.join(dir, `${scenario}.pcapng`);
    const cap = await attachCapture(
      'lo',
      { host: '127.0.0.1', port: lab!.proxyPort },
      { stallSeconds: 1.5, writePath: file, extraCa: lab!.caPem },
    );
    let r: ProbeResult;
    try {
      r = await runProbe({ ...lab!.probeOptions(), stallSeconds: 1.5 });
    } catch (e) {
      await cap.finish(() => undefined); // stop the capture even when the probe throws
      throw e;
    }
    const a = await cap.finish(() => r);
    assert.equal(a.error, undefined);
    assert.equal(r.verdict.issue, info.issue);
    assert.equal(a.verdict?.issue, info.issue, a.text);
    assert.equal(a.agrees, true);
    assert.ok(a.probePackets > 0 && statSync(file).size > 0);
    if (info.issue !== 'ok')
      assert.ok(
        a.findings.some((f) => f.id === info.issue && f.packets.length > 0),
        `evidence frames for ${info.issue}`,
      );
  });
}
