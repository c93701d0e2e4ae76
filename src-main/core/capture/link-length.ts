// cap copies at most its 65535-byte snapshot and never says how long the packet really was. For a
// snapshot-sized packet, recover the original length from the IP header's own length field.
import { u16be } from '../pcap/bytes.js';
import { LinkType } from '../pcap/types.js';

export const CAP_SNAPLEN = 65535;

/** the link-layer header length and where its EtherType is, or null for link types we cannot read */
function etherTypeAt(linkType: number): { header: number; typeAt: number } | null {
  switch (linkType) {
    case LinkType.ETHERNET:
      return { header: 14, typeAt: 12 };
    case LinkType.LINUX_SLL:
      return { header: 16, typeAt: 14 };
    case LinkType.LINUX_SLL2:
      return { header: 20, typeAt: 0 };
    default:
      return null;
  }
}

export function inferOriginalLength(linkType: number, data: Uint8Array, capturedLength: number): number {
  if (capturedLength < CAP_SNAPLEN) return capturedLength;
  let ipAt: number;
  let version: number;
  if (linkType === LinkType.RAW) {
    ipAt = 0;
    version = (data[0] ?? 0) >> 4;
  } else {
    const l = etherTypeAt(linkType);
    if (!l || capturedLength < l.header + 1) return capturedLength;
    const et = u16be(data, l.typeAt);
    ipAt = l.header;
    version = et === 0x0800 ? 4 : et === 0x86dd ? 6 : 0;
  }
  if (version === 4 && capturedLength >= ipAt + 4) {
    return Math.max(capturedLength, ipAt + u16be(data, ipAt + 2));
  }
  if (version === 6 && capturedLength >= ipAt + 6) {
    return Math.max(capturedLength, ipAt + 40 + u16be(data, ipAt + 4));
  }
  return capturedLength;
}

/** cap names link types with strings; map them (and "Unknown linktype N") to LINKTYPE_* numbers */
export function capLinkTypeNumber(name: string): number | null {
  switch (name) {
    case 'ETHERNET':
      return LinkType.ETHERNET;
    case 'NULL':
      return LinkType.NULL;
    case 'RAW':
      return LinkType.RAW;
    case 'LINKTYPE_LINUX_SLL':
      return LinkType.LINUX_SLL;
    case 'IEEE802_11_RADIO':
      return 127;
  }
  const m = /Unknown linktype (\d+)/.exec(name);
  return m ? dltToLinkType(Number(m[1])) : null;
}

/** DLT_* values equal LINKTYPE_* except for a few historical ones (DLT_RAW is 12 or 14 on some BSDs) */
function dltToLinkType(dlt: number): number {
  if (dlt === 12 || dlt === 14) return LinkType.RAW;
  return dlt;
}
