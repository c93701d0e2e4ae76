// ICMP (v4): echo, destination unreachable (incl. fragmentation needed with the next-hop MTU,
// icmp.mtu), time exceeded, redirect; the quoted IP header and first transport bytes of errors
// are dissected with ctx.inError so they change no state and no columns.

import type { FieldNode } from './types.js';
import type { ProtocolModule } from './registry.js';
import { dataModule } from './frame.js';
import type { PacketContext } from './engine-context.js';

const TYPES: Record<number, string> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench (flow control)',
  5: 'Redirect',
  8: 'Echo (ping) request',
  9: 'Router advertisement',
  10: 'Router solicitation',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
};

const UNREACH: Record<number, string> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  5: 'Source route failed',
  6: 'Destination network unknown',
  7: 'Destination host unknown',
  8: 'Source host isolated',
  9: 'Network administratively prohibited',
  10: 'Host administratively prohibited',
  11: 'Network unreachable for TOS',
  12: 'Host unreachable for TOS',
  13: 'Communication administratively filtered',
  14: 'Host precedence violation',
  15: 'Precedence cutoff in effect',
};
const TIME_EXCEEDED: Record<number, string> = {
  0: 'Time to live exceeded in transit',
  1: 'Fragment reassembly time exceeded',
};
const REDIRECT: Record<number, string> = {
  0: 'Redirect for network',
  1: 'Redirect for host',
  2: 'Redirect for TOS and network',
  3: 'Redirect for TOS and host',
};

function codeText(type: number, code: number): string | undefined {
  if (type === 3) return UNREACH[code];
  if (type === 11) return TIME_EXCEEDED[code];
  if (type === 5) return REDIRECT[code];
  return undefined;
}

/** Echo request/reply pairing kept per conversation-less key (first pass). */
interface EchoLinks {
  pending: Map<number, number>;
}
const ECHO_KEY = 'icmp.echo';

