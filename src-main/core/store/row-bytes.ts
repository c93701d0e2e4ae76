// Packet-list rows encoded straight into UTF-8 bytes: a million-packet listing would otherwise
// build each row as a string of a dozen pieces (numbers, padded columns, the time) only to encode
// it once and drop it. Bytes are identical to encoding textRow()/tsvRow() (listing.ts).
import type { PacketSummary } from '../dissect/types.js';
import type { InfoPiece, InfoSink } from '../dissect/engine-context.js';

const TAB = 9;
const NL = 10;
const SPACE = 32;
const BREAKS = /[\t\r\n]/;
const BREAKS_ALL = /[\t\r\n]/g;
/** texts longer than this go through Buffer#write */
const LONG_TEXT = 24;
/** "00" … "99" as ASCII, two bytes a number */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) =>
  i & 1 ? 48 + ((i >> 1) % 10) : 48 + Math.floor((i >> 1) / 10),
);
/** " → " in UTF-8 */
const ARROW = [SPACE, 0xe2, 0x86, 0x92, SPACE];

export class RowBytes {
  buf: Buffer;
  used = 0;

  /** this buffer as an InfoSink for engine.writeInfo(), with tabs and line breaks as spaces */
  readonly infoSink: InfoSink = {
    text: (s: string) => this.text(s, true),
    uint: (v: number) => this.uint(v),
    piece: (p: InfoPiece) => this.bytes(p.bytes),
  };

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Makes room for n more bytes (growing by copying what is there). */
  private room(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** Takes the bytes written so far (a view of the current buffer) and starts a new buffer. */
  take(nextSize = this.buf.length): Uint8Array {
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.used);
    this.buf = Buffer.allocUnsafeSlow(nextSize);
    this.used = 0;
    return out;
  }

  /** Forgets the bytes written (keeps the buffer). */
  clear(): void {
    this.used = 0;
  }

  /** Text as UTF-8, tabs and line breaks as spaces when `oneLine`. */
  text(s: string, oneLine = false): void {
    const n = s.length;
    this.room(n * 3);
    if (n > LONG_TEXT) {
      // the encoder beats a loop for longer texts (most Info columns)
      this.used += this.buf.write(oneLine && BREAKS.test(s) ? s.replace(BREAKS_ALL, ' ') : s, this.used);
      return;
    }
    const b = this.buf;
    let u = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) b[u++] = oneLine && (c === TAB || c === NL || c === 13) ? SPACE : c;
      else {
        // the rest through the encoder (surrogate pairs, lone surrogates as U+FFFD)
        const rest = i === 0 ? s : s.slice(i);
        u += b.write(oneLine ? rest.replace(BREAKS_ALL, ' ') : rest, u);
        break;
      }
    }
    this.used = u;
  }

  /** ASCII text padded with spaces on the left (right-aligned) or right to `width` characters. */
  padded(s: string, width: number, left: boolean): void {
    const pad = width - s.length;
    if (pad > 0 && left) this.spaces(pad);
    this.text(s);
    if (pad > 0 && !left) this.spaces(pad);
  }

  spaces(n: number): void {
    this.room(n);
    this.buf.fill(SPACE, this.used, this.used + n);
    this.used += n;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.used++] = c;
  }

  /** A non-negative integer (below 2^53) in decimal, right-aligned to `width`. */
  uint(v: number, width = 0): void {
    const digits = decimalDigits(v);
    if (width > digits) this.spaces(width - digits);
    this.room(digits);
    const b = this.buf;
    let u = this.used + digits;
    this.used = u;
    while (v > 0x7fffffff) {
      const q = Math.floor(v / 10);
      b[--u] = 48 + (v - q * 10);
      v = q;
    }
    // two digits at a time, in 32-bit integers (sequence numbers, timestamps, ports)
    while (v >= 100) {
      const q = (v / 100) | 0;
      const r = (v - q * 100) << 1;
      b[--u] = DIGIT_PAIRS[r + 1];
      b[--u] = DIGIT_PAIRS[r];
      v = q;
    }
    if (v >= 10) {
      b[u - 1] = DIGIT_PAIRS[(v << 1) + 1];
      b[u - 2] = DIGIT_PAIRS[v << 1];
    } else b[u - 1] = 48 + v;
  }

  /** Bytes already encoded (a fixed piece of text). */
  bytes(p: Uint8Array): void {
    const n = p.length;
    this.room(n);
    const b = this.buf;
    let u = this.used;
    for (let i = 0; i < n; i++) b[u++] = p[i];
    this.used = u;
  }

  /** "whole.fraction" with `digits` fraction digits (fraction < 10^digits), right-aligned to `width`. */
  fixed(whole: number, fraction: number, digits: number, width = 0): void {
    const len = decimalDigits(whole) + 1 + digits;
    if (width > len) this.spaces(width - len);
    this.uint(whole);
    this.room(1 + digits);
    const b = this.buf;
    b[this.used++] = 46;
    let u = this.used + digits;
    this.used = u;
    for (let i = 0; i < digits; i++) {
      const q = Math.floor(fraction / 10);
      b[--u] = 48 + (fraction - q * 10);
      fraction = q;
    }
  }

  /** tshark's one-line layout (textRow in listing.ts), with the time already split. */
  textRow(s: PacketSummary, whole: number, fraction: number, digits: number): void {
    this.textRowHead(s, whole, fraction, digits);
    this.text(s.info, true);
    this.byte(NL);
  }

  /** textRow() up to the Info column (the caller writes the Info and the newline). */
  textRowHead(s: PacketSummary, whole: number, fraction: number, digits: number): void {
    this.uint(s.no, 5);
    this.byte(SPACE);
    this.fixed(whole, fraction, digits, 10);
    this.byte(SPACE);
    this.padded(s.src, 12, true);
    this.room(ARROW.length);
    for (const c of ARROW) this.buf[this.used++] = c;
    this.padded(s.dst, 12, false);
    this.byte(SPACE);
    this.text(s.protocol);
    this.byte(SPACE);
    this.uint(s.length);
    this.byte(SPACE);
  }

  /** A TSV row (tsvRow in listing.ts), with the time already split. */
  tsvRow(s: PacketSummary, whole: number, fraction: number, digits: number): void {
    this.tsvRowHead(s, whole, fraction, digits);
    this.text(s.info, true);
    this.byte(NL);
  }

  /** tsvRow() up to the Info column (the caller writes the Info and the newline). */
  tsvRowHead(s: PacketSummary, whole: number, fraction: number, digits: number): void {
    this.uint(s.no);
    this.byte(TAB);
    this.fixed(whole, fraction, digits);
    this.byte(TAB);
    this.text(s.src);
    this.byte(TAB);
    this.text(s.dst);
    this.byte(TAB);
    this.text(s.protocol);
    this.byte(TAB);
    this.uint(s.length);
    this.byte(TAB);
  }

  newline(): void {
    this.byte(NL);
  }
}

function decimalDigits(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  if (v < 100000) return 5;
  let d = 6;
  for (let p = 1e6; v >= p && d < 16; p *= 10) d++;
  return d;
}
