// Splits a capture's packets between parallel engines so that everything one engine's state
// depends on stays together: the key is a symmetric hash of the IP address pair, so both
// directions of a conversation, its retransmissions and its IP fragments land in the same part.
// Packets without an IP header (ARP, unknown link types) all go to part 0.

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;

/** Offset of the IPv4/IPv6 header in a frame of the given link type, or -1. */
export function networkOffset(linkType: number, d: Uint8Array): number {
  let off: number;
  let type: number;
  switch (linkType) {
    case 1: // Ethernet
      if (d.length < 14) return -1;
      type = (d[12] << 8) | d[13];
      off = 14;
      while ((type === ETH_VLAN || type === ETH_QINQ) && d.length >= off + 4) {
        type = (d[off + 2] << 8) | d[off + 3];
        off += 4;
      }
      break;
    case 113: // Linux SLL
      if (d.length < 16) return -1;
      type = (d[14] << 8) | d[15];
      off = 16;
      break;
    case 276: // Linux SLL2
      if (d.length < 20) return -1;
      type = (d[0] << 8) | d[1];
      off = 20;
      break;
    case 0: // BSD loopback, host byte order
    case 108: // OpenBSD loopback, network order
      if (d.length < 4) return -1;
      off = 4;
      type = d[4] >> 4 === 4 ? ETH_IPV4 : d[4] >> 4 === 6 ? ETH_IPV6 : 0;
      break;
    case 101: // raw IP
    case 228:
    case 229:
      off = 0;
      type = d.length > 0 && d[0] >> 4 === 4 ? ETH_IPV4 : d.length > 0 && d[0] >> 4 === 6 ? ETH_IPV6 : 0;
      break;
    default:
      return -1;
  }
  if (type === ETH_IPV4 && d.length >= off + 20 && d[off] >> 4 === 4) return off;
  if (type === ETH_IPV6 && d.length >= off + 40 && d[off] >> 4 === 6) return off;
  return -1;
}

/** Symmetric hash of the packet's IP source and destination (0 when it has no IP header). */
export function partitionKey(linkType: number, d: Uint8Array): number {
  const off = networkOffset(linkType, d);
  if (off < 0) return 0;
  let a = 0x811c9dc5;
  let b = 0x811c9dc5;
  if (d[off] >> 4 === 4) {
    for (let i = 0; i < 4; i++) {
      a = Math.imul(a ^ d[off + 12 + i], 0x01000193);
      b = Math.imul(b ^ d[off + 16 + i], 0x01000193);
    }
  } else {
    for (let i = 0; i < 16; i++) {
      a = Math.imul(a ^ d[off + 8 + i], 0x01000193);
      b = Math.imul(b ^ d[off + 24 + i], 0x01000193);
    }
  }
  // order-independent combination: A→B and B→A give the same key
  return ((a ^ b) >>> 0) + 1;
}
