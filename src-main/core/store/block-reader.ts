// Reads packet bytes back from the capture file. Packets sit in file order, so scanning many of
// them (a filter over the whole capture) reads one large window at a time instead of one small
// read per packet; single lookups (a row in view) read just what they need.
import { CaptureFileReader } from '../pcap/file-reader.js';

const WINDOW = 4 << 20;

export class BlockReader {
  private reader: CaptureFileReader | null = null;
  private window = new Uint8Array(0);
  private windowStart = 0;
  private windowLength = 0;

  constructor(
    readonly path: string,
    /** bytes known to be in the file (grows during a live capture); reads never pass it */
    private readonly fileSize: () => number,
  ) {}

  private open(): CaptureFileReader {
    if (!this.reader) this.reader = CaptureFileReader.open(this.path);
    return this.reader;
  }

  /** A fresh copy of the bytes (safe to keep). */
  read(offset: number, length: number): Uint8Array {
    const w = this.fromWindow(offset, length);
    if (w) return w.slice();
    return this.open().readBytes(offset, length);
  }

  /**
   * The bytes through the read-ahead window: a view valid until the next call. For sequential
   * scans.
   */
  readSequential(offset: number, length: number): Uint8Array {
    const w = this.fromWindow(offset, length);
    if (w) return w;
    const size = Math.max(length, Math.min(WINDOW, this.fileSize() - offset));
    if (this.window.length < size) this.window = new Uint8Array(Math.max(size, WINDOW));
    const target = this.window.subarray(0, size);
    this.open().readInto(offset, target);
    this.windowStart = offset;
    this.windowLength = size;
    return target.subarray(0, length);
  }

  private fromWindow(offset: number, length: number): Uint8Array | undefined {
    if (offset >= this.windowStart && offset + length <= this.windowStart + this.windowLength) {
      const at = offset - this.windowStart;
      return this.window.subarray(at, at + length);
    }
    return undefined;
  }

  /** Forgets the window (the file grew or changed). */
  invalidate(): void {
    this.windowLength = 0;
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
    this.window = new Uint8Array(0);
    this.windowLength = 0;
  }
}
