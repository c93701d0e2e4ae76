/**
 * Proxy-Authenticate parsing (RFC 7235 §2.1, §4.3): one header may hold several challenges,
 * a challenge is `scheme [token68 | #auth-param]`, params are `name = token | quoted-string`.
 * Commas separate both challenges and params, so a token followed by `=` is a param and a token
 * followed by a space and another token (or standing alone) starts the next challenge.
 */

export interface AuthChallenge {
  /** as sent, e.g. "Digest" */
  scheme: string;
  /** lower-cased param names → values (quoted strings unescaped) */
  params: Record<string, string>;
  token68?: string;
  /** the challenge text as received, for the transcript */
  raw: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  /** skips whitespace and commas (empty list elements are allowed by RFC 7230 §7) */
  skipListSeparators(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  quoted(): string {
    // caller checked the opening quote
    this.pos++;
    let out = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1];
        this.pos += 2;
      } else if (c === '"') {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
    throw new Error('unterminated quoted string');
  }
  /** looks ahead: is the next thing `token BWS =` (an auth-param) rather than a new scheme? */
  atParam(): boolean {
    const save = this.pos;
    const t = this.token();
    this.skipWs();
    const isParam = t.length > 0 && this.peek() === '=';
    this.pos = save;
    return isParam;
  }
}

/** Parses one Proxy-Authenticate header value into its challenges. Never throws: malformed tails are dropped. */
export function parseChallenges(headerValue: string): AuthChallenge[] {
  const c = new Cursor(headerValue);
  const out: AuthChallenge[] = [];
  try {
    for (;;) {
      c.skipListSeparators();
      if (c.done) break;
      const start = c.pos;
      const scheme = c.token();
      if (!scheme) break; // garbage: stop rather than loop
      const challenge: AuthChallenge = { scheme, params: {}, raw: '' };
      out.push(challenge);
      const afterScheme = c.pos;
      c.skipWs();
      if (c.pos > afterScheme && !c.done && c.peek() !== ',') {
        // token68 (e.g. `Negotiate YIIB...==`) stands alone up to the next comma or the end;
        // anything else after the scheme is an auth-param list
        const m = TOKEN68.exec(c.text.slice(c.pos));
        const standsAlone = m !== null && /^[ \t]*(,|$)/.test(c.text.slice(c.pos + m[0].length));
        if (m && standsAlone) {
          challenge.token68 = m[0];
          c.pos += m[0].length;
        } else {
          parseParams(c, challenge);
        }
      }
      challenge.raw = c.text.slice(start, c.pos).trim().replace(/,\s*$/, '');
    }
  } catch {
    // a malformed value keeps the challenges parsed so far
  }
  return out;
}

function parseParams(c: Cursor, challenge: AuthChallenge): void {
  for (;;) {
    c.skipWs();
    if (!c.atParam()) return;
    const name = c.token().toLowerCase();
    c.skipWs();
    c.pos++; // '='
    c.skipWs();
    const value = c.peek() === '"' ? c.quoted() : c.token();
    challenge.params[name] = value;
    const save = c.pos;
    c.skipListSeparators();
    if (c.done) return;
    if (!c.atParam()) {
      // next element is a new challenge: rewind to just after the separators so the caller sees it
      if (c.pos === save) return; // no separator: junk, stop
      return;
    }
  }
}

/** All challenges of every Proxy-Authenticate header of a response. */
export function parseAllChallenges(headerValues: string[]): AuthChallenge[] {
  return headerValues.flatMap((v) => parseChallenges(v));
}
