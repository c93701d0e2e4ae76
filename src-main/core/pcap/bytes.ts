// Endian-explicit integer reads and writes on plain Uint8Arrays. Hand-written instead of DataView so
// the hot path never allocates a view per chunk and V8 can inline them. Callers bounds-check first.

export function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

export function u32be(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? u16le(b, o) : u16be(b, o);
}

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le ? u32le(b, o) : u32be(b, o);
}

export function putU16le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

export function putU32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** Rounds a length up to the next multiple of 4 (pcapng pads every field to 32 bits). */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes a UTF-8 option value, dropping trailing NULs some writers include. */
export function utf8String(b: Uint8Array, start: number, end: number): string {
  let e = end;
  while (e > start && b[e - 1] === 0) e--;
  return utf8.decode(b.subarray(start, e));
}
