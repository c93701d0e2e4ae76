// The "frame" pseudo-protocol: what the capture says about the packet (lengths, times,
// comments), then hands the bytes to the link layer through the "link" table (LINKTYPE_*).

import type { FieldNode } from './types.js';
import type { DissectorTable, ProtocolModule } from './registry.js';

let linkTable: DissectorTable | null = null;
import type { PacketContext } from './engine-context.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const LINK_NAMES: Record<number, string> = {
  0: 'NULL/Loopback',
  1: 'Ethernet',
  101: 'Raw IP',
  108: 'OpenBSD loopback',
  113: 'Linux cooked-mode capture v1',
  228: 'Raw IPv4',
  229: 'Raw IPv6',
  276: 'Linux cooked-mode capture v2',
};

/** "Nov 27, 2026 03:20:01.123456000 UTC" */
export function formatArrival(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())}, ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(nsec).padStart(9, '0')} UTC`;
}

/** Seconds with 9 decimals, as Wireshark prints relative times. */
export function secs9(t: number): string {
  return t.toFixed(9);
}

export const dataModule: ProtocolModule = {
  name: 'data',
  column: 'Data',
  title: 'Data',
  fields: [
    { name: 'data.data', label: 'Data', type: 'bytes' },
    { name: 'data.len', label: 'Length', type: 'uint' },
  ],
  dissect(ctx, off, end, tree) {
    const len = Math.max(0, end - off);
    if (len === 0) return 0;
    ctx.mark('data');
    const t = ctx.protoTree(tree, dataModule, off, len, `Data (${len} byte${len === 1 ? '' : 's'})`);
    if (t) {
      const shown = Math.min(len, 32);
      let hex = '';
      for (let i = 0; i < shown; i++) hex += ctx.data[off + i].toString(16).padStart(2, '0');
      ctx.add(t, `Data: ${hex}${len > shown ? '…' : ''}`, 'data.data', ctx.data.slice(off, end), off, len);
      ctx.addGenerated(t, `Length: ${len}`, 'data.len', len);
    }
    return len;
  },
};

export const frameModule: ProtocolModule = {
  name: 'frame',
  column: 'Frame',
  title: 'Frame',
  fields: [
    { name: 'frame.number', label: 'Frame Number', type: 'uint' },
    { name: 'frame.len', label: 'Frame length on the wire', type: 'uint' },
    { name: 'frame.cap_len', label: 'Frame length stored into the capture file', type: 'uint' },
    { name: 'frame.time', label: 'Arrival Time', type: 'time' },
    { name: 'frame.time_epoch', label: 'Epoch Time', type: 'time' },
    { name: 'frame.time_relative', label: 'Time since reference or first frame', type: 'reltime' },
    { name: 'frame.interface_id', label: 'Interface id', type: 'uint' },
    { name: 'frame.encap_type', label: 'Encapsulation type', type: 'int' },
    { name: 'frame.protocols', label: 'Protocols in frame', type: 'string' },
    { name: 'frame.comment', label: 'Comment', type: 'string' },
  ],
  experts: [{ id: 'frame.comment.expert', severity: 'chat', group: 'comment', message: 'Formatted comment' }],
  register(r) {
    r.add(dataModule);
    linkTable = r.table('link');
  },
  dissect(ctx: PacketContext, off: number, end: number, tree: FieldNode[] | null): number {
    const raw = ctx.raw;
    ctx.enter(frameModule);
    if (tree) addFrameTree(ctx, tree);
    const link = (linkTable ?? ctx.registry.table('link')).get(raw.linkType);
    if (link) ctx.call(link, off, end, tree);
    else {
      ctx.call(dataModule, off, end, tree);
      if (ctx.cols) ctx.setInfo(`Unknown link type ${raw.linkType}`);
    }
    if (ctx.cols && ctx.topProto === ctx.registry.id(frameModule)) ctx.setProtocolColumn('Data');
    return end - off;
  },
};

function addFrameTree(ctx: PacketContext, tree: FieldNode[]): void {
  const raw = ctx.raw;
  const comments = raw.comments ?? [];
  if (comments.length > 0) {
    const ct = ctx.protoTree(tree, frameModule, 0, 0, 'Packet comments')!;
    tree[tree.length - 1].field = undefined;
    for (const c of comments) {
      const n = ctx.add(ct, c, 'frame.comment', c, 0, 0);
      ctx.expert(n, { id: 'frame.comment.expert', severity: 'chat', group: 'comment', message: c });
    }
  }
  const wire = raw.originalLength;
  const cap = ctx.frame.length;
  const ft = ctx.protoTree(
    tree,
    frameModule,
    0,
    cap,
    () =>
      `Frame ${ctx.no}: ${wire} bytes on wire (${wire * 8} bits), ${cap} bytes captured (${cap * 8} bits)`,
  )!;
  const link = LINK_NAMES[raw.linkType] ?? `Unknown (${raw.linkType})`;
  const epoch = raw.tsSec + raw.tsNsec / 1e9;
  ctx.add(ft, () => `Interface id: ${raw.interfaceId}`, 'frame.interface_id', raw.interfaceId, 0, 0);
  ctx.add(ft, () => `Encapsulation type: ${link} (${raw.linkType})`, 'frame.encap_type', raw.linkType, 0, 0);
  ctx.add(ft, () => `Arrival Time: ${formatArrival(raw.tsSec, raw.tsNsec)}`, 'frame.time', epoch, 0, 0);
  ctx.add(
    ft,
    () => `Epoch Time: ${raw.tsSec}.${String(raw.tsNsec).padStart(9, '0')} seconds`,
    'frame.time_epoch',
    epoch,
    0,
    0,
  );
  ctx.addGenerated(
    ft,
    () => `Time since reference or first frame: ${secs9(ctx.relTime)} seconds`,
    'frame.time_relative',
    ctx.relTime,
  );
  ctx.add(ft, () => `Frame Number: ${ctx.no}`, 'frame.number', ctx.no, 0, 0);
  ctx.add(ft, () => `Frame Length: ${wire} bytes (${wire * 8} bits)`, 'frame.len', wire, 0, 0);
  ctx.add(ft, () => `Capture Length: ${cap} bytes (${cap * 8} bits)`, 'frame.cap_len', cap, 0, 0);
  ctx.addGenerated(ft, 'Protocols in frame: ', 'frame.protocols', '');
}
