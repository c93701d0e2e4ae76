// Literals of a display filter and how they compare with field values. A FieldSource gives
// values untyped (numbers, bigints, booleans, strings holding addresses, byte arrays), so a
// literal keeps every reading it has (number, IPv4 block, IPv6 block, MAC/bytes, text) and the
// value's own type picks the one that applies — `ip.src == 10.0.0.0/8` and
// `http.host == "x"` both work without a field-type table.
import type { FieldValue } from '../dissect/types.js';

export interface Literal {
  text: string;
  quoted: boolean;
  num?: number;
  big?: bigint;
  bool?: boolean;
  /** IPv4 network as unsigned 32-bit, with the mask of its prefix */
  v4?: { addr: number; mask: number };
  /** IPv6 network bytes and prefix length */
  v6?: { bytes: Uint8Array; prefix: number };
  /** bytes written as hex separated by ':', '-' or '.' (MAC addresses included) */
  bytes?: Uint8Array;
  /** the text as UTF-8 bytes, for byte fields compared with strings */
  textBytes: Uint8Array;
}

const encoder = new TextEncoder();

export function parseLiteral(text: string, quoted: boolean): Literal {
  const lit: Literal = { text, quoted, textBytes: encoder.encode(text) };
  if (quoted) return lit;
  const num = parseNumber(text);
  if (num !== undefined) {
    lit.num = num;
    if (Number.isSafeInteger(num)) lit.big = BigInt(num);
    else if (/^-?(0x[0-9a-f]+|[1-9]\d*)$/i.test(text)) lit.big = bigFrom(text);
  }
  const lower = text.toLowerCase();
  if (lower === 'true') lit.bool = true;
  else if (lower === 'false') lit.bool = false;
  else if (num !== undefined) lit.bool = num !== 0;
  const v4 = parseIPv4Block(text);
  if (v4) lit.v4 = v4;
  const v6 = parseIPv6Block(text);
  if (v6) lit.v6 = v6;
  const bytes = parseHexBytes(text);
  if (bytes) lit.bytes = bytes;
  return lit;
}

function bigFrom(text: string): bigint | undefined {
  const neg = text.startsWith('-');
  try {
    const b = BigInt(neg ? text.slice(1) : text);
    return neg ? -b : b;
  } catch {
    return undefined;
  }
}

/** Integers in decimal, hex (0x), octal (leading 0), binary (0b); decimals; an optional sign. */
export function parseNumber(text: string): number | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|0b[01]+|0[0-7]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)$/i.exec(
    text,
  );
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2].toLowerCase();
  let v: number;
  if (body.startsWith('0x')) v = parseInt(body.slice(2), 16);
  else if (body.startsWith('0b')) v = parseInt(body.slice(2), 2);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body.slice(1), 8);
  else v = Number(body);
  return Number.isFinite(v) ? sign * v : undefined;
}

/** "a.b.c.d" as an unsigned 32-bit number, or undefined. */
export function parseIPv4(text: string): number | undefined {
  let acc = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      acc = acc * 256 + part;
      part = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return acc * 256 + part;
}

