// IPv6 with extension headers (hop-by-hop, routing, fragment, destination options). Fragments are
// reassembled (shared with IPv4: ipv4.ts reassembleFragment). Sets the network addresses and
// columns, dispatches on "ip.proto".

import type { DissectorTable, ProtocolModule } from './registry.js';

let ipProtoTable: DissectorTable | null = null;
import { formatIpv6, hexBytes } from './engine-context.js';
import { dissectReassembled, fragmentReassembledIn, ipProtoText, reassembleFragment } from './ipv4.js';
import { dataModule } from './frame.js';

export const ipv6Module: ProtocolModule = {
  name: 'ipv6',
  column: 'IPv6',
  title: 'Internet Protocol Version 6',
  fields: [
    { name: 'ipv6.version', label: 'Version', type: 'uint' },
    { name: 'ipv6.tclass', label: 'Traffic Class', type: 'uint' },
    { name: 'ipv6.tclass.dscp', label: 'Differentiated Services Codepoint', type: 'uint' },
    { name: 'ipv6.tclass.ecn', label: 'Explicit Congestion Notification', type: 'uint' },
    { name: 'ipv6.flow', label: 'Flow Label', type: 'uint' },
    { name: 'ipv6.plen', label: 'Payload Length', type: 'uint' },
    { name: 'ipv6.nxt', label: 'Next Header', type: 'uint' },
    { name: 'ipv6.hlim', label: 'Hop Limit', type: 'uint' },
    { name: 'ipv6.src', label: 'Source Address', type: 'ipv6' },
    { name: 'ipv6.dst', label: 'Destination Address', type: 'ipv6' },
    { name: 'ipv6.addr', label: 'Source or Destination Address', type: 'ipv6' },
    { name: 'ipv6.hopopts', label: 'IPv6 Hop-by-Hop Option', type: 'none' },
    { name: 'ipv6.dstopts', label: 'Destination Options for IPv6', type: 'none' },
    { name: 'ipv6.routing', label: 'Routing Header for IPv6', type: 'none' },
    { name: 'ipv6.routing.type', label: 'Type', type: 'uint' },
    { name: 'ipv6.routing.segleft', label: 'Segments Left', type: 'uint' },
    { name: 'ipv6.fraghdr', label: 'Fragment Header for IPv6', type: 'none' },
    { name: 'ipv6.fraghdr.nxt', label: 'Next header', type: 'uint' },
    { name: 'ipv6.fraghdr.offset', label: 'Offset', type: 'uint' },
    { name: 'ipv6.fraghdr.more', label: 'More Fragments', type: 'bool' },
    { name: 'ipv6.fraghdr.ident', label: 'Identification', type: 'uint' },
    { name: 'ipv6.fragments', label: 'IPv6 Fragments', type: 'none' },
    { name: 'ipv6.fragment', label: 'IPv6 Fragment', type: 'framenum' },
    { name: 'ipv6.reassembled.length', label: 'Reassembled IPv6 length', type: 'uint' },
    { name: 'ipv6.reassembled.in', label: 'Reassembled IPv6 in frame', type: 'framenum' },
    { name: 'ipv6.opt.type', label: 'Type', type: 'uint' },
  ],
  experts: [
    { id: 'ipv6.bogus_ipv6_version', severity: 'error', group: 'protocol', message: 'Bogus IP version' },
  ],
  register(r) {
    r.table('ethertype').add(0x86dd, ipv6Module);
    r.table('ip.proto').add(41, ipv6Module);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(ipv6Module);
    ctx.need(off, 40, end);
    const d = ctx.data;
    const version = d[off] >> 4;
    const tclass = ((d[off] & 15) << 4) | (d[off + 1] >> 4);
    const flow = ((d[off + 1] & 15) << 16) | (d[off + 2] << 8) | d[off + 3];
    const plen = (d[off + 4] << 8) | d[off + 5];
    let nxt = d[off + 6];
    const hlim = d[off + 7];
    const outer = ctx.inError === 0;
    const t = ctx.protoTree(
      tree,
      ipv6Module,
      off,
      40,
      tree
        ? `Internet Protocol Version 6, Src: ${formatIpv6(d, off + 8)}, Dst: ${formatIpv6(d, off + 24)}`
        : undefined,
    );
    if (version !== 6) {
      ctx.malformed(ipv6Module, t, off);
      return end - off;
    }
    if (outer) {
      ctx.ipTtl = hlim;
      ctx.net = 6;
      ctx.netLen = 16;
      for (let i = 0; i < 16; i++) {
        ctx.netSrc[i] = d[off + 8 + i];
        ctx.netDst[i] = d[off + 24 + i];
      }
      if (ctx.cols) {
        ctx.colSrc = formatIpv6(d, off + 8);
        ctx.colDst = formatIpv6(d, off + 24);
      }
    }
    if (t) {
      const src = formatIpv6(d, off + 8);
      const dst = formatIpv6(d, off + 24);
      ctx.add(t, '0110 .... = Version: 6', 'ipv6.version', 6, off, 1);
      const tc = ctx.addTree(
        t,
        `.... ${tclass
          .toString(2)
          .padStart(8, '0')
          .replace(
            /(\d{4})/,
            '$1 ',
          )} .... .... .... .... .... = Traffic Class: 0x${tclass.toString(16).padStart(2, '0')}`,
        'ipv6.tclass',
        tclass,
        off,
        2,
      );
      ctx.add(
        tc,
        `Differentiated Services Codepoint: ${tclass >> 2}`,
        'ipv6.tclass.dscp',
        tclass >> 2,
        off,
        2,
      );
      ctx.add(tc, `Explicit Congestion Notification: ${tclass & 3}`, 'ipv6.tclass.ecn', tclass & 3, off, 2);
      ctx.add(t, `Flow Label: 0x${flow.toString(16).padStart(5, '0')}`, 'ipv6.flow', flow, off + 1, 3);
      ctx.add(t, `Payload Length: ${plen}`, 'ipv6.plen', plen, off + 4, 2);
      ctx.add(t, `Next Header: ${ipProtoText(nxt)}`, 'ipv6.nxt', nxt, off + 6, 1);
      ctx.add(t, `Hop Limit: ${hlim}`, 'ipv6.hlim', hlim, off + 7, 1);
      ctx.add(t, `Source Address: ${src}`, 'ipv6.src', src, off + 8, 16);
      ctx.add(t, `Destination Address: ${dst}`, 'ipv6.dst', dst, off + 24, 16);
      ctx.record('ipv6.addr', src);
      ctx.record('ipv6.addr', dst);
    }
    const ipEnd = plen === 0 ? end : Math.min(end, off + 40 + plen);
    let p = off + 40;
    // extension headers
    for (;;) {
      if (nxt === 0 || nxt === 60 || nxt === 43) {
        ctx.need(p, 2, ipEnd);
        const len = (d[p + 1] + 1) * 8;
        ctx.need(p, len, ipEnd);
        const next = d[p];
        if (t) {
          const name =
            nxt === 0
              ? 'IPv6 Hop-by-Hop Option'
              : nxt === 60
                ? 'Destination Options for IPv6'
                : `Routing Header for IPv6 (Type: ${d[p + 2]})`;
          const field = nxt === 0 ? 'ipv6.hopopts' : nxt === 60 ? 'ipv6.dstopts' : 'ipv6.routing';
          const et = ctx.addTree(t, name, field, true, p, len);
          ctx.add(et, `Next Header: ${ipProtoText(next)}`, 'ipv6.nxt', next, p, 1);
          ctx.add(et, `Length: ${d[p + 1]}`, undefined, undefined, p + 1, 1);
          ctx.add(et, `[Length: ${len} bytes]`, undefined, undefined, p + 1, 1);
          if (nxt === 43) {
            ctx.add(et, `Type: ${d[p + 2]}`, 'ipv6.routing.type', d[p + 2], p + 2, 1);
            ctx.add(et, `Segments Left: ${d[p + 3]}`, 'ipv6.routing.segleft', d[p + 3], p + 3, 1);
          } else {
            let q = p + 2;
            while (q < p + len) {
              const ot = d[q];
              if (ot === 0) {
                ctx.add(et, 'Pad1', 'ipv6.opt.type', 0, q, 1);
                q++;
                continue;
              }
              if (q + 1 >= p + len) break;
              const ol = d[q + 1];
              ctx.add(
                et,
                ot === 1
                  ? `PadN (${ol} bytes)`
                  : ot === 5
                    ? 'Router Alert'
                    : `Option 0x${ot.toString(16)} (${ol} bytes): ${hexBytes(d, q + 2, ol)}`,
                'ipv6.opt.type',
                ot,
                q,
                2 + ol,
              );
              q += 2 + ol;
            }
          }
        }
        nxt = next;
        p += len;
        continue;
      }
      if (nxt === 44) {
        ctx.need(p, 8, ipEnd);
        const next = d[p];
        const fo = ((d[p + 2] << 8) | d[p + 3]) >> 3;
        const more = (d[p + 3] & 1) !== 0;
        const ident = ((d[p + 4] << 24) | (d[p + 5] << 16) | (d[p + 6] << 8) | d[p + 7]) >>> 0;
        if (t) {
          const ft = ctx.addTree(t, 'Fragment Header for IPv6', 'ipv6.fraghdr', true, p, 8);
          ctx.add(ft, `Next header: ${ipProtoText(next)}`, 'ipv6.fraghdr.nxt', next, p, 1);
          ctx.add(ft, `Offset: ${fo} (${fo * 8} bytes)`, 'ipv6.fraghdr.offset', fo, p + 2, 2);
          ctx.add(ft, `More Fragments: ${more ? 'Yes' : 'No'}`, 'ipv6.fraghdr.more', more, p + 3, 1);
          ctx.add(
            ft,
            `Identification: 0x${ident.toString(16).padStart(8, '0')}`,
            'ipv6.fraghdr.ident',
            ident,
            p + 4,
            4,
          );
        }
        p += 8;
        if (fo !== 0 || more) {
          // reassembly (outer header only): the fragment that completes the datagram carries it
          const declared = plen === 0 ? -1 : off + 40 + plen - p;
          const key =
            outer && ctx.firstPass ? `${formatIpv6(d, off + 8)}>${formatIpv6(d, off + 24)}:${ident}` : '';
          const whole = outer
            ? reassembleFragment(ctx, 'ipv6', key, p, ipEnd, fo * 8, more, declared)
            : undefined;
          if (outer) ctx.ipProto = next;
          if (!whole) {
            if (ctx.cols)
              ctx.setInfo(
                `IPv6 fragment (off=${fo * 8} more=${more ? 'y' : 'n'} ident=0x${ident.toString(16).padStart(8, '0')} nxt=${next})`,
              );
            const inFrame = t ? fragmentReassembledIn(ctx, 'ipv6') : undefined;
            if (t && inFrame)
              ctx.addGenerated(t, `Reassembled IPv6 in frame: ${inFrame}`, 'ipv6.reassembled.in', inFrame);
            ctx.call(dataModule, p, ipEnd, tree);
            return ipEnd - off;
          }
          dissectReassembled(ctx, tree, t, whole, 'IPv6', 'ipv6', next, true);
          return ipEnd - off;
        }
        nxt = next;
        continue;
      }
      break;
    }
    if (outer) {
      ctx.ipProto = nxt;
      ctx.ipPayloadLen = plen === 0 ? ipEnd - p : off + 40 + plen - p;
    }
    if (nxt === 59) return ipEnd - off;
    const m = (ipProtoTable ??= ctx.registry.table('ip.proto')).get(nxt);
    if (m) ctx.call(m, p, ipEnd, tree);
    else {
      if (ctx.cols) ctx.setInfo(ipProtoText(nxt));
      ctx.call(dataModule, p, ipEnd, tree);
    }
    return ipEnd - off;
  },
};

/** Used by ICMPv6 ND to print addresses. */
export { formatIpv6 };
