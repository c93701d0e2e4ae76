// Turns a parsed filter into a tree of closures, compiled once and run for every packet.
import type { FieldSource, FieldValue } from '../dissect/types.js';
import { parseFilter, type FieldRef, type FilterNode, type Operand, type Slice } from './parser.js';
import {
  compareValue,
  compareValues,
  containsValue,
  parseHexBytes,
  parseIPv4,
  parseIPv6,
  valueAsText,
  type CompareOp,
  type Literal,
} from './values.js';

export interface CompileOptions {
  /**
   * Field and protocol names the dissectors declare. When given, an unknown name is an error with
   * a suggestion; when omitted, every name is accepted (absent fields simply never match).
   */
  knownFields?: Iterable<string>;
}

export interface CompiledFilter {
  readonly text: string;
  readonly ast: FilterNode;
  /** every field or protocol name the filter reads */
  readonly names: ReadonlySet<string>;
  /**
   * true when the filter only asks whether names are present (`tcp`, `http && !dns`,
   * `tcp.analysis.flags`): a store can answer it from its index without dissecting.
   */
  readonly presenceOnly: boolean;
  /** names whose values the filter reads (comparisons, contains, matches, slices), not mere presence */
  readonly valueNames: ReadonlySet<string>;
  test(src: FieldSource): boolean;
}

/** Protocol names every build knows, even before a dissector registry is wired in. */
export const BUILTIN_PROTOCOLS: readonly string[] = [
  'frame',
  'eth',
  'sll',
  'vlan',
  'arp',
  'ip',
  'ipv6',
  'icmp',
  'icmpv6',
  'tcp',
  'udp',
  'dns',
  'http',
  'tls',
  'data',
];

type Test = (src: FieldSource) => boolean;
type Values = (src: FieldSource) => readonly FieldValue[];

export function compileFilter(text: string, options: CompileOptions = {}): CompiledFilter {
  let known: Set<string> | undefined;
  if (options.knownFields) {
    known = new Set(options.knownFields);
    for (const p of BUILTIN_PROTOCOLS) known.add(p);
  }
  const ast = parseFilter(
    text,
    known ? { isKnownField: (n) => known!.has(n), suggestions: () => known! } : {},
  );
  const names = new Set<string>();
  const valueNames = new Set<string>();
  let presenceOnly = true;
  const walk = (n: FilterNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
      case 'xor':
        walk(n.left);
        walk(n.right);
        return;
      case 'not':
        walk(n.operand);
        return;
      case 'exists':
        names.add(n.field.name);
        if (n.field.slice) {
          presenceOnly = false;
          valueNames.add(n.field.name);
        }
        return;
      default:
        names.add(n.field.name);
        valueNames.add(n.field.name);
        if (n.kind === 'compare' && n.value.kind === 'field') {
          names.add(n.value.ref.name);
          valueNames.add(n.value.ref.name);
        }
        presenceOnly = false;
    }
  };
  walk(ast);
  return { text, ast, names, valueNames, presenceOnly, test: compileNode(ast) };
}

function compileNode(n: FilterNode): Test {
  switch (n.kind) {
    case 'and': {
      const a = compileNode(n.left);
      const b = compileNode(n.right);
      return (s) => a(s) && b(s);
    }
    case 'or': {
      const a = compileNode(n.left);
      const b = compileNode(n.right);
      return (s) => a(s) || b(s);
    }
    case 'xor': {
      const a = compileNode(n.left);
      const b = compileNode(n.right);
      return (s) => a(s) !== b(s);
    }
    case 'not': {
      const a = compileNode(n.operand);
      return (s) => !a(s);
    }
    case 'exists': {
      const name = n.field.name;
      if (n.field.slice) {
        const get = fieldValues(n.field);
        return (s) => get(s).length > 0;
      }
      return (s) => s.hasProtocol(name) || s.values(name).length > 0;
    }
    case 'compare':
      return compileCompare(n.field, n.op, n.quantifier, n.value);
    case 'contains': {
      const get = fieldValues(n.field);
      const lit = n.value;
      return quantify(get, n.quantifier, (v) => containsValue(v, lit));
    }
    case 'matches': {
      const get = fieldValues(n.field);
      const re = n.regex;
      return quantify(get, n.quantifier, (v) => re.test(valueAsText(v)));
    }
    case 'in': {
      const get = fieldValues(n.field);
      const set = n.set;
      const member = (v: FieldValue): boolean => {
        for (const el of set) {
          if (el.hi === undefined) {
            if (compareValue(v, el.lo, 'eq') === true) return true;
          } else if (compareValue(v, el.lo, 'ge') === true && compareValue(v, el.hi, 'le') === true)
            return true;
        }
        return false;
      };
      return quantify(get, 'any', member);
    }
  }
}

/** any: some value passes; all: there is a value and every one passes (Wireshark's rule). */
function quantify(get: Values, q: 'any' | 'all', pred: (v: FieldValue) => boolean): Test {
  if (q === 'any') {
    return (s) => {
      const vs = get(s);
      for (let i = 0; i < vs.length; i++) if (pred(vs[i])) return true;
      return false;
    };
  }
  return (s) => {
    const vs = get(s);
    if (vs.length === 0) return false;
    for (let i = 0; i < vs.length; i++) if (!pred(vs[i])) return false;
    return true;
  };
}

function compileCompare(field: FieldRef, op: CompareOp, q: 'any' | 'all', value: Operand): Test {
  const get = fieldValues(field);
  if (value.kind === 'literal') {
    const lit: Literal = value.lit;
    return quantify(get, q, (v) => compareValue(v, lit, op) === true);
  }
  const other = fieldValues(value.ref);
  return (s) => {
    const as = get(s);
    const bs = other(s);
    if (as.length === 0 || bs.length === 0) return false;
    if (q === 'any') {
      for (const a of as) for (const b of bs) if (compareValues(a, b, op) === true) return true;
      return false;
    }
    for (const a of as) for (const b of bs) if (compareValues(a, b, op) !== true) return false;
    return true;
  };
}

function fieldValues(ref: FieldRef): Values {
  const name = ref.name;
  const slice = ref.slice;
  if (!slice) return (s) => s.values(name);
  return (s) => {
    const out: FieldValue[] = [];
    for (const v of s.values(name)) {
      const bytes = asBytes(v);
      if (!bytes) continue;
      const cut = applySlice(bytes, slice);
      if (cut) out.push(cut);
    }
    return out;
  };
}

const encoder = new TextEncoder();

/** The bytes behind a value, as Wireshark slices them: addresses by their octets, text as UTF-8. */
function asBytes(v: FieldValue): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') return undefined;
  const v4 = parseIPv4(v);
  if (v4 !== undefined) return Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
  return parseHexBytes(v) ?? parseIPv6(v) ?? encoder.encode(v);
}

function applySlice(b: Uint8Array, s: Slice): Uint8Array | undefined {
  const start = s.start < 0 ? b.length + s.start : s.start;
  if (start < 0 || start >= b.length) return undefined;
  const end = s.length === undefined ? b.length : start + s.length;
  if (end > b.length) return undefined;
  return b.subarray(start, end);
}
