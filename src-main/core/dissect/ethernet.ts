// Ethernet II (and 802.3 length frames shown as such), dispatching on the "ethertype" table.

import type { FieldNode } from './types.js';
import type { DissectorTable, ProtocolModule } from './registry.js';

let ethertypeTable: DissectorTable | null = null;
import { formatMac, type PacketContext } from './engine-context.js';
import { macWithResolution, resolveMac } from './oui.js';
import { dataModule } from './frame.js';

export const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x86dd: 'IPv6',
  0x8100: '802.1Q Virtual LAN',
  0x88a8: '802.1ad Provider Bridge (Q-in-Q)',
  0x8863: 'PPPoE Discovery',
  0x8864: 'PPPoE Session',
  0x88cc: '802.1 Link Layer Discovery Protocol (LLDP)',
};

export function ethertypeText(t: number): string {
  return `${ETHERTYPE_NAMES[t] ?? 'Unknown'} (0x${t.toString(16).padStart(4, '0')})`;
}

/**
 * Dispatches `data[off, end)` on an ethertype, shared by Ethernet, VLAN and SLL. Returns bytes
 * taken by the payload dissector (all of them for unknown types).
 */
export function dispatchEthertype(
  ctx: PacketContext,
  type: number,
  off: number,
  end: number,
  tree: FieldNode[] | null,
): number {
  ctx.mark('ethertype');
  const m = (ethertypeTable ??= ctx.registry.table('ethertype')).get(type);
  if (m) return ctx.call(m, off, end, tree);
  if (ctx.cols) ctx.setInfo(`Ethernet II, type ${ethertypeText(type)}`);
  return ctx.call(dataModule, off, end, tree);
}

export const ethernetModule: ProtocolModule = {
  name: 'eth',
  column: 'Ethernet',
  title: 'Ethernet II',
  fields: [
    { name: 'eth.dst', label: 'Destination', type: 'ether' },
    { name: 'eth.src', label: 'Source', type: 'ether' },
    { name: 'eth.addr', label: 'Address', type: 'ether' },
    { name: 'eth.dst_resolved', label: 'Destination (resolved)', type: 'string' },
    { name: 'eth.src_resolved', label: 'Source (resolved)', type: 'string' },
    { name: 'eth.type', label: 'Type', type: 'uint' },
    { name: 'eth.len', label: 'Length', type: 'uint' },
    { name: 'eth.padding', label: 'Padding', type: 'bytes' },
    { name: 'eth.trailer', label: 'Trailer', type: 'bytes' },
  ],
  register(r) {
    r.table('link').add(1, ethernetModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(ethernetModule);
    ctx.need(off, 14, end);
    const d = ctx.data;
    const type = (d[off + 12] << 8) | d[off + 13];
    // IPv4/IPv6 set the address columns themselves: resolve MACs only for other payloads
    if (ctx.cols && type !== 0x0800 && type !== 0x86dd) {
      ctx.colSrc = resolveMac(d, off + 6);
      ctx.colDst = resolveMac(d, off);
    }
    let t: FieldNode[] | null = null;
    if (tree) {
      t = ctx.protoTree(
        tree,
        ethernetModule,
        off,
        14,
        () => `Ethernet II, Src: ${macWithResolution(d, off + 6)}, Dst: ${macWithResolution(d, off)}`,
      )!;
      addMac(ctx, t, 'Destination', 'eth.dst', off);
      addMac(ctx, t, 'Source', 'eth.src', off + 6);
      if (type <= 1500) ctx.add(t, () => `Length: ${type}`, 'eth.len', type, off + 12, 2);
      else ctx.add(t, () => `Type: ${ethertypeText(type)}`, 'eth.type', type, off + 12, 2);
    }
    if (type <= 1500) {
      // IEEE 802.3 with LLC: not dissected further
      if (ctx.cols) ctx.setInfo(`IEEE 802.3 Ethernet, length ${type}`);
      ctx.call(dataModule, off + 14, end, tree);
      return end - off;
    }
    const used = dispatchEthertype(ctx, type, off + 14, end, tree);
    const rest = end - (off + 14 + used);
    if (t && rest > 0) {
      const at = end - rest;
      const allZero = ctx.data.subarray(at, end).every((b) => b === 0);
      const field = allZero && end - off <= 60 ? 'eth.padding' : 'eth.trailer';
      const bytes = ctx.data.slice(at, end);
      ctx.add(
        t,
        () =>
          `${field === 'eth.padding' ? 'Padding' : 'Trailer'}: ${Array.from(bytes.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join('')}`,
        field,
        bytes,
        at,
        rest,
      );
    }
    return end - off;
  },
};

function addMac(ctx: PacketContext, t: FieldNode[], what: string, field: string, at: number): void {
  const d = ctx.data;
  const mac = formatMac(d, at);
  const st = ctx.addTree(t, () => `${what}: ${macWithResolution(d, at)}`, field, mac, at, 6);
  ctx.add(st, () => `Address: ${macWithResolution(d, at)}`, 'eth.addr', mac, at, 6);
  ctx.record(`${field}_resolved`, resolveMac(d, at));
  const lg = (d[at] & 2) !== 0;
  const ig = (d[at] & 1) !== 0;
  ctx.add(
    st,
    () =>
      `.... ..${lg ? '1' : '0'}. .... .... .... .... = LG bit: ${lg ? 'Locally administered address (this is NOT the factory default)' : 'Globally unique address (factory default)'}`,
    undefined,
    undefined,
    at,
    3,
  );
  ctx.add(
    st,
    () =>
      `.... ...${ig ? '1' : '0'} .... .... .... .... = IG bit: ${ig ? 'Group address (multicast/broadcast)' : 'Individual address (unicast)'}`,
    undefined,
    undefined,
    at,
    3,
  );
}
