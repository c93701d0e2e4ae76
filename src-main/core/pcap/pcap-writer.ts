// Writes classic libpcap files (little-endian, µs or ns timestamps), for tests, benchmarks and
// exporting to tools that predate pcapng.
import * as bytes from './bytes.js';
import { FileSink } from './file-sink.js';
import * as timestamp from './timestamp.js';

// Local aliases of the byte readers: a loader that compiles ES modules to CommonJS (tsx in tests and
// benches) turns every imported call into a property getter; aliases make them direct calls.
const { putU16le, putU32le } = bytes;
const { checkTimestamp } = timestamp;

export interface PcapWriterOptions {
  linkType: number;
  /** default 262144 */
  snapLength?: number;
  /** nanosecond timestamps (magic a1b23c4d); default microseconds */
  nanoseconds?: boolean;
}

export interface PcapPacketSpec {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  originalLength?: number;
}

export class PcapWriter {
  private readonly sink: FileSink;
  private readonly nanoseconds: boolean;

  constructor(target: string | number, options: PcapWriterOptions) {
    this.sink = new FileSink(target);
    this.nanoseconds = options.nanoseconds ?? false;
    const { buf, at } = this.sink.reserve(24);
    putU32le(buf, at, this.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
    putU16le(buf, at + 4, 2);
    putU16le(buf, at + 6, 4);
    putU32le(buf, at + 8, 0);
    putU32le(buf, at + 12, 0);
    putU32le(buf, at + 16, options.snapLength ?? 262144);
    putU32le(buf, at + 20, options.linkType);
  }

  get bytesWritten(): number {
    return this.sink.offset;
  }

  /** Appends one packet; returns the absolute file offset of its data. */
  writePacket(p: PcapPacketSpec): number {
    const data = p.data;
    checkTimestamp(p.tsSec, p.tsNsec, 2 ** 32, this.sink.offset); // classic records hold 32-bit seconds
    const start = this.sink.offset;
    const { buf, at } = this.sink.reserve(16 + data.length);
    putU32le(buf, at, p.tsSec);
    putU32le(buf, at + 4, this.nanoseconds ? p.tsNsec : Math.floor(p.tsNsec / 1000));
    putU32le(buf, at + 8, data.length);
    putU32le(buf, at + 12, p.originalLength ?? data.length);
    buf.set(data, at + 16);
    this.sink.maybeFlush();
    return start + 16;
  }

  flush(): void {
    this.sink.flush();
  }

  close(): void {
    this.sink.close();
  }
}
