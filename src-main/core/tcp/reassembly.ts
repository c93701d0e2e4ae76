// TCP reassembly bookkeeping (Wireshark's multi-segment PDUs): a payload dissector asks for more
// bytes (ctx.requestDesegment), the TCP layer collects the following in-order segments of that
// direction and hands the PDU whole to the dissector at the frame that completes it. The first
// pass records, per frame, only what random access needs: where a PDU completes and which frame
// bytes it is made of (re-read with fetchFrame), and which frames carry a PDU completed elsewhere.

import type { ProtocolModule } from '../dissect/registry.js';

/** Bytes of one frame that belong to a PDU: frame data [off, off + len). */
export interface PduPart {
  frame: number;
  off: number;
  len: number;
}

/** A PDU being collected in one direction (first pass only). */
export class Msp {
  parts: PduPart[] = [];
  chunks: Uint8Array[] = [];
  total = 0;
  constructor(
    readonly module: ProtocolModule,
    /** relative sequence number expected next */
    public nextSeq: number,
    /** total bytes the PDU needs; -1 = one more segment at a time */
    public need: number,
  ) {}

  append(frame: number, data: Uint8Array, off: number, len: number): void {
    this.parts.push({ frame, off, len });
    this.chunks.push(data.slice(off, off + len));
    this.total += len;
    this.nextSeq = (this.nextSeq + len) >>> 0;
  }

  /** Adds the last piece straight from the frame and returns the whole buffer (one copy). */
  appendAndJoin(frame: number, data: Uint8Array, off: number, len: number): Uint8Array {
    this.parts.push({ frame, off, len });
    const out = new Uint8Array(this.total + len);
    let p = 0;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    out.set(data.subarray(off, off + len), p);
    this.total += len;
    this.nextSeq = (this.nextSeq + len) >>> 0;
    this.chunks = [out];
    return out;
  }

  bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.total);
    let p = 0;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    this.chunks = [out];
    return out;
  }

  /** Keeps bytes from `from` on (the dissector consumed the head as complete PDUs). */
  dropHead(from: number): void {
    const all = this.bytes().slice(from);
    this.chunks = [all];
    this.total = all.length;
    this.parts = sliceParts(this.parts, from);
  }
}

/** The parts after dropping the first `from` bytes. */
export function sliceParts(parts: PduPart[], from: number): PduPart[] {
  const out: PduPart[] = [];
  let skip = from;
  for (const p of parts) {
    if (skip >= p.len) {
      skip -= p.len;
      continue;
    }
    out.push({ frame: p.frame, off: p.off + skip, len: p.len - skip });
    skip = 0;
  }
  return out;
}

/** What one frame's TCP payload looks like for reassembly (stored only for frames involved). */
export interface ReasmRecord {
  /** a multi-segment PDU completes in this frame */
  completes?: {
    module: ProtocolModule;
    parts: PduPart[];
    length: number;
    /** payload bytes from here on (frame offset) are dissected directly from the frame */
    tailOff: number;
    /** the PDU bytes, kept only when the engine cannot re-read frames */
    bytes?: Uint8Array;
  };
  /** frame offset where a PDU that completes in a later frame starts (it runs to the payload end) */
  partialFrom?: number;
  /** that PDU starts in this frame (its dissector saw the first piece) */
  partialStart?: boolean;
  /** the frame where that PDU completed (absent while unknown or never completed) */
  pduFrame?: number;
}

/** Concatenates the parts of a PDU, reading frames through `read` (undefined if one is missing). */
export function rebuild(
  parts: PduPart[],
  length: number,
  read: (no: number) => Uint8Array | undefined,
): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let p = 0;
  for (const part of parts) {
    const data = read(part.frame);
    if (!data || part.off + part.len > data.length) return undefined;
    out.set(data.subarray(part.off, part.off + part.len), p);
    p += part.len;
  }
  return p === length ? out : undefined;
}

// Most records only say "this frame carries part of a PDU (from offset X), completed in frame N":
// those are stored as one number instead of an object (memory: one slot instead of ~100 bytes).
const OFF_LIMIT = 2 ** 18;
const START = 2 ** 18;
const FRAME_MUL = 2 ** 19;

/**
 * A record with a completed PDU is stored as one flat array (one object instead of five):
 * [meta number (as below), module, length, tailOff, bytes | null, frame, off, len, frame, off, len, …]
 */
const PARTS_AT = 5;

/** Decodes a stored record (a number or a flat array); undefined when none. */
export function decodeRecord(v: unknown): ReasmRecord | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return decodeMeta(v);
  if (!Array.isArray(v)) return v as ReasmRecord;
  const r = decodeMeta(v[0] as number);
  const parts: PduPart[] = [];
  for (let i = PARTS_AT; i + 2 < v.length; i += 3)
    parts.push({ frame: v[i] as number, off: v[i + 1] as number, len: v[i + 2] as number });
  r.completes = { module: v[1] as ProtocolModule, parts, length: v[2] as number, tailOff: v[3] as number };
  if (v[4]) r.completes.bytes = v[4] as Uint8Array;
  return r;
}

function decodeMeta(v: number): ReasmRecord {
  const r: ReasmRecord = {};
  const low = v % OFF_LIMIT;
  if (low > 0) r.partialFrom = low - 1;
  if (Math.floor(v / START) % 2 === 1) r.partialStart = true;
  const frame = Math.floor(v / FRAME_MUL);
  if (frame > 0) r.pduFrame = frame;
  return r;
}

/** The stored form of a record: a number when it has no completed PDU, else a flat array. */
export function encodeRecord(r: ReasmRecord): unknown {
  if (r.partialFrom !== undefined && r.partialFrom + 1 >= OFF_LIMIT) return r;
  const meta =
    (r.partialFrom === undefined ? 0 : r.partialFrom + 1) +
    (r.partialStart ? START : 0) +
    (r.pduFrame ?? 0) * FRAME_MUL;
  const c = r.completes;
  if (!c) return meta;
  // sized up front: push() would reserve slack in every stored record
  const out = new Array<unknown>(PARTS_AT + 3 * c.parts.length);
  out[0] = meta;
  out[1] = c.module;
  out[2] = c.length;
  out[3] = c.tailOff;
  out[4] = c.bytes ?? null;
  let i = PARTS_AT;
  for (const p of c.parts) {
    out[i++] = p.frame;
    out[i++] = p.off;
    out[i++] = p.len;
  }
  return out;
}
