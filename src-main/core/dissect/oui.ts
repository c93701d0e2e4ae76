// MAC vendor short names (Wireshark-like "VMware_8d:76:9d") from the IEEE OUI list in the
// oui-data package. Loaded lazily, once, and only by the full/summary paths.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatMac } from './engine-context.js';

let table: Map<number, string> | null = null;
let loadFailed = false;

/** Wireshark-like short name: the organisation's first word, letters and digits only, at most 8 chars. */
export function shortVendorName(organisation: string): string {
  const first =
    organisation
      .split('\n')[0]
      .trim()
      .split(/[\s,]+/)[0] ?? '';
  return first.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
}

function load(): Map<number, string> | null {
  if (table || loadFailed) return table;
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve('oui-data');
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const m = new Map<number, string>();
    for (const [prefix, org] of Object.entries(json)) {
      if (prefix.length !== 6) continue; // MA-M/MA-S (longer) prefixes are not resolved
      // Officially Xerox, but 00:00:00 is nearly always a zeroed address (loopback captures);
      // Wireshark's manuf names it "00:00:00" for that reason.
      if (prefix === '000000') continue;
      const name = shortVendorName(org);
      if (name) m.set(parseInt(prefix, 16), name);
    }
    table = m;
  } catch {
    loadFailed = true;
  }
  return table;
}

/** Vendor short name of a MAC's OUI, or undefined. */
export function vendorOf(b: Uint8Array, off: number): string | undefined {
  const t = load();
  return t?.get((b[off] << 16) | (b[off + 1] << 8) | b[off + 2]);
}

/** Resolved form of a MAC address as Wireshark shows it ("VMware_8d:76:9d", "Broadcast"). */
export function resolveMac(b: Uint8Array, off: number): string {
  const mac = formatMac(b, off);
  if (mac === 'ff:ff:ff:ff:ff:ff') return 'Broadcast';
  if (b[off] === 0x01 && b[off + 1] === 0x00 && b[off + 2] === 0x5e) return `IPv4mcast_${mac.slice(9)}`;
  if (b[off] === 0x33 && b[off + 1] === 0x33) return `IPv6mcast_${mac.slice(6)}`;
  const v =
    vendorOf(b, off) ?? (b[off] === 0 && b[off + 1] === 0 && b[off + 2] === 0 ? '00:00:00' : undefined);
  return v ? `${v}_${mac.slice(9)}` : mac;
}

/** "VMware_8d:76:9d (00:50:56:8d:76:9d)" or the bare address when it does not resolve. */
export function macWithResolution(b: Uint8Array, off: number): string {
  const mac = formatMac(b, off);
  const r = resolveMac(b, off);
  return r === mac ? mac : `${r} (${mac})`;
}
