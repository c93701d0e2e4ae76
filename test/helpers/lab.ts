// The built-in lab for a test file: started before its tests, closed (and its folder removed)
// after, with the probe options the probe tests use against it.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLab, type Lab, type LabScenario } from '../../src-main/core/lab/index.js';
import type { ProbeOptions } from '../../src-main/core/probe/index.js';

export interface TestLab {
  setScenario(s: LabScenario): void;
  /** the lab's own probe options (target, download URL, …) */
  probeOptions(): ReturnType<Lab['probeOptions']>;
  /** probe options against the lab's proxy: its CA trusted, a 1.5 s stall limit, 5 s timeouts */
  options(extra?: Partial<ProbeOptions>): ProbeOptions;
}

export function useLab(tempPrefix: string): TestLab {
  let lab: Lab | undefined;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), tempPrefix));
    lab = await startLab({ dir });
  });
  after(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = (): Lab => {
    if (!lab) throw new Error('the lab is not started yet (use it inside a test)');
    return lab;
  };
  return {
    setScenario: (s) => started().setScenario(s),
    probeOptions: () => started().probeOptions(),
    options: (extra = {}) => ({
      proxy: { host: '127.0.0.1', port: started().proxyPort },
      extraCa: started().caPem,
      stallSeconds: 1.5,
      timeouts: { response: 5000, tls: 5000, http: 5000 },
      ...extra,
    }),
  };
}
