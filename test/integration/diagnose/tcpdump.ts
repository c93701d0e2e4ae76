// Capture with tcpdump for the integration tests (optionally inside a network namespace): start,
// wait until it listens, stop with SIGTERM after the traffic has drained, wait for its exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TCPDUMP = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p));

/** Why tcpdump cannot capture here, or undefined when it can. */
export function tcpdumpUnavailable(): string | undefined {
  if (!TCPDUMP) return 'tcpdump is not installed (Debian: apt-get install tcpdump)';
  if (process.getuid?.() !== 0) {
    const r = spawnSync(TCPDUMP, ['-D'], { encoding: 'utf8' });
    if (r.status !== 0 || !/\blo\b/.test(r.stdout))
      return 'tcpdump cannot list interfaces without root/CAP_NET_RAW';
  }
  return undefined;
}

export interface Capture {
  file: string;
  stop(): Promise<void>;
}

export async function startTcpdump(
  iface: string,
  filter: string,
  file: string,
  netns?: string,
): Promise<Capture> {
  const args = ['-i', iface, '--immediate-mode', '-U', '-B', '16384', '-s', '0', '-w', file, filter];
  const child: ChildProcess = netns
    ? spawn('ip', ['netns', 'exec', netns, TCPDUMP!, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(TCPDUMP!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start listening: ${err}`)), 10_000);
    child.stderr!.on('data', (d) => {
      err += String(d);
      if (err.includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`tcpdump exited (${code}): ${err.trim()}`));
    });
  });
  return {
    file,
    async stop() {
      // let the last packets reach the file before stopping (immediate mode delivers them at once)
      await new Promise((r) => setTimeout(r, 600));
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
