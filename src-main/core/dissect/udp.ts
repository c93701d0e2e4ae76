// UDP: ports, length, checksum (unverified); payload to the "udp.port" table (lower port first)
// or the "udp" heuristics. Info as Wireshark 4: "48716 → 53 Len=30".

import type { ProtocolModule } from './registry.js';
import { dataModule } from './frame.js';

export const udpModule: ProtocolModule = {
  name: 'udp',
  column: 'UDP',
  title: 'User Datagram Protocol',
  fields: [
    { name: 'udp.srcport', label: 'Source Port', type: 'uint' },
    { name: 'udp.dstport', label: 'Destination Port', type: 'uint' },
    { name: 'udp.port', label: 'Source or Destination Port', type: 'uint' },
    { name: 'udp.length', label: 'Length', type: 'uint' },
    { name: 'udp.checksum', label: 'Checksum', type: 'uint' },
    { name: 'udp.checksum.status', label: 'Checksum Status', type: 'uint' },
    { name: 'udp.stream', label: 'Stream index', type: 'uint' },
    { name: 'udp.payload', label: 'Payload', type: 'bytes' },
  ],
  experts: [{ id: 'udp.length.bad', severity: 'error', group: 'malformed', message: 'Bad length value' }],
  register(r) {
    r.table('ip.proto').add(17, udpModule);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(udpModule);
    ctx.need(off, ctx.inError ? 4 : 8, end);
    const d = ctx.data;
    const sport = (d[off] << 8) | d[off + 1];
    const dport = (d[off + 2] << 8) | d[off + 3];
    const quotedOnly = end - off < 8;
    const len = quotedOnly ? 0 : (d[off + 4] << 8) | d[off + 5];
    const t = ctx.protoTree(
      tree,
      udpModule,
      off,
      Math.min(8, end - off),
      `User Datagram Protocol, Src Port: ${sport}, Dst Port: ${dport}`,
    );
    if (t) {
      ctx.add(t, `Source Port: ${sport}`, 'udp.srcport', sport, off, 2);
      ctx.add(t, `Destination Port: ${dport}`, 'udp.dstport', dport, off + 2, 2);
      ctx.record('udp.port', sport);
      ctx.record('udp.port', dport);
      if (!quotedOnly) {
        ctx.add(t, `Length: ${len}`, 'udp.length', len, off + 4, 2);
        const ck = (d[off + 6] << 8) | d[off + 7];
        ctx.add(
          t,
          `Checksum: 0x${ck.toString(16).padStart(4, '0')} [unverified]`,
          'udp.checksum',
          ck,
          off + 6,
          2,
        );
        ctx.addGenerated(t, 'Checksum Status: Unverified', 'udp.checksum.status', 2);
      }
    }
    if (ctx.inError) return end - off;
    ctx.srcPort = sport;
    ctx.dstPort = dport;
    const conv = ctx.conversation(17);
    if (t && conv) ctx.addGenerated(t, `Stream index: ${conv.stream}`, 'udp.stream', conv.stream);
    if (len < 8) {
      if (t)
        ctx.expert(
          t[2] ?? null,
          { id: 'udp.length.bad', severity: 'error', group: 'malformed', message: 'Bad length value' },
          `Bad length value ${len} < 8`,
        );
      ctx.malformed(udpModule, t, off + 4);
      return end - off;
    }
    const pEnd = Math.min(end, off + len);
    if (ctx.cols) ctx.setInfo(`${sport} → ${dport} Len=${len - 8}`);
    if (pEnd <= off + 8) return end - off;
    if (t)
      ctx.add(
        t,
        `UDP payload (${pEnd - off - 8} bytes)`,
        'udp.payload',
        d.slice(off + 8, pEnd),
        off + 8,
        pEnd - off - 8,
      );
    const table = ctx.registry.table('udp.port');
    const lo = Math.min(sport, dport);
    const hi = Math.max(sport, dport);
    let m = table.get(lo) ?? table.get(hi);
    if (!m)
      for (const h of ctx.registry.heuristics('udp').list)
        if (h.heuristic!(ctx, off + 8, pEnd)) {
          m = h;
          break;
        }
    if (m) {
      const used = ctx.call(m, off + 8, pEnd, tree);
      if (used === 0 && tree) ctx.call(dataModule, off + 8, pEnd, tree);
    } else if (tree) ctx.call(dataModule, off + 8, pEnd, tree);
    return end - off;
  },
};
