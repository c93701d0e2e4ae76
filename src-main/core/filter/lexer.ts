// Splits a display filter into tokens. Field names and unquoted literals (numbers, addresses,
// MACs, CIDR blocks) share one "word" token: what a word means is decided by the parser from
// where it stands, as Wireshark does.
import { FilterError } from './errors.js';

export type TokenKind =
  | 'word'
  | 'string'
  | 'op' // == != === !== ~= < > <= >= ~
  | 'and' // &&
  | 'or' // ||
  | 'xor' // ^^
  | 'not' // !
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'range' // ..
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** the source text (for strings: the decoded value) */
  text: string;
  pos: number;
  /** length in the source */
  len: number;
  /** r"..." raw strings keep backslashes */
  raw?: boolean;
}

const WORD_CHAR = /[A-Za-z0-9_\-.:/]/;

function isWordChar(c: string): boolean {
  return WORD_CHAR.test(c);
}

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    const three = input.slice(i, i + 3);
    const push = (kind: TokenKind, len: number, text = input.slice(i, i + len)): void => {
      out.push({ kind, text, pos: i, len });
      i += len;
    };
    if (three === '===' || three === '!==') push('op', 3);
    else if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '~=') push('op', 2);
    else if (two === '&&') push('and', 2);
    else if (two === '||') push('or', 2);
    else if (two === '^^') push('xor', 2);
    else if (two === '..') push('range', 2);
    else if (c === '<' || c === '>' || c === '~') push('op', 1);
    else if (c === '!') push('not', 1);
    else if (c === '(') push('lparen', 1);
    else if (c === ')') push('rparen', 1);
    else if (c === '{') push('lbrace', 1);
    else if (c === '}') push('rbrace', 1);
    else if (c === '[') push('lbracket', 1);
    else if (c === ']') push('rbracket', 1);
    else if (c === ',') push('comma', 1);
    else if (c === '=') {
      throw new FilterError(i, `"=" is not an operator; use "==" to compare`);
    } else if (c === '&') {
      throw new FilterError(i, `"&" is not an operator; use "&&" (and)`);
    } else if (c === '|') {
      throw new FilterError(i, `"|" is not an operator; use "||" (or)`);
    } else if (c === '"' || ((c === 'r' || c === 'R') && input[i + 1] === '"')) {
      const raw = c !== '"';
      const start = i;
      const { value, end } = readString(input, raw ? i + 1 : i, raw);
      out.push({
        kind: 'string',
        text: value,
        pos: start,
        len: end - start,
        raw,
      });
      i = end;
    } else if (c === "'") {
      // C-style character constant: 'a', '\n', '\x0a' — a number
      const start = i;
      const { value, end } = readString(input, i, false, "'");
      if ([...value].length !== 1)
        throw new FilterError(start, `a character constant holds exactly one character`, end - start);
      out.push({
        kind: 'word',
        text: String(value.codePointAt(0)),
        pos: start,
        len: end - start,
      });
      i = end;
    } else if (isWordChar(c)) {
      const start = i;
      while (i < n && isWordChar(input[i]) && !(input[i] === '.' && input[i + 1] === '.')) i++;
      out.push({
        kind: 'word',
        text: input.slice(start, i),
        pos: start,
        len: i - start,
      });
    } else {
      throw new FilterError(i, `unexpected character "${c}"`);
    }
  }
  out.push({ kind: 'eof', text: '', pos: n, len: 0 });
  return out;
}

function readString(
  input: string,
  quoteAt: number,
  raw: boolean,
  quote = '"',
): { value: string; end: number } {
  let i = quoteAt + 1;
  let value = '';
  const n = input.length;
  while (i < n) {
    const c = input[i];
    if (c === quote) return { value, end: i + 1 };
    if (c === '\\') {
      const e = input[i + 1];
      if (e === undefined) break;
      if (raw) {
        // raw strings keep the backslash (for regexes) but still let \" through
        value += e === quote ? quote : '\\' + e;
        i += 2;
        continue;
      }
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        '\\': '\\',
        '"': '"',
        "'": "'",
        a: '\x07',
        b: '\b',
        f: '\f',
        v: '\v',
        '0': '\0',
      };
      if (e === 'x') {
        const hex = /^[0-9A-Fa-f]{1,2}/.exec(input.slice(i + 2, i + 4));
        if (!hex) throw new FilterError(i, `"\\x" must be followed by one or two hex digits`, 2);
        value += String.fromCharCode(parseInt(hex[0], 16));
        i += 2 + hex[0].length;
      } else if (/[0-7]/.test(e)) {
        const oct = /^[0-7]{1,3}/.exec(input.slice(i + 1, i + 4))!;
        value += String.fromCharCode(parseInt(oct[0], 8) & 0xff);
        i += 1 + oct[0].length;
      } else if (e === 'u' || e === 'U') {
        const width = e === 'u' ? 4 : 8;
        const hex = new RegExp(`^[0-9A-Fa-f]{${width}}`).exec(input.slice(i + 2, i + 2 + width));
        if (!hex) throw new FilterError(i, `"\\${e}" must be followed by ${width} hex digits`, 2);
        value += String.fromCodePoint(parseInt(hex[0], 16));
        i += 2 + width;
      } else if (e in simple) {
        value += simple[e];
        i += 2;
      } else {
        throw new FilterError(i, `unknown escape "\\${e}" in a string (write "\\\\" for a backslash)`, 2);
      }
      continue;
    }
    value += c;
    i++;
  }
  throw new FilterError(quoteAt, `this string has no closing ${quote}`, n - quoteAt);
}
