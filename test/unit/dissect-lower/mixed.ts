// A mixed lower-layer capture (ARP, VLAN, IPv4 options and fragments, IPv6 extension headers,
// UDP, ICMP and ICMPv6 messages) shared by the layer tests and the tshark cross-check.

import {
  ACK,
  PSH,
  SYN,
  concat,
  eth,
  icmp,
  icmpEcho,
  icmpFragNeeded,
  icmpv6,
  ipv4,
  ipv4Addr,
  ipv6,
  ipv6Addr,
  ipv6Ext,
  ipv6Frag,
  mac,
  raw,
  tcp,
  udp,
  sll,
  sll2,
  type Bytes,
} from '../../helpers/frames.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

export function arp(
  op: number,
  senderMac: string,
  senderIp: string,
  targetMac: string,
  targetIp: string,
): Bytes {
  return concat(
    Uint8Array.from([0, 1, 8, 0, 6, 4, 0, op]),
    mac(senderMac),
    ipv4Addr(senderIp),
    mac(targetMac),
    ipv4Addr(targetIp),
  );
}

function u16(v: number): Bytes {
  return Uint8Array.from([v >> 8, v & 255]);
}

export function mixedEthernet(): RawPacket[] {
  const f: Bytes[] = [];
  // 1-2 ARP who-has / is-at
  f.push(
    eth(arp(1, '00:50:56:8d:76:9d', '10.10.10.5', '00:00:00:00:00:00', '10.10.10.1'), {
      dst: 'ff:ff:ff:ff:ff:ff',
      type: 0x0806,
    }),
  );
  f.push(
    eth(arp(2, '00:00:0c:9f:f0:01', '10.10.10.1', '00:50:56:8d:76:9d', '10.10.10.5'), {
      src: '00:00:0c:9f:f0:01',
      dst: '00:50:56:8d:76:9d',
      type: 0x0806,
    }),
  );
  // 3 VLAN-tagged TCP SYN
  f.push(
    eth(
      ipv4(
        tcp(new Uint8Array(0), {
          sport: 47100,
          dport: 47101,
          flags: SYN,
          win: 29200,
          options: [{ kind: 'mss', value: 1460 }],
        }),
        {},
      ),
      { vlan: 42 },
    ),
  );
  // 4 IPv4 with a Router Alert option, UDP on high ports
  f.push(
    eth(
      ipv4(udp(new Uint8Array(20), { sport: 47200, dport: 47201 }), {
        proto: 17,
        options: Uint8Array.from([148, 4, 0, 0]),
      }),
    ),
  );
  // 5-6 IPv4 fragments (first and second)
  const big = udp(new Uint8Array(1600), { sport: 47202, dport: 47203 });
  f.push(eth(ipv4(big.subarray(0, 1480), { proto: 17, df: false, mf: true, id: 0x4321, totalLength: 1500 })));
  f.push(eth(ipv4(big.subarray(1480), { proto: 17, df: false, fragOffset: 1480, id: 0x4321 })));
  // 7-8 ICMP echo request/reply
  f.push(eth(ipv4(icmpEcho(true, 0x1234, 7), { proto: 1 })));
  f.push(eth(ipv4(icmpEcho(false, 0x1234, 7), { proto: 1, src: '10.10.10.1', dst: '10.10.10.5' })));
  // 9 ICMP fragmentation needed quoting a TCP segment, MTU 1400
  const quoted = ipv4(tcp(new Uint8Array(0), { sport: 47300, dport: 3128, seq: 12345, flags: PSH | ACK }), {
    totalLength: 1500,
  });
  f.push(
    eth(ipv4(icmpFragNeeded(1400, quoted), { proto: 1, src: '10.10.10.254', dst: '10.10.10.5', df: false })),
  );
  // 10 ICMP time exceeded quoting UDP
  const q2 = ipv4(udp(new Uint8Array(0), { sport: 47301, dport: 33434 }), { proto: 17, ttl: 1 });
  f.push(
    eth(
      ipv4(icmp(11, 0, new Uint8Array(4), q2.subarray(0, 28)), {
        proto: 1,
        src: '10.10.10.254',
        dst: '10.10.10.5',
      }),
    ),
  );
  // 11 IPv6 hop-by-hop + TCP SYN-ACK
  f.push(
    eth(
      ipv6(
        tcp(new Uint8Array(0), {
          sport: 47401,
          dport: 47400,
          seq: 1,
          ack: 2,
          flags: SYN | ACK,
          src: '2001:db8::1',
          dst: '2001:db8::5',
        }),
        { src: '2001:db8::1', dst: '2001:db8::5', nxt: 0, ext: ipv6Ext(6) },
      ),
      { type: 0x86dd },
    ),
  );
  // 12 IPv6 fragment (first piece)
  f.push(eth(ipv6(new Uint8Array(64), { nxt: 44, ext: ipv6Frag(17, 0, true, 0xabcdef) }), { type: 0x86dd }));
  // 13-14 ICMPv6 echo request, packet too big (MTU 1280)
  f.push(
    eth(ipv6(icmpv6(128, 0, concat(u16(0x42), u16(1)), new Uint8Array(8)), { nxt: 58 }), { type: 0x86dd }),
  );
  const orig6 = ipv6(
    tcp(new Uint8Array(0), { sport: 47402, dport: 443, flags: ACK, src: '2001:db8::5', dst: '2001:db8::99' }),
    { dst: '2001:db8::99' },
  );
  f.push(
    eth(
      ipv6(icmpv6(2, 0, Uint8Array.from([0, 0, 5, 0]), orig6, '2001:db8::fe', '2001:db8::5'), {
        nxt: 58,
        src: '2001:db8::fe',
        dst: '2001:db8::5',
      }),
      { type: 0x86dd },
    ),
  );
  // 15-16 neighbour solicitation / advertisement with link-layer options
  const target = ipv6Addr('fe80::1');
  f.push(
    eth(
      ipv6(
        icmpv6(
          135,
          0,
          new Uint8Array(4),
          concat(target, Uint8Array.from([1, 1]), mac('00:50:56:8d:76:9d')),
          'fe80::5',
          'ff02::1:ff00:1',
        ),
        { nxt: 58, src: 'fe80::5', dst: 'ff02::1:ff00:1', hlim: 255 },
      ),
      { type: 0x86dd, dst: '33:33:ff:00:00:01' },
    ),
  );
  f.push(
    eth(
      ipv6(
        icmpv6(
          136,
          0,
          Uint8Array.from([0x60, 0, 0, 0]),
          concat(target, Uint8Array.from([2, 1]), mac('00:00:0c:9f:f0:01')),
          'fe80::1',
          'fe80::5',
        ),
        { nxt: 58, src: 'fe80::1', dst: 'fe80::5', hlim: 255 },
      ),
      { type: 0x86dd, src: '00:00:0c:9f:f0:01' },
    ),
  );
  return f.map((b, i) => raw(b, i * 0.001));
}

/** The same TCP segment under each non-Ethernet link type. */
export function otherLinks(): { linkType: number; name: string; packet: RawPacket }[] {
  const ip = ipv4(
    tcp(new Uint8Array(0), {
      sport: 47500,
      dport: 47501,
      flags: SYN,
      win: 65495,
      options: [{ kind: 'mss', value: 65495 }],
    }),
  );
  const nullHdr = Uint8Array.from([2, 0, 0, 0]); // AF_INET, little-endian host
  return [
    { linkType: 113, name: 'SLL', packet: raw(sll(ip), 0, 113) },
    { linkType: 276, name: 'SLL2', packet: raw(sll2(ip), 0, 276) },
    { linkType: 0, name: 'NULL', packet: raw(concat(nullHdr, ip), 0, 0) },
    { linkType: 101, name: 'RAW', packet: raw(ip, 0, 101) },
  ];
}
