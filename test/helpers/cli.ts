// `proxyscope` run from source in a child process, as the CLI tests need it: one place that knows
// where the repository and the CLI entry are and how to collect a run's output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_MAIN = path.join(REPO_ROOT, 'src-main/cli/main.ts');

/** node's arguments that run `proxyscope ...args` from source: spawn(process.execPath, cliNodeArgs(...)). */
export function cliNodeArgs(args: string[]): string[] {
  return ['--import', 'tsx', CLI_MAIN, ...args];
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** added to this process's environment */
  env?: NodeJS.ProcessEnv;
  /** run under another command, e.g. setpriv or `ip netns exec NS` */
  prefix?: string[];
  /** killed (SIGKILL) after this long; default 30 s */
  timeoutMs?: number;
}

/** Runs `proxyscope ...args` to its end and returns the exit code and both outputs. */
export function runCli(args: string[], o: CliRunOptions = {}): Promise<CliRun> {
  const cmd = [...(o.prefix ?? []), process.execPath, ...cliNodeArgs(args)];
  const child = spawn(cmd[0]!, cmd.slice(1), {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}
