// IEEE 802.1Q VLAN tags (and 802.1ad outer tags).

import type { ProtocolModule } from './registry.js';
import { dispatchEthertype, ethertypeText } from './ethernet.js';

export const vlanModule: ProtocolModule = {
  name: 'vlan',
  column: '802.1Q',
  title: '802.1Q Virtual LAN',
  fields: [
    { name: 'vlan.priority', label: 'Priority', type: 'uint' },
    { name: 'vlan.dei', label: 'DEI', type: 'uint' },
    { name: 'vlan.id', label: 'ID', type: 'uint' },
    { name: 'vlan.etype', label: 'Type', type: 'uint' },
    { name: 'vlan.len', label: 'Length', type: 'uint' },
  ],
  register(r) {
    r.table('ethertype').add(0x8100, vlanModule);
    r.table('ethertype').add(0x88a8, vlanModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(vlanModule);
    ctx.need(off, 4, end);
    const d = ctx.data;
    const tci = (d[off] << 8) | d[off + 1];
    const pri = tci >> 13;
    const dei = (tci >> 12) & 1;
    const id = tci & 0xfff;
    const type = (d[off + 2] << 8) | d[off + 3];
    const t = ctx.protoTree(
      tree,
      vlanModule,
      off,
      4,
      `802.1Q Virtual LAN, PRI: ${pri}, DEI: ${dei}, ID: ${id}`,
    );
    if (t) {
      ctx.add(
        t,
        `${pri.toString(2).padStart(3, '0')}. .... .... .... = Priority: ${pri}`,
        'vlan.priority',
        pri,
        off,
        2,
      );
      ctx.add(
        t,
        `...${dei} .... .... .... = DEI: ${dei ? 'Eligible' : 'Ineligible'}`,
        'vlan.dei',
        dei,
        off,
        2,
      );
      ctx.add(
        t,
        `.... ${id
          .toString(2)
          .padStart(12, '0')
          .replace(/(\d{4})(?=\d)/g, '$1 ')} = ID: ${id}`,
        'vlan.id',
        id,
        off,
        2,
      );
      if (type > 1500) ctx.add(t, `Type: ${ethertypeText(type)}`, 'vlan.etype', type, off + 2, 2);
      else ctx.add(t, `Length: ${type}`, 'vlan.len', type, off + 2, 2);
    }
    if (ctx.cols) ctx.setInfo(`PRI: ${pri}  DEI: ${dei}  ID: ${id}`);
    return 4 + dispatchEthertype(ctx, type, off + 4, end, tree);
  },
};
