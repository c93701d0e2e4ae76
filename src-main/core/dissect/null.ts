// BSD loopback (LINKTYPE_NULL: address family in host byte order; LINKTYPE_LOOP: network order)
// and raw IP link types (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6).

import type { ProtocolModule } from './registry.js';
import { dispatchEthertype } from './ethernet.js';
import { dataModule } from './frame.js';

const AF_NAMES: Record<number, string> = { 2: 'IP', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' };

export const nullModule: ProtocolModule = {
  name: 'null',
  column: 'NULL',
  title: 'Null/Loopback',
  fields: [{ name: 'null.family', label: 'Family', type: 'uint' }],
  register(r) {
    r.table('link').add(0, nullModule);
    r.table('link').add(108, nullModule);
    r.add(rawModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(nullModule);
    ctx.need(off, 4, end);
    const d = ctx.data;
    const be = ((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0;
    const le = ((d[off + 3] << 24) | (d[off + 2] << 16) | (d[off + 1] << 8) | d[off]) >>> 0;
    // LINKTYPE_NULL is in the capturing host's byte order: take the reading that is a small number
    const family = ctx.raw.linkType === 108 || be < 0x10000 ? be : le;
    const t = ctx.protoTree(tree, nullModule, off, 4);
    if (t) ctx.add(t, `Family: ${AF_NAMES[family] ?? 'Unknown'} (${family})`, 'null.family', family, off, 4);
    if (family === 2) dispatchEthertype(ctx, 0x0800, off + 4, end, tree);
    else if (family === 24 || family === 28 || family === 30)
      dispatchEthertype(ctx, 0x86dd, off + 4, end, tree);
    else ctx.call(dataModule, off + 4, end, tree);
    return end - off;
  },
};

export const rawModule: ProtocolModule = {
  name: 'raw',
  column: 'Raw',
  title: 'Raw packet data',
  fields: [],
  register(r) {
    r.table('link').add(101, rawModule);
    r.table('link').add(228, rawModule);
    r.table('link').add(229, rawModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(rawModule);
    ctx.protoTree(tree, rawModule, off, 0);
    ctx.need(off, 1, end);
    const v = ctx.data[off] >> 4;
    if (v === 4) dispatchEthertype(ctx, 0x0800, off, end, tree);
    else if (v === 6) dispatchEthertype(ctx, 0x86dd, off, end, tree);
    else ctx.call(dataModule, off, end, tree);
    return end - off;
  },
};
