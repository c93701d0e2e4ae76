// The capture interfaces: name, description, addresses, link type, up/loopback flags, and
// whether capture on each is permitted (found by a trial open with the backend that would capture).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { LinkType } from '../pcap/types.js';
import { arphrdToLinkType } from './bpf.js';
import { listInterfacesWithCap } from './cap-source.js';
import type { HelperLauncher } from './helper-channel.js';
import { detectBackends } from './backends.js';
import { looksLikePermissionError } from './errors.js';
import type { BackendName, CaptureInterface, InterfaceAddress } from './types.js';

export interface ListInterfacesOptions {
  /** open each interface briefly: link type and capture permission (default true) */
  tryOpen?: boolean;
  /** the backend whose view to report (default: the one 'auto' would pick) */
  backend?: BackendName;
  helperPath?: string;
  helperLauncher?: HelperLauncher;
}

export interface InterfaceList {
  backend: BackendName | null;
  interfaces: CaptureInterface[];
}

const DLT_NAMES: Record<string, number> = {
  EN10MB: LinkType.ETHERNET,
  NULL: LinkType.NULL,
  RAW: LinkType.RAW,
  LOOP: LinkType.LOOP,
  LINUX_SLL: LinkType.LINUX_SLL,
  LINUX_SLL2: LinkType.LINUX_SLL2,
  IPV4: LinkType.IPV4,
  IPV6: LinkType.IPV6,
  IEEE802_11: 105,
  IEEE802_11_RADIO: 127,
};

function run(exe: string, args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(exe, args, { timeout: 10000 }, (e, out, err) =>
      resolve({ ok: !e, out: String(out), err: String(err) }),
    );
  });
}

/** `tcpdump -D` / `dumpcap -D`: "1.eth0 (description) [Up, Running]" */
export function parseToolInterfaceList(
  text: string,
): { name: string; description?: string; flags: string[] }[] {
  const out: { name: string; description?: string; flags: string[] }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+\.\s*(\S+)(?:\s+\((.*)\))?(?:\s+\[([^\]]*)\])?\s*$/.exec(line.trim());
    if (!m) continue;
    out.push({ name: m[1]!, description: m[2], flags: m[3] ? m[3].split(',').map((s) => s.trim()) : [] });
  }
  return out;
}

async function sysFlags(
  name: string,
): Promise<{ up: boolean; running: boolean; loopback: boolean; linkType: number | null } | null> {
  if (process.platform !== 'linux' || !/^[\w.@:-]+$/.test(name)) return null;
  try {
    const flags = parseInt((await readFile(`/sys/class/net/${name}/flags`, 'utf8')).trim(), 16);
    const type = Number((await readFile(`/sys/class/net/${name}/type`, 'utf8')).trim());
    // IFF_UP 0x1, IFF_LOOPBACK 0x8; sysfs flags never show IFF_RUNNING: operstate does (lo says "unknown")
    const oper = (await readFile(`/sys/class/net/${name}/operstate`, 'utf8').catch(() => 'unknown')).trim();
    const up = (flags & 0x1) !== 0;
    return {
      up,
      loopback: (flags & 0x8) !== 0,
      running: up && (oper === 'up' || oper === 'unknown'),
      linkType: arphrdToLinkType(type),
    };
  } catch {
    return null;
  }
}

function osAddresses(name: string): InterfaceAddress[] {
  return (networkInterfaces()[name] ?? []).map((a) => ({
    addr: a.address.replace(/%.*$/, ''),
    netmask: a.netmask,
  }));
}

/** `tool -L -i IF` opens the interface: its link types, or libpcap's reason it cannot */
async function trialOpenWithTool(
  exe: string,
  name: string,
): Promise<{ linkType: number | null; permitted: boolean | null; error?: string }> {
  const r = await run(exe, ['-L', '-i', name]);
  if (!r.ok) {
    const msg = (r.err || r.out)
      .split('\n')
      .filter((l) => l.trim())
      .join(' ')
      .replace(/^(tcpdump|dumpcap): /, '')
      .trim();
    return { linkType: null, permitted: looksLikePermissionError(msg) ? false : null, error: msg };
  }
  const names = [...(r.out + r.err).matchAll(/^\s+(\S+)\s*(?:\(|$)/gm)].map((m) => m[1]!);
  // tcpdump and dumpcap pick Linux cooked v2 on `any` when libpcap offers it
  const pick = names.includes('LINUX_SLL2') ? 'LINUX_SLL2' : names[0];
  return { linkType: pick !== undefined ? (DLT_NAMES[pick] ?? null) : null, permitted: true };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * The interfaces as the backend that would capture sees them: the one asked for, or (like 'auto')
 * the first present backend that may capture on at least one interface.
 */
export async function listInterfaces(opts: ListInterfacesOptions = {}): Promise<InterfaceList> {
  const present = detectBackends().filter((a) => a.present && (!opts.backend || a.name === opts.backend));
  let first: InterfaceList | null = null;
  for (const a of present) {
    const list = await listWith(a.name, a.path!, opts);
    first ??= list;
    if (opts.backend || opts.tryOpen === false || list.interfaces.some((i) => i.capturePermitted))
      return list;
  }
  return first ?? { backend: null, interfaces: [] };
}

async function listWith(
  backend: BackendName,
  exe: string,
  opts: ListInterfacesOptions,
): Promise<InterfaceList> {
  const tryOpen = opts.tryOpen ?? true;

  if (backend === 'cap') {
    const list = await listInterfacesWithCap(tryOpen, opts.helperPath, opts.helperLauncher);
    const result = await Promise.all(
      list.map(async (d): Promise<CaptureInterface> => {
        const sys = await sysFlags(d.name);
        return {
          name: d.name,
          description: d.description,
          addresses: d.addresses,
          linkType: d.linkType ?? sys?.linkType ?? null,
          up: sys?.up ?? d.name === 'any',
          running: sys?.running ?? d.name === 'any',
          loopback: d.loopback || (sys?.loopback ?? false),
          capturePermitted:
            d.capturePermitted ?? (d.captureError && looksLikePermissionError(d.captureError) ? false : null),
          captureError: d.captureError,
        };
      }),
    );
    return { backend, interfaces: result };
  }

  const listed = await run(exe, ['-D']);
  const entries = parseToolInterfaceList(listed.out + '\n' + listed.err);
  const result = await mapLimited(entries, 4, async (e): Promise<CaptureInterface> => {
    const sys = await sysFlags(e.name);
    const trial = tryOpen ? await trialOpenWithTool(exe, e.name) : null;
    const anyType = e.name === 'any' ? LinkType.LINUX_SLL2 : null;
    return {
      name: e.name,
      description: e.description,
      addresses: osAddresses(e.name),
      linkType: trial?.linkType ?? anyType ?? sys?.linkType ?? null,
      up: sys?.up ?? (e.name === 'any' || e.flags.includes('Up')),
      running: sys?.running ?? (e.name === 'any' || e.flags.includes('Running')),
      loopback: sys?.loopback ?? e.flags.includes('Loopback'),
      capturePermitted: trial ? trial.permitted : null,
      captureError: trial?.error,
    };
  });
  return { backend, interfaces: result };
}
