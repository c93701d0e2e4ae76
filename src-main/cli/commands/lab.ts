// `proxyscope lab`: run the built-in fault-injecting proxy + TLS origin until stopped.
import readline from 'node:readline';
import { forEachOption, unknownOption } from '../options.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import {
  LAB_DOWNLOAD_URL,
  LAB_CREDENTIALS,
  LAB_SCENARIOS,
  SCENARIO_INFO,
  isLabScenario,
  startLab,
  type LabScenario,
} from '../../core/lab/index.js';

const width = Math.max(...LAB_SCENARIOS.map((s) => s.length));

const usage = `Usage: proxyscope lab [--scenario NAME] [--port N] [--dir DIR]

Runs the built-in lab on 127.0.0.1: an explicit proxy that injects one fault and a TLS origin.
Every CONNECT (tools.cisco.com:443 or any host) goes to the lab origin; nothing leaves loopback.
The first line printed is \`PROXY=127.0.0.1:PORT CA=PATH\` (PATH: the lab CA that \`probe --ca\` trusts).
While it runs, type a scenario name and Enter to switch. Stop with Ctrl-C.

Options:
  --scenario NAME   the fault to inject (default healthy)
  --port N          proxy port (default: a free one)
  --dir DIR         where the lab certificates are kept (default: ~/.cache/proxyscope/lab)

Scenarios (expected probe verdict in brackets):
${LAB_SCENARIOS.map((s) => `  ${s.padEnd(width)}  [${SCENARIO_INFO[s].issue}] ${SCENARIO_INFO[s].description}`).join('\n')}

Auth scenarios accept user ${LAB_CREDENTIALS.username}, password ${LAB_CREDENTIALS.password}.`;

interface LabArgs {
  scenario: LabScenario;
  port?: number;
  dir?: string;
}

export function parseLabArgs(args: string[]): LabArgs {
  const out: LabArgs = { scenario: 'healthy' };
  forEachOption(args, ({ flag, value }) => {
    switch (flag) {
      case '--scenario': {
        const v = value();
        if (!isLabScenario(v))
          throw new UsageError(`unknown scenario '${v}'. Known: ${LAB_SCENARIOS.join(', ')}.`);
        out.scenario = v;
        break;
      }
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 0 || n > 65535)
          throw new UsageError(`--port needs a number from 1 to 65535, or 0 for a free one (got ${v}).`);
        out.port = n;
        break;
      }
      case '--dir':
        out.dir = value();
        break;
      default:
        throw unknownOption(flag);
    }
  });
  return out;
}

function describe(io: CliIo, scenario: LabScenario, port: number, caPath: string): void {
  const info = SCENARIO_INFO[scenario];
  io.out(`Scenario: ${scenario} — ${info.description} (expected verdict: ${info.issue})`);
  const parts = [`proxyscope probe --proxy 127.0.0.1:${port} --ca ${caPath}`];
  if (info.probe.credentials)
    parts.push(
      `--user ${LAB_CREDENTIALS.username} --password-env LAB_PASS   (LAB_PASS='${LAB_CREDENTIALS.password}')`,
    );
  if (info.probe.download) parts.splice(1, 0, `--download ${LAB_DOWNLOAD_URL}`);
  io.out(`Try: ${parts.join(' ')}`);
}

export const labCommand: CliCommand = {
  name: 'lab',
  summary: 'run the built-in lab proxy (one fault scenario at a time) on 127.0.0.1',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseLabArgs(args);
    const lab = await startLab({ scenario: parsed.scenario, port: parsed.port, dir: parsed.dir });
    io.out(`PROXY=127.0.0.1:${lab.proxyPort} CA=${lab.caPath}`);
    io.out(`Lab origin: https://127.0.0.1:${lab.originPort} (every CONNECT host maps to it)`);
    describe(io, lab.scenario, lab.proxyPort, lab.caPath);
    io.out(`Type a scenario name + Enter to switch (${LAB_SCENARIOS.join(', ')}); Ctrl-C stops.`);
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
      const name = line.trim();
      if (!name) return;
      if (!isLabScenario(name))
        return io.err(`unknown scenario '${name}'. Known: ${LAB_SCENARIOS.join(', ')}`);
      lab.setScenario(name);
      describe(io, name, lab.proxyPort, lab.caPath);
    });
    return new Promise<number>((resolve) => {
      const stop = (why: string) => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        rl.close();
        process.stdin.destroy();
        io.err(`lab: stopping (${why})`);
        void lab.close().then(() => resolve(0));
      };
      const onInt = () => stop('SIGINT');
      const onTerm = () => stop('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
    });
  },
};
