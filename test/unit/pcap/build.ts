// Builds capture-file bytes by hand for the tests, in either byte order, independent of our writers.

export class Bytes {
  private parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }
  /** unsigned 64-bit from a bigint */
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  raw(b: Uint8Array | number[]): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function concat(...arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let p = 0;
  for (const a of arrays) {
    out.set(a, p);
    p += a.length;
  }
  return out;
}

/** A recognisable packet payload of n bytes. */
export function payload(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

export function classicHeader(o: {
  le: boolean;
  nano?: boolean;
  linkType?: number;
  snapLength?: number;
}): Uint8Array {
  const magic = o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  return new Bytes(o.le)
    .u32(magic)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(o.snapLength ?? 65535)
    .u32(o.linkType ?? 1)
    .done();
}

export function classicRecord(o: {
  le: boolean;
  sec: number;
  frac: number;
  data: Uint8Array;
  original?: number;
  captured?: number;
}): Uint8Array {
  return new Bytes(o.le)
    .u32(o.sec)
    .u32(o.frac)
    .u32(o.captured ?? o.data.length)
    .u32(o.original ?? o.data.length)
    .raw(o.data)
    .done();
}

export interface Opt {
  code: number;
  value: Uint8Array | string;
}

function optBytes(b: Bytes, options: Opt[] | undefined): void {
  if (!options || options.length === 0) return;
  for (const o of options) {
    const v = typeof o.value === 'string' ? new TextEncoder().encode(o.value) : o.value;
    b.u16(o.code).u16(v.length).raw(v).pad4();
  }
  b.u16(0).u16(0);
}

/** A whole pcapng block: type, length, body, options, length. */
export function block(le: boolean, type: number, body: (b: Bytes) => void, options?: Opt[]): Uint8Array {
  const inner = new Bytes(le);
  body(inner);
  inner.pad4();
  optBytes(inner, options);
  const len = inner.length + 12;
  return new Bytes(le).u32(type).u32(len).raw(inner.done()).u32(len).done();
}

export function shb(le: boolean, options?: Opt[]): Uint8Array {
  return block(le, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn), options);
}

export function idb(le: boolean, linkType: number, snapLength: number, options?: Opt[]): Uint8Array {
  return block(le, 1, (b) => b.u16(linkType).u16(0).u32(snapLength), options);
}

/** EPB with a 64-bit timestamp in interface units */
export function epb(
  le: boolean,
  iface: number,
  ts: bigint,
  data: Uint8Array,
  options?: Opt[],
  original?: number,
): Uint8Array {
  const hi = Number(ts >> 32n);
  const lo = Number(ts & 0xffffffffn);
  return block(
    le,
    6,
    (b) =>
      b
        .u32(iface)
        .u32(hi)
        .u32(lo)
        .u32(data.length)
        .u32(original ?? data.length)
        .raw(data),
    options,
  );
}

export function pb(le: boolean, iface: number, ts: bigint, data: Uint8Array, options?: Opt[]): Uint8Array {
  const hi = Number(ts >> 32n);
  const lo = Number(ts & 0xffffffffn);
  return block(
    le,
    2,
    (b) => b.u16(iface).u16(0).u32(hi).u32(lo).u32(data.length).u32(data.length).raw(data),
    options,
  );
}

export function spb(le: boolean, original: number, data: Uint8Array): Uint8Array {
  return block(le, 3, (b) => b.u32(original).raw(data));
}

export const tsresol = (v: number): Opt => ({ code: 9, value: Uint8Array.of(v) });
export const comment = (s: string): Opt => ({ code: 1, value: s });

export function tsoffset(le: boolean, seconds: bigint): Opt {
  return { code: 14, value: new Bytes(le).u64(BigInt.asUintN(64, seconds)).done() };
}
