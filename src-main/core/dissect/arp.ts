// ARP (Ethernet/IPv4), Info as Wireshark: "Who has 10.0.0.1? Tell 10.0.0.2", "10.0.0.1 is at …".

import type { ProtocolModule } from './registry.js';
import { formatIpv4, formatMac, type PacketContext } from './engine-context.js';
import type { FieldNode } from './types.js';
import { ethertypeText } from './ethernet.js';
import { macWithResolution } from './oui.js';

/** An Ethernet/IPv4 ARP endpoint's two lines: its MAC address, then its IP address. */
function addEndpoint(
  ctx: PacketContext,
  t: FieldNode[],
  who: 'Sender' | 'Target',
  prefix: 'src' | 'dst',
  mac: number,
  ip: number,
): void {
  const d = ctx.data;
  ctx.add(
    t,
    `${who} MAC address: ${macWithResolution(d, mac)}`,
    `arp.${prefix}.hw_mac`,
    formatMac(d, mac),
    mac,
    6,
  );
  ctx.add(t, `${who} IP address: ${formatIpv4(d, ip)}`, `arp.${prefix}.proto_ipv4`, formatIpv4(d, ip), ip, 4);
}

const OPCODES: Record<number, string> = {
  1: 'request',
  2: 'reply',
  3: 'reverse request',
  4: 'reverse reply',
};

export const arpModule: ProtocolModule = {
  name: 'arp',
  column: 'ARP',
  title: 'Address Resolution Protocol',
  fields: [
    { name: 'arp.hw.type', label: 'Hardware type', type: 'uint' },
    { name: 'arp.proto.type', label: 'Protocol type', type: 'uint' },
    { name: 'arp.hw.size', label: 'Hardware size', type: 'uint' },
    { name: 'arp.proto.size', label: 'Protocol size', type: 'uint' },
    { name: 'arp.opcode', label: 'Opcode', type: 'uint' },
    { name: 'arp.isgratuitous', label: 'Is gratuitous', type: 'bool' },
    { name: 'arp.src.hw_mac', label: 'Sender MAC address', type: 'ether' },
    { name: 'arp.src.proto_ipv4', label: 'Sender IP address', type: 'ipv4' },
    { name: 'arp.dst.hw_mac', label: 'Target MAC address', type: 'ether' },
    { name: 'arp.dst.proto_ipv4', label: 'Target IP address', type: 'ipv4' },
  ],
  register(r) {
    r.table('ethertype').add(0x0806, arpModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(arpModule);
    ctx.need(off, 8, end);
    const d = ctx.data;
    const hw = (d[off] << 8) | d[off + 1];
    const pt = (d[off + 2] << 8) | d[off + 3];
    const hs = d[off + 4];
    const ps = d[off + 5];
    const op = (d[off + 6] << 8) | d[off + 7];
    const len = 8 + 2 * (hs + ps);
    ctx.need(off, len, end);
    const ethIp = hs === 6 && ps === 4;
    const sha = off + 8;
    const spa = sha + hs;
    const tha = spa + ps;
    const tpa = tha + hs;
    const gratuitous =
      ethIp &&
      d[spa] === d[tpa] &&
      d[spa + 1] === d[tpa + 1] &&
      d[spa + 2] === d[tpa + 2] &&
      d[spa + 3] === d[tpa + 3];
    if (ctx.cols && ethIp) {
      const sIp = formatIpv4(d, spa);
      const tIp = formatIpv4(d, tpa);
      if (gratuitous) ctx.setInfo(`Gratuitous ARP for ${sIp} (${op === 2 ? 'Reply' : 'Request'})`);
      else if (op === 1) ctx.setInfo(`Who has ${tIp}? Tell ${sIp}`);
      else if (op === 2) ctx.setInfo(`${sIp} is at ${formatMac(d, sha)}`);
      else ctx.setInfo(`ARP opcode ${op}`);
    }
    const t = ctx.protoTree(
      tree,
      arpModule,
      off,
      len,
      `Address Resolution Protocol (${OPCODES[op] ?? 'opcode ' + op}${gratuitous ? '/gratuitous ARP' : ''})`,
    );
    if (t) {
      ctx.add(t, `Hardware type: ${hw === 1 ? 'Ethernet' : 'Unknown'} (${hw})`, 'arp.hw.type', hw, off, 2);
      ctx.add(t, `Protocol type: ${ethertypeText(pt)}`, 'arp.proto.type', pt, off + 2, 2);
      ctx.add(t, `Hardware size: ${hs}`, 'arp.hw.size', hs, off + 4, 1);
      ctx.add(t, `Protocol size: ${ps}`, 'arp.proto.size', ps, off + 5, 1);
      ctx.add(t, `Opcode: ${OPCODES[op] ?? 'Unknown'} (${op})`, 'arp.opcode', op, off + 6, 2);
      if (gratuitous) ctx.addGenerated(t, 'Is gratuitous: True', 'arp.isgratuitous', true);
      if (ethIp) {
        addEndpoint(ctx, t, 'Sender', 'src', sha, spa);
        addEndpoint(ctx, t, 'Target', 'dst', tha, tpa);
      }
    }
    return len;
  },
};
