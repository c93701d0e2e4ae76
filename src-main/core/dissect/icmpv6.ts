// ICMPv6: destination unreachable, packet too big (with the MTU, icmpv6.mtu), time exceeded,
// parameter problem, echo, and basic neighbour discovery (RS/RA/NS/NA with link-layer options).

import type { FieldNode } from './types.js';
import type { ProtocolModule } from './registry.js';
import { formatIpv6, formatMac, type PacketContext } from './engine-context.js';
import { quotedPacket } from './icmp.js';
import { dataModule } from './frame.js';

const TYPES: Record<number, string> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};
const UNREACH: Record<number, string> = {
  0: 'no route to destination',
  1: 'communication with destination administratively prohibited',
  2: 'beyond scope of source address',
  3: 'Address unreachable',
  4: 'Port unreachable',
  5: 'source address failed ingress/egress policy',
  6: 'reject route to destination',
};

function u32(d: Uint8Array, p: number): number {
  return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
}

export const icmpv6Module: ProtocolModule = {
  name: 'icmpv6',
  column: 'ICMPv6',
  title: 'Internet Control Message Protocol v6',
  fields: [
    { name: 'icmpv6.type', label: 'Type', type: 'uint' },
    { name: 'icmpv6.code', label: 'Code', type: 'uint' },
    { name: 'icmpv6.checksum', label: 'Checksum', type: 'uint' },
    { name: 'icmpv6.mtu', label: 'MTU', type: 'uint' },
    { name: 'icmpv6.echo.identifier', label: 'Identifier', type: 'uint' },
    { name: 'icmpv6.echo.sequence_number', label: 'Sequence', type: 'uint' },
    { name: 'icmpv6.nd.ns.target_address', label: 'Target Address', type: 'ipv6' },
    { name: 'icmpv6.nd.na.target_address', label: 'Target Address', type: 'ipv6' },
    { name: 'icmpv6.nd.na.flag.r', label: 'Router', type: 'bool' },
    { name: 'icmpv6.nd.na.flag.s', label: 'Solicited', type: 'bool' },
    { name: 'icmpv6.nd.na.flag.o', label: 'Override', type: 'bool' },
    { name: 'icmpv6.opt.type', label: 'Type', type: 'uint' },
    { name: 'icmpv6.opt.linkaddr', label: 'Link-layer address', type: 'ether' },
    { name: 'icmpv6.opt.src_linkaddr', label: 'Source Link-layer address', type: 'ether' },
    { name: 'icmpv6.opt.target_linkaddr', label: 'Target Link-layer address', type: 'ether' },
    { name: 'icmpv6.pointer', label: 'Pointer', type: 'uint' },
  ],
  register(r) {
    r.table('ip.proto').add(58, icmpv6Module);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(icmpv6Module);
    ctx.need(off, 4, end);
    const d = ctx.data;
    const type = d[off];
    const code = d[off + 1];
    const ck = (d[off + 2] << 8) | d[off + 3];
    const name = TYPES[type] ?? `Unknown (${type})`;
    const t = ctx.protoTree(tree, icmpv6Module, off, end - off);
    if (t) {
      ctx.add(t, `Type: ${name} (${type})`, 'icmpv6.type', type, off, 1);
      ctx.add(
        t,
        `Code: ${code}${type === 1 && UNREACH[code] ? ` (${UNREACH[code]})` : ''}`,
        'icmpv6.code',
        code,
        off + 1,
        1,
      );
      ctx.add(
        t,
        `Checksum: 0x${ck.toString(16).padStart(4, '0')} [unverified]`,
        'icmpv6.checksum',
        ck,
        off + 2,
        2,
      );
    }
    switch (type) {
      case 1:
      case 2:
      case 3:
      case 4: {
        ctx.need(off, 8, end);
        let info = name;
        if (type === 1 && UNREACH[code]) info += ` (${UNREACH[code]})`;
        if (type === 2) {
          const mtu = u32(d, off + 4);
          if (t) ctx.add(t, `MTU: ${mtu}`, 'icmpv6.mtu', mtu, off + 4, 4);
        } else if (type === 4 && t)
          ctx.add(t, `Pointer: ${u32(d, off + 4)}`, 'icmpv6.pointer', u32(d, off + 4), off + 4, 4);
        if (ctx.cols) ctx.setInfo(info);
        quotedPacket(ctx, off + 8, end, t);
        return end - off;
      }
      case 128:
      case 129: {
        ctx.need(off, 8, end);
        const id = (d[off + 4] << 8) | d[off + 5];
        const seq = (d[off + 6] << 8) | d[off + 7];
        const link = echoLink(ctx, type === 128, id, seq);
        if (ctx.cols) {
          let info = `${name} id=0x${id.toString(16).padStart(4, '0')}, seq=${seq}, hop limit=${ctx.ipTtl}`;
          if (link) info += type === 128 ? ` (reply in ${link})` : ` (request in ${link})`;
          else if (type === 128) info += ' (no response found!)';
          ctx.setInfo(info);
        }
        if (t) {
          ctx.add(
            t,
            `Identifier: 0x${id.toString(16).padStart(4, '0')}`,
            'icmpv6.echo.identifier',
            id,
            off + 4,
            2,
          );
          ctx.add(t, `Sequence: ${seq}`, 'icmpv6.echo.sequence_number', seq, off + 6, 2);
          if (end > off + 8) ctx.call(dataModule, off + 8, end, t);
        }
        return end - off;
      }
      case 133:
      case 134:
      case 135:
      case 136: {
        const fixed = type === 133 ? 8 : type === 134 ? 16 : 24;
        ctx.need(off, fixed, end);
        let info = name;
        if (type === 135 || type === 136) {
          const target = formatIpv6(d, off + 8);
          if (t)
            ctx.add(
              t,
              `Target Address: ${target}`,
              type === 135 ? 'icmpv6.nd.ns.target_address' : 'icmpv6.nd.na.target_address',
              target,
              off + 8,
              16,
            );
          if (type === 136) {
            const f = d[off + 4];
            if (t) {
              ctx.add(
                t,
                `Router: ${f & 0x80 ? 'Set' : 'Not set'}`,
                'icmpv6.nd.na.flag.r',
                (f & 0x80) !== 0,
                off + 4,
                1,
              );
              ctx.add(
                t,
                `Solicited: ${f & 0x40 ? 'Set' : 'Not set'}`,
                'icmpv6.nd.na.flag.s',
                (f & 0x40) !== 0,
                off + 4,
                1,
              );
              ctx.add(
                t,
                `Override: ${f & 0x20 ? 'Set' : 'Not set'}`,
                'icmpv6.nd.na.flag.o',
                (f & 0x20) !== 0,
                off + 4,
                1,
              );
            }
            const fl = [f & 0x80 ? 'rtr' : '', f & 0x40 ? 'sol' : '', f & 0x20 ? 'ovr' : '']
              .filter(Boolean)
              .join(', ');
            info += ` ${target}${fl ? ` (${fl})` : ''}`;
          } else info += ` for ${target}`;
        }
        const lla = ndOptions(ctx, t, off + fixed, end);
        if (lla) info += type === 136 ? ` is at ${lla}` : ` from ${lla}`;
        if (ctx.cols) ctx.setInfo(info);
        return end - off;
      }
      default:
        if (ctx.cols) ctx.setInfo(name);
        if (end > off + 4) ctx.call(dataModule, off + 4, end, t);
        return end - off;
    }
  },
};

