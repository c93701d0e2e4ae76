// Opens a URL in the system browser when there is one; says so when there is not.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/** Returns true when a browser was asked to open the URL. */
export function openInBrowser(url: string): boolean {
  let cmd: string;
  let args: string[];
  if (process.platform === 'win32') {
    cmd = 'cmd';
    args = ['/c', 'start', '""', url];
  } else if (process.platform === 'darwin') {
    cmd = 'open';
    args = [url];
  } else {
    // xdg-open without a display would only print errors
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
    if (!onPath('xdg-open')) return false;
    cmd = 'xdg-open';
    args = [url];
  }
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore', windowsVerbatimArguments: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
