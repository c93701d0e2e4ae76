// Runs Debian's Squid for a test: its own config, logs and pid in a temp dir (owned by `proxy`,
// the user Squid drops to as root), listening on 127.0.0.1:<free port>, resolving names from its
// own hosts file. Stopped with SIGTERM (shutdown_lifetime 0) and waited for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SQUID = '/usr/sbin/squid';
export const BASIC_HELPER = '/usr/lib/squid/basic_ncsa_auth';
export const DIGEST_HELPER = '/usr/lib/squid/digest_file_auth';

export function squidUnavailable(): string | undefined {
  if (!existsSync(SQUID)) return 'squid is not installed (Debian: apt-get install squid)';
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface SquidOptions {
  /** http_access and auth lines (the rest of the config is fixed); %DIR% = the squid dir */
  access: string[];
  /** files to create in the squid dir before start, e.g. { passwd: '...' } */
  files?: Record<string, string>;
  /** hosts-file entries, e.g. ['127.0.0.1 tools.cisco.com'] */
  hosts: string[];
  /** ports CONNECT may go to */
  sslPorts: number[];
}

export interface Squid {
  port: number;
  dir: string;
  /** the cache.log text (for failure messages) */
  log(): string;
  stop(): Promise<void>;
}

function chownTree(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const r = spawnSync('id', ['-u', 'proxy'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'proxy'], { encoding: 'utf8' });
  if (r.status !== 0) return;
  const uid = Number(r.stdout.trim());
  const gid = Number(g.stdout.trim());
  const walk = (p: string) => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(path.join(p, n));
  };
  walk(dir);
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`squid exited (${child.exitCode}) before listening:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`squid did not listen on 127.0.0.1:${port} within 20 s:\n${log()}`);
}

export async function startSquid(o: SquidOptions): Promise<Squid> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-squid-'));
  const port = await freePort();
  for (const [name, text] of Object.entries(o.files ?? {}))
    writeFileSync(path.join(dir, name), text, { mode: 0o640 });
  writeFileSync(path.join(dir, 'hosts'), o.hosts.join('\n') + '\n');
  const conf = [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    `access_log stdio:${dir}/access.log`,
    'cache_store_log none',
    'cache deny all',
    'cache_mem 8 MB',
    `coredump_dir ${dir}`,
    `hosts_file ${dir}/hosts`,
    'dns_nameservers 127.0.0.1',
    'netdb_filename none',
    'shutdown_lifetime 0 seconds',
    'forwarded_for delete',
    'via off',
    `acl SSL_ports port ${o.sslPorts.join(' ')}`,
    'acl CONNECT method CONNECT',
    'http_access deny CONNECT !SSL_ports',
    ...o.access.map((l) => l.replaceAll('%DIR%', dir)),
    'http_access deny all',
  ];
  writeFileSync(path.join(dir, 'squid.conf'), conf.join('\n') + '\n');
  chownTree(dir);
  const child = spawn(SQUID, ['-f', path.join(dir, 'squid.conf'), '-N'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const log = () => {
    let l = '';
    try {
      l = readFileSync(path.join(dir, 'cache.log'), 'utf8');
    } catch {
      // not written yet
    }
    return `${stderr}\n${l}`.trim().split('\n').slice(-30).join('\n');
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, dir, log, stop };
}
