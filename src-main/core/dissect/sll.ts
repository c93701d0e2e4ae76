// Linux "cooked" captures (tcpdump -i any): SLL (LINKTYPE_LINUX_SLL, 16-byte header) and
// SLL2 (LINKTYPE_LINUX_SLL2, 20-byte header with the interface index).

import type { FieldNode } from './types.js';
import type { ProtocolModule } from './registry.js';
import { formatMac, hexBytes, type PacketContext } from './engine-context.js';
import { dispatchEthertype, ethertypeText } from './ethernet.js';
import { resolveMac } from './oui.js';
import { dataModule } from './frame.js';

const PKTTYPES = [
  'Unicast to us',
  'Broadcast',
  'Multicast',
  'Unicast to another host',
  'Sent by us',
  'Unknown (5)',
  'Unknown (6)',
  'Unknown (7)',
];

function pkttypeText(t: number): string {
  return PKTTYPES[t] ?? `Unknown (${t})`;
}

function hatypeText(t: number): string {
  if (t === 1) return 'Ethernet (1)';
  if (t === 772) return 'Loopback (772)';
  if (t === 65534) return 'None (65534)';
  return `Unknown (${t})`;
}

function payload(
  ctx: PacketContext,
  proto: number,
  off: number,
  end: number,
  tree: FieldNode[] | null,
): void {
  if (proto > 1500) {
    dispatchEthertype(ctx, proto, off, end, tree);
    return;
  }
  // Linux protocol numbers (ETH_P_802_2 and friends) are not dissected further
  if (ctx.cols) ctx.setInfo(`Linux cooked capture, protocol ${proto}`);
  ctx.call(dataModule, off, end, tree);
}

function source(ctx: PacketContext, hatype: number, halen: number, at: number): string {
  if ((hatype === 1 || hatype === 772) && halen === 6) return resolveMac(ctx.data, at);
  return halen > 0 ? hexBytes(ctx.data, at, Math.min(halen, 8), ':') : '';
}

export const sllModule: ProtocolModule = {
  name: 'sll',
  column: 'SLL',
  title: 'Linux cooked capture v1',
  fields: [
    { name: 'sll.pkttype', label: 'Packet type', type: 'uint' },
    { name: 'sll.hatype', label: 'Link-layer address type', type: 'uint' },
    { name: 'sll.halen', label: 'Link-layer address length', type: 'uint' },
    { name: 'sll.src.eth', label: 'Source', type: 'ether' },
    { name: 'sll.src.other', label: 'Source', type: 'bytes' },
    { name: 'sll.unused', label: 'Unused', type: 'bytes' },
    { name: 'sll.etype', label: 'Protocol', type: 'uint' },
    { name: 'sll.ltype', label: 'Protocol', type: 'uint' },
    { name: 'sll.ifindex', label: 'Interface index', type: 'uint' },
    { name: 'sll.reserved', label: 'Reserved', type: 'uint' },
  ],
  register(r) {
    r.table('link').add(113, sllModule);
    r.add(sll2Module);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(sllModule);
    ctx.need(off, 16, end);
    const d = ctx.data;
    const pkttype = (d[off] << 8) | d[off + 1];
    const hatype = (d[off + 2] << 8) | d[off + 3];
    const halen = (d[off + 4] << 8) | d[off + 5];
    const proto = (d[off + 14] << 8) | d[off + 15];
    if (ctx.cols) ctx.colSrc = source(ctx, hatype, halen, off + 6);
    const t = ctx.protoTree(tree, sllModule, off, 16);
    if (t) {
      ctx.add(t, `Packet type: ${pkttypeText(pkttype)} (${pkttype})`, 'sll.pkttype', pkttype, off, 2);
      ctx.add(t, `Link-layer address type: ${hatypeText(hatype)}`, 'sll.hatype', hatype, off + 2, 2);
      ctx.add(t, `Link-layer address length: ${halen}`, 'sll.halen', halen, off + 4, 2);
      addSource(ctx, t, hatype, halen, off + 6);
      if (proto > 1500) ctx.add(t, `Protocol: ${ethertypeText(proto)}`, 'sll.etype', proto, off + 14, 2);
      else ctx.add(t, `Protocol: ${proto}`, 'sll.ltype', proto, off + 14, 2);
    }
    payload(ctx, proto, off + 16, end, tree);
    return end - off;
  },
};

function addSource(ctx: PacketContext, t: FieldNode[], hatype: number, halen: number, at: number): void {
  if ((hatype === 1 || hatype === 772) && halen === 6) {
    const mac = formatMac(ctx.data, at);
    ctx.add(t, `Source: ${resolveMac(ctx.data, at)} (${mac})`, 'sll.src.eth', mac, at, 6);
    ctx.add(
      t,
      `Unused: ${hexBytes(ctx.data, at + 6, 2)}`,
      'sll.unused',
      ctx.data.slice(at + 6, at + 8),
      at + 6,
      2,
    );
  } else if (halen > 0) {
    const n = Math.min(halen, 8);
    ctx.add(
      t,
      `Source: ${hexBytes(ctx.data, at, n, ':')}`,
      'sll.src.other',
      ctx.data.slice(at, at + n),
      at,
      n,
    );
  }
}

export const sll2Module: ProtocolModule = {
  name: 'sll2',
  column: 'SLL',
  title: 'Linux cooked capture v2',
  fields: [],
  register(r) {
    r.table('link').add(276, sll2Module);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(sll2Module);
    ctx.mark('sll');
    ctx.need(off, 20, end);
    const d = ctx.data;
    const proto = (d[off] << 8) | d[off + 1];
    const ifindex = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
    const hatype = (d[off + 8] << 8) | d[off + 9];
    const pkttype = d[off + 10];
    const halen = d[off + 11];
    if (ctx.cols) ctx.colSrc = source(ctx, hatype, halen, off + 12);
    const t = ctx.protoTree(tree, sll2Module, off, 20);
    if (t) {
      if (proto > 1500) ctx.add(t, `Protocol: ${ethertypeText(proto)}`, 'sll.etype', proto, off, 2);
      else ctx.add(t, `Protocol: ${proto}`, 'sll.ltype', proto, off, 2);
      ctx.add(
        t,
        `Reserved: ${(d[off + 2] << 8) | d[off + 3]}`,
        'sll.reserved',
        (d[off + 2] << 8) | d[off + 3],
        off + 2,
        2,
      );
      ctx.add(t, `Interface index: ${ifindex}`, 'sll.ifindex', ifindex, off + 4, 4);
      ctx.add(t, `Link-layer address type: ${hatypeText(hatype)}`, 'sll.hatype', hatype, off + 8, 2);
      ctx.add(t, `Packet type: ${pkttypeText(pkttype)} (${pkttype})`, 'sll.pkttype', pkttype, off + 10, 1);
      ctx.add(t, `Link-layer address length: ${halen}`, 'sll.halen', halen, off + 11, 1);
      addSource(ctx, t, hatype, halen, off + 12);
    }
    payload(ctx, proto, off + 20, end, tree);
    return end - off;
  },
};
