// Finding tcpdump and dumpcap on this machine.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const EXTRA_DIRS: Record<string, string[]> = {
  linux: ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'],
  darwin: ['/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/Applications/Wireshark.app/Contents/MacOS'],
  win32: ['C:\\Program Files\\Wireshark', 'C:\\Program Files (x86)\\Wireshark'],
};

/** absolute path of an executable found in PATH or the usual places, else null */
export function findExecutable(name: string): string | null {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...(EXTRA_DIRS[process.platform] ?? [])];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, exe);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}
