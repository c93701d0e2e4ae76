// The wire format of a packet batch between the capture helper and the session: one Buffer per
// batch, so IPC ('advanced' serialization) copies a single blob instead of thousands of objects.
//   u32 count, then per packet: u32 tsSec, u32 tsNsec, u32 capturedLength, u32 originalLength, bytes
// Little-endian, both ends are the same machine.

import type { RawPacket } from '../pcap/types.js';

const HEADER = 16;

/** Accumulates packets into one growing Buffer; `take()` hands it over and starts a new one. */
export class BatchEncoder {
  private buf: Buffer;
  private used = 4;
  private n = 0;

  constructor(private readonly initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get count(): number {
    return this.n;
  }

  get bytes(): number {
    return this.used;
  }

  /** copies `data` (the caller's buffer may be reused right after) */
  add(tsSec: number, tsNsec: number, data: Uint8Array, length: number, originalLength: number): void {
    const need = this.used + HEADER + length;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(tsSec >>> 0, o);
    b.writeUInt32LE(tsNsec >>> 0, o + 4);
    b.writeUInt32LE(length, o + 8);
    b.writeUInt32LE(originalLength >>> 0, o + 12);
    o += HEADER;
    b.set(data.subarray(0, length), o);
    this.used = o + length;
    this.n++;
  }

  take(): Buffer {
    const out = this.buf.subarray(0, this.used);
    out.writeUInt32LE(this.n, 0);
    this.buf = Buffer.allocUnsafe(this.initialBytes);
    this.used = 4;
    this.n = 0;
    return out;
  }
}

/** Splits a batch back into the session's packets (one object each); the data views share the batch buffer (no copy). */
export function decodeBatch(buf: Uint8Array, linkType: number): RawPacket[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4) throw new Error('capture batch shorter than its header');
  const n = view.getUint32(0, true);
  const out: RawPacket[] = new Array(n);
  let o = 4;
  for (let i = 0; i < n; i++) {
    if (o + HEADER > buf.byteLength) throw new Error(`capture batch truncated at packet ${i} of ${n}`);
    const tsSec = view.getUint32(o, true);
    const tsNsec = view.getUint32(o + 4, true);
    const len = view.getUint32(o + 8, true);
    const originalLength = view.getUint32(o + 12, true);
    o += HEADER;
    if (o + len > buf.byteLength) throw new Error(`capture batch truncated inside packet ${i} of ${n}`);
    out[i] = {
      tsSec,
      tsNsec,
      capturedLength: len,
      originalLength,
      interfaceId: 0,
      linkType,
      data: buf.subarray(o, o + len),
      dataOffset: -1,
    };
    o += len;
  }
  return out;
}
