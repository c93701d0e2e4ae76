// Which capture backends this machine has, and the order the session tries them in.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defaultHelperPath } from './cap-source.js';
import { backendInstallHint } from './errors.js';
import { findExecutable } from './tools.js';
import type { BackendAvailability, BackendName } from './types.js';

/**
 * 'auto' tries tcpdump, then dumpcap, then cap, and keeps the first that is present and permitted.
 * The tools come before cap because they give what the binding cannot: kernel timestamps (cap's
 * are taken at dispatch), the kernel's drop counters (cap does not expose pcap_stats), capture
 * without promiscuous mode (cap always sets it), and permissions the user may already have.
 * tcpdump before dumpcap: in immediate mode its packets arrive within a millisecond and it reports
 * drops every second, where dumpcap (no immediate mode) delivers in blocks up to 250 ms late and
 * reports drops at the end; as a non-root user tcpdump is usually not permitted and dumpcap (the
 * wireshark group) is, so auto then lands on dumpcap. cap is the fallback that needs no external
 * tool (e.g. Windows with Npcap but no Wireshark).
 */
export const AUTO_ORDER: readonly BackendName[] = ['tcpdump', 'dumpcap', 'cap'];

function capLoadable(): { ok: true; path: string } | { ok: false; reason: string } {
  try {
    const req = createRequire(import.meta.url);
    // resolve only: loading the native module here would put libpcap in the main process
    const main = req.resolve('cap');
    const binding = main.replace(/lib[\\/]Cap\.js$/, 'build/Release/cap.node');
    if (main.endsWith('Cap.js') && !existsSync(binding))
      return {
        ok: false,
        reason: `the cap package is installed but its native part was not built (${binding} is missing)`,
      };
    return { ok: true, path: main };
  } catch {
    return { ok: false, reason: 'the optional cap package is not installed' };
  }
}

export function detectBackends(): BackendAvailability[] {
  return AUTO_ORDER.map((name): BackendAvailability => {
    if (name === 'cap') {
      const c = capLoadable();
      const helper = defaultHelperPath();
      if (!c.ok) return { name, present: false, missingReason: c.reason, install: backendInstallHint('cap') };
      if (!existsSync(helper))
        return {
          name,
          present: false,
          missingReason: `the capture helper ${helper} is missing (run the build)`,
          install: ['npm run build'],
        };
      return { name, present: true, path: helper };
    }
    const p = findExecutable(name);
    return p
      ? { name, present: true, path: p }
      : {
          name,
          present: false,
          missingReason: `${name} is not installed`,
          install: backendInstallHint(name),
        };
  });
}
