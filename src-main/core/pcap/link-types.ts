// Which link-layer types ProxyScope decodes, and their names for error messages.
import { LinkType } from './types.js';

const names = new Map<number, string>(Object.entries(LinkType).map(([name, value]) => [value, name]));

/** Other common types, named only so an error can say what the file contains. */
const knownUnsupported = new Map<number, string>([
  [105, 'IEEE802_11'],
  [127, 'IEEE802_11_RADIOTAP'],
  [147, 'USER0'],
  [187, 'BLUETOOTH_HCI_H4'],
  [189, 'USB_LINUX'],
  [220, 'USB_LINUX_MMAPPED'],
  [239, 'NFLOG'],
  [249, 'USBPCAP'],
]);

export function isSupportedLinkType(linkType: number): boolean {
  return names.has(linkType);
}

/** "ETHERNET (1)", "LINKTYPE 12345" … for messages. */
export function describeLinkType(linkType: number): string {
  const name = names.get(linkType) ?? knownUnsupported.get(linkType);
  return name ? `${name} (${linkType})` : `LINKTYPE ${linkType}`;
}

export function supportedLinkTypesList(): string {
  return [...names].map(([value, name]) => `${name} (${value})`).join(', ');
}
