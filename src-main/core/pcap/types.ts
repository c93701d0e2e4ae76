// Shared shapes of the capture-file layer. Owned by pcap/, used by capture/, store/, dissect/.

/** LINKTYPE_* values from the tcpdump.org link-layer header types registry. */
export const LinkType = {
  NULL: 0, // BSD loopback
  ETHERNET: 1,
  RAW: 101, // raw IPv4/IPv6
  LOOP: 108, // OpenBSD loopback
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** One capture interface (pcapng IDB; a classic pcap file has exactly one). */
export interface CaptureInterfaceInfo {
  id: number;
  linkType: number;
  snapLength: number;
  name?: string;
  description?: string;
  /** nanoseconds per timestamp unit (1000 for µs, 1 for ns) */
  tsUnitNs: number;
}

/** One packet as read from a file or a capture backend. */
export interface RawPacket {
  /** timestamp: whole seconds since the epoch, and nanoseconds within that second */
  tsSec: number;
  tsNsec: number;
  capturedLength: number;
  originalLength: number;
  interfaceId: number;
  linkType: number;
  /** the captured bytes; a reader may reuse the buffer after the callback returns: copy to keep */
  data: Uint8Array;
  /** byte offset of the packet data in the file (random access re-reads it from here), -1 if none */
  dataOffset: number;
  /** opt_comment values of the packet (pcapng EPB/PB); absent when none */
  comments?: string[];
}

export type CaptureFileErrorCode =
  'not-a-capture' | 'truncated' | 'bad-block-length' | 'unknown-link-type' | 'bad-field' | 'io';

/** A capture file problem, always naming where it is. Packets before it were already delivered. */
export class CaptureFileError extends Error {
  constructor(
    readonly code: CaptureFileErrorCode,
    /** byte offset in the file where the problem starts */
    readonly offset: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CaptureFileError';
  }
}
