// The contract between the push parser (framing, chunk carry-over) and a file format (classic pcap,
// pcapng): the format says how long the record at a position is, then decodes the whole record.
import type { CaptureInterfaceInfo, RawPacket } from './types.js';

export interface CaptureParserHandlers {
  onInterface?(info: CaptureInterfaceInfo): void;
  /** p.data is a view into the parser's buffer, valid only during this call: copy it to keep it */
  onPacket(p: RawPacket): void;
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

/** Largest record we accept: anything bigger is corruption, not a packet. */
export const MAX_RECORD_LENGTH = 256 * 1024 * 1024;
