// Runs the probe with options given as JSON on argv[2] and prints the result as JSON (the MTU
// test runs it inside the client's network namespace).
import { runProbe } from '../../../src-main/core/probe/index.js';
import type { ProbeOptions } from '../../../src-main/core/probe/types.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as ProbeOptions;
const r = await runProbe(opts);
process.stdout.write(JSON.stringify(r));
