// Recursive-descent parser for the display-filter subset (see index.ts for the grammar). It
// produces a small AST; compile.ts turns that into closures.
import { FilterError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { parseLiteral, type CompareOp, type Literal } from './values.js';

export interface Slice {
  /** byte offset; negative counts from the end */
  start: number;
  /** number of bytes; undefined = to the end */
  length?: number;
}

export interface FieldRef {
  name: string;
  pos: number;
  len: number;
  slice?: Slice;
}

export type Operand = { kind: 'literal'; lit: Literal; pos: number } | { kind: 'field'; ref: FieldRef };

export interface SetElement {
  lo: Literal;
  /** present for ranges lo..hi */
  hi?: Literal;
}

export type Quantifier = 'any' | 'all';

export type FilterNode =
  | { kind: 'and' | 'or' | 'xor'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'exists'; field: FieldRef }
  | {
      kind: 'compare';
      op: CompareOp;
      quantifier: Quantifier;
      field: FieldRef;
      value: Operand;
    }
  | {
      kind: 'contains';
      quantifier: Quantifier;
      field: FieldRef;
      value: Literal;
    }
  | { kind: 'matches'; quantifier: Quantifier; field: FieldRef; regex: RegExp }
  | { kind: 'in'; field: FieldRef; set: SetElement[] };

export interface ParseOptions {
  /** answers whether a name is a field or protocol the dissectors know; omitted = accept any */
  isKnownField?: (name: string) => boolean;
  /** names to suggest from when a field is unknown */
  suggestions?: () => Iterable<string>;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** comparison operators: symbol or word → (operator, quantifier) */
const COMPARE: Record<string, { op: CompareOp; quantifier: Quantifier }> = {
  '==': { op: 'eq', quantifier: 'any' },
  eq: { op: 'eq', quantifier: 'any' },
  any_eq: { op: 'eq', quantifier: 'any' },
  '===': { op: 'eq', quantifier: 'all' },
  all_eq: { op: 'eq', quantifier: 'all' },
  // Wireshark ≥ 3.6: "!=" means "all values differ", i.e. not (any equal)
  '!=': { op: 'ne', quantifier: 'all' },
  ne: { op: 'ne', quantifier: 'all' },
  all_ne: { op: 'ne', quantifier: 'all' },
  '!==': { op: 'ne', quantifier: 'any' },
  '~=': { op: 'ne', quantifier: 'any' },
  any_ne: { op: 'ne', quantifier: 'any' },
  '<': { op: 'lt', quantifier: 'any' },
  lt: { op: 'lt', quantifier: 'any' },
  '>': { op: 'gt', quantifier: 'any' },
  gt: { op: 'gt', quantifier: 'any' },
  '<=': { op: 'le', quantifier: 'any' },
  le: { op: 'le', quantifier: 'any' },
  '>=': { op: 'ge', quantifier: 'any' },
  ge: { op: 'ge', quantifier: 'any' },
};

const KEYWORDS = new Set([
  'and',
  'or',
  'xor',
  'not',
  'in',
  'contains',
  'matches',
  'any',
  'all',
  ...Object.keys(COMPARE),
]);

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the filter';
  if (t.kind === 'string') return `the string "${t.text}"`;
  return `"${t.text}"`;
}

export function parseFilter(input: string, options: ParseOptions = {}): FilterNode {
  const tokens = tokenize(input);
  let i = 0;
  const peek = (): Token => tokens[i];
  const next = (): Token => tokens[i++];
  const isWord = (t: Token, ...words: string[]): boolean =>
    t.kind === 'word' && words.includes(t.text.toLowerCase());

  const fail = (t: Token, detail: string): never => {
    throw new FilterError(t.pos, detail, t.len || 1);
  };

  function parseOr(): FilterNode {
    let left = parseAnd();
    for (;;) {
      const t = peek();
      if (t.kind === 'or' || isWord(t, 'or')) {
        next();
        left = { kind: 'or', left, right: parseAnd(t) };
      } else if (t.kind === 'xor' || isWord(t, 'xor')) {
        next();
        left = { kind: 'xor', left, right: parseAnd(t) };
      } else return left;
    }
  }

  function parseAnd(after?: Token): FilterNode {
    let left = parseNot(after);
    for (;;) {
      const t = peek();
      if (t.kind === 'and' || isWord(t, 'and')) {
        next();
        left = { kind: 'and', left, right: parseNot(t) };
      } else return left;
    }
  }

  function parseNot(after?: Token): FilterNode {
    const t = peek();
    if (t.kind === 'not' || isWord(t, 'not')) {
      next();
      return { kind: 'not', operand: parseNot(t) };
    }
    return parsePrimary(after);
  }

  function parsePrimary(after?: Token): FilterNode {
    const t = peek();
    if (t.kind === 'lparen') {
      next();
      const inner = parseOr();
      const close = peek();
      if (close.kind !== 'rparen') {
        fail(
          close,
          close.kind === 'eof'
            ? `expected ")" to close the "(" at column ${t.pos + 1}`
            : `expected ")", "&&" or "||" but found ${describe(close)}`,
        );
      }
      next();
      return inner;
    }
    if (t.kind === 'eof') {
      if (after) fail(after, `expected a field or protocol after "${after.text}"`);
      fail(t, 'the filter is empty');
    }
    return parseTest();
  }

  function parseFieldRef(): FieldRef {
    const t = peek();
    if (t.kind !== 'word' || (KEYWORDS.has(t.text.toLowerCase()) && !FIELD_NAME.test(t.text))) {
      fail(t, `expected a field or protocol name but found ${describe(t)}`);
    }
    if (!FIELD_NAME.test(t.text)) fail(t, `"${t.text}" is not a field or protocol name`);
    next();
    checkKnown(t);
    const ref: FieldRef = { name: t.text, pos: t.pos, len: t.len };
    if (peek().kind === 'lbracket') ref.slice = parseSlice();
    return ref;
  }

  function checkKnown(t: Token): void {
    if (!options.isKnownField || options.isKnownField(t.text)) return;
    const guess = closest(t.text, options.suggestions?.() ?? []);
    fail(t, `'${t.text}' is not a known field${guess ? `; did you mean '${guess}'?` : ''}`);
  }

  function parseSlice(): Slice {
    const open = next();
    const body = peek();
    if (body.kind === 'rbracket') fail(body, 'expected a byte range like [0:2] or [4] inside the brackets');
    if (body.kind !== 'word')
      fail(body, `expected a byte range like [0:2] or [4] but found ${describe(body)}`);
    next();
    const m = /^(-?\d+)?(?:(:|-)(\d+)?)?$/.exec(body.text);
    if (!m || (m[1] === undefined && m[2] === undefined))
      fail(body, `"${body.text}" is not a byte range (use [start:length], [start-end] or [offset])`);
    const start = m![1] === undefined ? 0 : Number(m![1]);
    let length: number | undefined;
    if (m![2] === undefined) length = 1;
    else if (m![3] !== undefined) length = m![2] === ':' ? Number(m![3]) : Number(m![3]) - start + 1;
    if (length !== undefined && length <= 0) fail(body, `the byte range "${body.text}" is empty`);
    const close = peek();
    if (close.kind !== 'rbracket') fail(close, `expected "]" to close the "[" at column ${open.pos + 1}`);
    next();
    return { start, length };
  }

  function parseValue(after: Token): Operand {
    const t = peek();
    if (t.kind === 'string') {
      next();
      return { kind: 'literal', lit: parseLiteral(t.text, true), pos: t.pos };
    }
    if (t.kind !== 'word' || KEYWORDS.has(t.text.toLowerCase())) {
      fail(
        t.kind === 'eof' ? after : t,
        `expected a value after "${after.text}"${t.kind === 'eof' ? '' : ` but found ${describe(t)}`}`,
      );
    }
    // a known field name on the right compares two fields (ip.src == ip.dst)
    if (
      options.isKnownField &&
      FIELD_NAME.test(t.text) &&
      options.isKnownField(t.text) &&
      !/^\d/.test(t.text)
    ) {
      return { kind: 'field', ref: parseFieldRef() };
    }
    next();
    return { kind: 'literal', lit: parseLiteral(t.text, false), pos: t.pos };
  }

  function parseSetLiteral(after: Token): Literal {
    const t = peek();
    if (t.kind === 'string') {
      next();
      return parseLiteral(t.text, true);
    }
    if (t.kind !== 'word')
      fail(
        t.kind === 'eof' ? after : t,
        `expected a value in the set after ${describe(after)}${t.kind === 'eof' ? ' (the set has no closing "}")' : ` but found ${describe(t)}`}`,
      );
    next();
    return parseLiteral(t.text, false);
  }

  function parseSet(inTok: Token): SetElement[] {
    const open = peek();
    if (open.kind !== 'lbrace')
      fail(open.kind === 'eof' ? inTok : open, `expected "{" after "in", as in tcp.port in {80, 443}`);
    next();
    const set: SetElement[] = [];
    let prev: Token = open;
    for (;;) {
      const t = peek();
      if (t.kind === 'rbrace') {
        if (set.length === 0) fail(t, 'the set is empty; list at least one value');
        next();
        return set;
      }
      if (t.kind === 'comma') {
        if (set.length === 0 || prev.kind === 'comma') fail(t, `expected a value before ","`);
        prev = next();
        continue;
      }
      const lo = parseSetLiteral(prev);
      const el: SetElement = { lo };
      prev = tokens[i - 1];
      if (peek().kind === 'range') {
        const r = next();
        el.hi = parseSetLiteral(r);
        prev = tokens[i - 1];
      }
      set.push(el);
      const after = peek();
      if (after.kind === 'eof') fail(open, `the set opened here has no closing "}"`);
    }
  }

  function parseRegex(t: Token): RegExp {
    let source = t.text;
    let flags = 'i'; // Wireshark: matches is case-insensitive unless the pattern says (?-i)
    const inline = /^\(\?(-?)i\)/.exec(source);
    if (inline) {
      if (inline[1] === '-') flags = '';
      source = source.slice(inline[0].length);
    }
    try {
      return new RegExp(source, flags + 's');
    } catch (e) {
      return fail(
        t,
        `this regular expression is not valid: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`,
      );
    }
  }

  function parseTest(): FilterNode {
    let quantifier: Quantifier | undefined;
    const q = peek();
    if (
      isWord(q, 'any', 'all') &&
      tokens[i + 1].kind === 'word' &&
      !KEYWORDS.has(tokens[i + 1].text.toLowerCase())
    ) {
      quantifier = q.text.toLowerCase() as Quantifier;
      next();
    }
    const field = parseFieldRef();
    const t = peek();
    const word = t.kind === 'word' ? t.text.toLowerCase() : '';
    if ((t.kind === 'op' && t.text !== '~') || (t.kind === 'word' && word in COMPARE)) {
      next();
      const c = COMPARE[t.kind === 'op' ? t.text : word];
      const value = parseValue(t);
      return {
        kind: 'compare',
        op: c.op,
        quantifier: quantifier ?? c.quantifier,
        field,
        value,
      };
    }
    if (word === 'contains') {
      next();
      const v = parseValue(t);
      if (v.kind !== 'literal') fail(tokens[i - 1], `"contains" needs a string or bytes value, not a field`);
      return {
        kind: 'contains',
        quantifier: quantifier ?? 'any',
        field,
        value: (v as { lit: Literal }).lit,
      };
    }
    if (word === 'matches' || (t.kind === 'op' && t.text === '~')) {
      next();
      const s = peek();
      if (s.kind !== 'string')
        fail(s.kind === 'eof' ? t : s, `expected a quoted regular expression after "${t.text}"`);
      next();
      return {
        kind: 'matches',
        quantifier: quantifier ?? 'any',
        field,
        regex: parseRegex(s),
      };
    }
    if (word === 'in') {
      next();
      return { kind: 'in', field, set: parseSet(t) };
    }
    if (word === 'not' && isWord(tokens[i + 1], 'in')) {
      next();
      const inTok = next();
      return {
        kind: 'not',
        operand: { kind: 'in', field, set: parseSet(inTok) },
      };
    }
    if (quantifier) fail(t, `expected a comparison after "${quantifier} ${field.name}"`);
    return { kind: 'exists', field };
  }

  const root = parseOr();
  const end = peek();
  if (end.kind !== 'eof') {
    if (end.kind === 'rparen') fail(end, 'this ")" has no matching "("');
    const prev = tokens[i - 1];
    fail(
      end,
      `expected "&&", "||" or the end of the filter after ${describe(prev)}, but found ${describe(end)}`,
    );
  }
  return root;
}

/** The name nearest to `name` by edit distance, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > 3) continue;
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // optimal string alignment: a swapped pair of letters (scr/src) counts as one edit
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