/** ND options; returns the source/target link-layer address text when present. */
function ndOptions(ctx: PacketContext, t: FieldNode[] | null, p: number, end: number): string | undefined {
  const d = ctx.data;
  let lla: string | undefined;
  while (p + 2 <= end) {
    const type = d[p];
    const len = d[p + 1] * 8;
    if (len === 0 || p + len > end) {
      ctx.malformed(icmpv6Module, t, p);
      break;
    }
    if ((type === 1 || type === 2) && len >= 8) {
      lla = formatMac(d, p + 2);
      if (t) {
        const n = ctx.addTree(
          t,
          `ICMPv6 Option (${type === 1 ? 'Source' : 'Target'} link-layer address : ${lla})`,
          'icmpv6.opt.type',
          type,
          p,
          len,
        );
        ctx.add(
          n,
          `Link-layer address: ${lla}`,
          type === 1 ? 'icmpv6.opt.src_linkaddr' : 'icmpv6.opt.target_linkaddr',
          lla,
          p + 2,
          6,
        );
        ctx.record('icmpv6.opt.linkaddr', lla);
      }
    } else if (t) ctx.add(t, `ICMPv6 Option (type ${type}, ${len} bytes)`, 'icmpv6.opt.type', type, p, len);
    p += len;
  }
  return lla;
}

/** Echo request/reply pairing (first pass records both directions); returns the peer frame. */
function echoLink(ctx: PacketContext, request: boolean, id: number, seq: number): number | undefined {
  if (ctx.inError > 0) return undefined;
  if (ctx.firstPass) {
    const key = (id << 16) | seq;
    let pending = ctx.frameData<Map<number, number>>('icmpv6.echo.pending', 0);
    if (!pending) ctx.setFrameData('icmpv6.echo.pending', (pending = new Map()), 0);
    if (request) pending.set(key, ctx.no);
    else {
      const req = pending.get(key);
      if (req !== undefined) {
        pending.delete(key);
        ctx.setFrameData('icmpv6', req);
        ctx.setFrameData('icmpv6', ctx.no, req);
      }
    }
    return undefined;
  }
  return ctx.frameData<number>('icmpv6');
}
