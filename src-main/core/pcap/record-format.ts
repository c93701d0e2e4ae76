// The contract between the push parser (framing, chunk carry-over) and a file format (classic pcap,
// pcapng): the format says how long the record at a position is, then decodes the whole record.
import type { CaptureInterfaceInfo, RawPacket } from './types.js';

export interface CaptureParserHandlers {
  onInterface?(info: CaptureInterfaceInfo): void;
  /** p.data is a view into the parser's buffer, valid only during this call: copy it to keep it */
  onPacket(p: RawPacket): void;
  /**
   * Deliver every packet in one reused RawPacket object (a consumer that keeps nothing of it
   * after the call, like a streaming listing, saves an object a packet).
   */
  reusePacket?: boolean;
  onSectionComment?(comment: string): void;
}

export interface RecordFormat {
  readonly name: 'pcap' | 'pcapng';
  /**
   * Total length of the record starting at b[o] (abs = its offset in the stream), or, when fewer
   * than the bytes needed to know that are available, minus the number of bytes needed. Throws
   * CaptureFileError for an impossible length. Must not change state: it may be asked twice.
   */
  recordLength(b: Uint8Array, o: number, avail: number, abs: number): number;
  /** Decodes one complete record of `len` bytes at b[o]. */
  processRecord(b: Uint8Array, o: number, len: number, abs: number): void;
  /** Number of packets delivered so far. */
  readonly packets: number;
  /** Words for a truncation message: "packet record", "block" … */
  describeRecord(b: Uint8Array, o: number, avail: number): string;
}

/** The RawPacket a format delivers: a new one, or `reused` refilled (see reusePacket). */
export function packetFor(
  reused: RawPacket | null,
  tsSec: number,
  tsNsec: number,
  capturedLength: number,
  originalLength: number,
  interfaceId: number,
  linkType: number,
  data: Uint8Array,
  dataOffset: number,
): RawPacket {
  if (reused === null)
    return { tsSec, tsNsec, capturedLength, originalLength, interfaceId, linkType, data, dataOffset };
  reused.tsSec = tsSec;
  reused.tsNsec = tsNsec;
  reused.capturedLength = capturedLength;
  reused.originalLength = originalLength;
  reused.interfaceId = interfaceId;
  reused.linkType = linkType;
  reused.data = data;
  reused.dataOffset = dataOffset;
  if (reused.comments !== undefined) reused.comments = undefined;
  return reused;
}

/** The object packetFor() refills, when the handlers ask for reuse. */
export function reusablePacket(handlers: CaptureParserHandlers): RawPacket | null {
  if (!handlers.reusePacket) return null;
  return {
    tsSec: 0,
    tsNsec: 0,
    capturedLength: 0,
    originalLength: 0,
    interfaceId: 0,
    linkType: 0,
    data: new Uint8Array(0),
    dataOffset: 0,
    comments: undefined,
  };
}

/** Largest record we accept: anything bigger is corruption, not a packet. */
export const MAX_RECORD_LENGTH = 256 * 1024 * 1024;