export const icmpModule: ProtocolModule = {
  name: 'icmp',
  column: 'ICMP',
  title: 'Internet Control Message Protocol',
  fields: [
    { name: 'icmp.type', label: 'Type', type: 'uint' },
    { name: 'icmp.code', label: 'Code', type: 'uint' },
    { name: 'icmp.checksum', label: 'Checksum', type: 'uint' },
    { name: 'icmp.checksum.status', label: 'Checksum Status', type: 'uint' },
    { name: 'icmp.ident', label: 'Identifier (BE)', type: 'uint' },
    { name: 'icmp.seq', label: 'Sequence Number (BE)', type: 'uint' },
    { name: 'icmp.seq_le', label: 'Sequence Number (LE)', type: 'uint' },
    { name: 'icmp.mtu', label: 'MTU of next hop', type: 'uint' },
    { name: 'icmp.unused', label: 'Unused', type: 'bytes' },
    { name: 'icmp.redir_gw', label: 'Gateway Address', type: 'ipv4' },
    { name: 'icmp.resp_in', label: 'Response frame', type: 'framenum' },
    { name: 'icmp.resp_to', label: 'Request frame', type: 'framenum' },
    { name: 'icmp.resptime', label: 'Response time', type: 'float' },
  ],
  register(r) {
    r.table('ip.proto').add(1, icmpModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(icmpModule);
    ctx.need(off, 4, end);
    const d = ctx.data;
    const type = d[off];
    const code = d[off + 1];
    const ck = (d[off + 2] << 8) | d[off + 3];
    const typeName = TYPES[type] ?? 'Unknown ICMP type';
    const cName = codeText(type, code);
    const t = ctx.protoTree(tree, icmpModule, off, end - off);
    if (t) {
      ctx.add(t, `Type: ${type} (${typeName})`, 'icmp.type', type, off, 1);
      ctx.add(t, `Code: ${code}${cName ? ` (${cName})` : ''}`, 'icmp.code', code, off + 1, 1);
      ctx.add(
        t,
        `Checksum: 0x${ck.toString(16).padStart(4, '0')} [unverified]`,
        'icmp.checksum',
        ck,
        off + 2,
        2,
      );
      ctx.addGenerated(t, 'Checksum Status: Unverified', 'icmp.checksum.status', 2);
    }
    if (type === 0 || type === 8) {
      ctx.need(off, 8, end);
      echo(ctx, t, off, end, type);
      return end - off;
    }
    if (type === 3 || type === 11 || type === 5 || type === 4 || type === 12) {
      ctx.need(off, 8, end);
      const info = `${typeName}${cName ? ` (${cName})` : ''}`;
      if (type === 3 && code === 4) {
        const mtu = (d[off + 6] << 8) | d[off + 7];
        if (t) {
          ctx.add(
            t,
            `Unused: ${((d[off + 4] << 8) | d[off + 5]).toString(16).padStart(4, '0')}`,
            'icmp.unused',
            d.slice(off + 4, off + 6),
            off + 4,
            2,
          );
          ctx.add(t, `MTU of next hop: ${mtu}`, 'icmp.mtu', mtu, off + 6, 2);
        }
      } else if (type === 5) {
        const gw = `${d[off + 4]}.${d[off + 5]}.${d[off + 6]}.${d[off + 7]}`;
        if (t) ctx.add(t, `Gateway Address: ${gw}`, 'icmp.redir_gw', gw, off + 4, 4);
      } else if (t)
        ctx.add(
          t,
          `Unused: ${Array.from(d.subarray(off + 4, off + 8), (b) => b.toString(16).padStart(2, '0')).join('')}`,
          'icmp.unused',
          d.slice(off + 4, off + 8),
          off + 4,
          4,
        );
      if (ctx.cols) ctx.setInfo(info);
      quotedPacket(ctx, off + 8, end, t);
      return end - off;
    }
    if (ctx.cols) ctx.setInfo(`${typeName}${cName ? ` (${cName})` : ''}`);
    if (end > off + 4) ctx.call(dataModule, off + 4, end, t);
    return end - off;
  },
};

/** Dissects an IP header (and transport start) quoted by an ICMP/ICMPv6 error. */
export function quotedPacket(ctx: PacketContext, off: number, end: number, t: FieldNode[] | null): void {
  if (off >= end) return;
  const v = ctx.data[off] >> 4;
  const m = ctx.registry.table('ethertype').get(v === 6 ? 0x86dd : 0x0800);
  if (!m) return;
  ctx.inError++;
  try {
    ctx.call(m, off, end, t);
  } finally {
    ctx.inError--;
  }
}

function echo(ctx: PacketContext, t: FieldNode[] | null, off: number, end: number, type: number): void {
  const d = ctx.data;
  const id = (d[off + 4] << 8) | d[off + 5];
  const seq = (d[off + 6] << 8) | d[off + 7];
  const seqLe = (d[off + 7] << 8) | d[off + 6];
  // request/reply links: kept per frame in the first pass
  if (ctx.firstPass && ctx.inError === 0) {
    const key = (id << 16) | seq;
    const engineWide = ctx.frameData<EchoLinks>(ECHO_KEY, 0) ?? { pending: new Map<number, number>() };
    ctx.setFrameData(ECHO_KEY, engineWide, 0);
    if (type === 8) engineWide.pending.set(key, ctx.no);
    else {
      const req = engineWide.pending.get(key);
      if (req !== undefined) {
        engineWide.pending.delete(key);
        ctx.setFrameData('icmp', { peer: req, time: ctx.relTime }, ctx.no);
        ctx.setFrameData('icmp', { peer: ctx.no, time: ctx.relTime }, req);
      }
    }
  }
  const link = ctx.firstPass ? undefined : ctx.frameData<{ peer: number; time: number }>('icmp');
  if (ctx.cols) {
    let info = `${type === 8 ? 'Echo (ping) request  ' : 'Echo (ping) reply    '}id=0x${id.toString(16).padStart(4, '0')}, seq=${seq}/${seqLe}, ttl=${ttlOf(ctx)}`;
    if (link) info += type === 8 ? ` (reply in ${link.peer})` : ` (request in ${link.peer})`;
    else if (type === 8) info += ' (no response found!)';
    ctx.setInfo(info);
  }
  if (t) {
    ctx.add(
      t,
      `Identifier (BE): ${id} (0x${id.toString(16).padStart(4, '0')})`,
      'icmp.ident',
      id,
      off + 4,
      2,
    );
    ctx.add(
      t,
      `Sequence Number (BE): ${seq} (0x${seq.toString(16).padStart(4, '0')})`,
      'icmp.seq',
      seq,
      off + 6,
      2,
    );
    ctx.add(
      t,
      `Sequence Number (LE): ${seqLe} (0x${seqLe.toString(16).padStart(4, '0')})`,
      'icmp.seq_le',
      seqLe,
      off + 6,
      2,
    );
    if (link) {
      if (type === 8) ctx.addGenerated(t, `Response frame: ${link.peer}`, 'icmp.resp_in', link.peer);
      else ctx.addGenerated(t, `Request frame: ${link.peer}`, 'icmp.resp_to', link.peer);
    }
    if (end > off + 8) ctx.call(dataModule, off + 8, end, t);
  }
}

/** TTL of the enclosing IPv4 header, read back from the tree-less context: the IPv4 header is 20+ bytes before. */
function ttlOf(ctx: PacketContext): number {
  return ctx.ipTtl;
}