function parseIPv4Block(text: string): { addr: number; mask: number } | undefined {
  const slash = text.indexOf('/');
  const addr = parseIPv4(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  let bits = 32;
  if (slash >= 0) {
    if (!/^\d{1,2}$/.test(text.slice(slash + 1))) return undefined;
    bits = Number(text.slice(slash + 1));
    if (bits > 32) return undefined;
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { addr: (addr & mask) >>> 0, mask };
}

/** An IPv6 address (with optional embedded IPv4 tail) as 16 bytes, or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.indexOf(':') < 0) return undefined;
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(text.slice(0, dbl));
    const tail = parseGroups(text.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const g = parseGroups(text);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function parseIPv6Block(text: string): { bytes: Uint8Array; prefix: number } | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIPv6(slash < 0 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  let prefix = 128;
  if (slash >= 0) {
    if (!/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
    prefix = Number(text.slice(slash + 1));
    if (prefix > 128) return undefined;
  }
  return { bytes, prefix };
}

/** "00:50:56:8d:76:9d", "00-50-56-8d-76-9d", "0050.568d.769d", "16:03:01": hex bytes. */
export function parseHexBytes(text: string): Uint8Array | undefined {
  if (/^[0-9a-f]{2}([:\-.][0-9a-f]{2})*$/i.test(text)) {
    const parts = text.split(/[:\-.]/);
    return Uint8Array.from(parts, (p) => parseInt(p, 16));
  }
  if (/^[0-9a-f]{4}(\.[0-9a-f]{4}){2}$/i.test(text)) {
    const hex = text.replace(/\./g, '');
    return Uint8Array.from({ length: 6 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  }
  return undefined;
}

export type CompareOp = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge';

function ordered(c: number, op: CompareOp): boolean {
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'gt':
      return c > 0;
    case 'le':
      return c <= 0;
    case 'ge':
      return c >= 0;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function inV6Block(v: Uint8Array, block: { bytes: Uint8Array; prefix: number }): boolean {
  let bits = block.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((v[i] & mask) !== (block.bytes[i] & mask)) return false;
  }
  return true;
}

/**
 * Compares one field value with a literal. Returns undefined when the two cannot be compared
 * (a text literal against a number, say), which the caller treats as "no match".
 */
export function compareValue(v: FieldValue, lit: Literal, op: CompareOp): boolean | undefined {
  switch (typeof v) {
    case 'number':
      if (lit.num !== undefined) return ordered(v < lit.num ? -1 : v > lit.num ? 1 : 0, op);
      if (lit.bool !== undefined) return ordered(Number(v !== 0) - Number(lit.bool), op);
      return undefined;
    case 'bigint':
      if (lit.big !== undefined) return ordered(v < lit.big ? -1 : v > lit.big ? 1 : 0, op);
      if (lit.num !== undefined) {
        const n = Number(v);
        return ordered(n < lit.num ? -1 : n > lit.num ? 1 : 0, op);
      }
      return undefined;
    case 'boolean':
      if (lit.bool !== undefined) return ordered(Number(v) - Number(lit.bool), op);
      return undefined;
    case 'string': {
      if (!lit.quoted) {
        if (lit.v4) {
          const a = parseIPv4(v);
          if (a !== undefined) {
            const masked = (a & lit.v4.mask) >>> 0;
            return ordered(masked < lit.v4.addr ? -1 : masked > lit.v4.addr ? 1 : 0, op);
          }
        }
        if (lit.v6 && v.indexOf(':') >= 0) {
          const b = parseIPv6(v);
          if (b) {
            if (op === 'eq' || op === 'ne') return inV6Block(b, lit.v6) === (op === 'eq');
            return ordered(compareBytes(b, lit.v6.bytes), op);
          }
        }
        if (lit.bytes) {
          const b = parseHexBytes(v);
          if (b) return ordered(compareBytes(b, lit.bytes), op);
        }
      }
      return ordered(v < lit.text ? -1 : v > lit.text ? 1 : 0, op);
    }
    case 'object': {
      const other = !lit.quoted && lit.bytes ? lit.bytes : lit.textBytes;
      return ordered(compareBytes(v, other), op);
    }
  }
  return undefined;
}

/** Two field values against each other (`ip.src == ip.dst`). */
export function compareValues(a: FieldValue, b: FieldValue, op: CompareOp): boolean | undefined {
  if (typeof a === 'number' && typeof b === 'number') return ordered(a < b ? -1 : a > b ? 1 : 0, op);
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (
      (typeof a === 'bigint' || typeof a === 'number') &&
      (typeof b === 'bigint' || typeof b === 'number')
    ) {
      const x = BigInt(a);
      const y = BigInt(b);
      return ordered(x < y ? -1 : x > y ? 1 : 0, op);
    }
    return undefined;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return ordered(Number(a) - Number(b), op);
  if (typeof a === 'string' && typeof b === 'string') {
    const x = parseIPv4(a);
    const y = parseIPv4(b);
    if (x !== undefined && y !== undefined) return ordered(x - y, op);
    return ordered(a < b ? -1 : a > b ? 1 : 0, op);
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return ordered(compareBytes(a, b), op);
  return undefined;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = 0; i <= last; i++) {
    if (hay[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function containsValue(v: FieldValue, lit: Literal): boolean {
  if (typeof v === 'string') return v.includes(lit.text);
  if (v instanceof Uint8Array)
    return indexOfBytes(v, !lit.quoted && lit.bytes ? lit.bytes : lit.textBytes) >= 0;
  return false;
}

const latin1 = new TextDecoder('latin1');

/** The text `matches` runs its regex on: strings as they are, bytes as Latin-1, numbers in decimal. */
export function valueAsText(v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return latin1.decode(v);
  return String(v);
}
