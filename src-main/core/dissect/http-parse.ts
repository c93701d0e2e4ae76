// HTTP/1.x message parser: heuristic, header block, body framing (Content-Length, chunked) and the
// authentication headers a proxy uses. Pure and bounds-checked: malformed input is reported in the
// result, never thrown.

export const HTTP_METHODS = [
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'CONNECT',
  'TRACE',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
] as const;

const METHOD_SET = new Set<string>(HTTP_METHODS);

export interface HttpHeader {
  name: string;
  value: string;
  /** offset of the header line and its length including the line ending */
  offset: number;
  length: number;
  /** offset of the value within the buffer */
  valueOffset: number;
}

export interface HttpHead {
  kind: 'request' | 'response';
  offset: number;
  /** first line, without its line ending */
  firstLine: string;
  firstLineLength: number;
  method?: string;
  uri?: string;
  version: string;
  code?: number;
  phrase?: string;
  headers: HttpHeader[];
  /** offset of the empty line that ends the header block, and the offset just after it */
  blankOffset: number;
  bodyOffset: number;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

function startsWithAscii(b: Uint8Array, at: number, end: number, text: string): boolean {
  if (at + text.length > end) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Does the payload start like an HTTP/1.x message? A request line with a known method followed by
 * a space, or a status line `HTTP/1.x NNN`. Looks at no more than the first line's start.
 */
export function looksLikeHttp(b: Uint8Array, off: number, end: number): boolean {
  end = Math.min(end, b.length);
  if (startsWithAscii(b, off, end, 'HTTP/1.')) {
    if (off + 12 > end) return false;
    const v = b[off + 7];
    return (
      (v === 0x30 || v === 0x31) &&
      b[off + 8] === 0x20 &&
      isDigit(b[off + 9]) &&
      isDigit(b[off + 10]) &&
      isDigit(b[off + 11])
    );
  }
  let i = off;
  while (i < end && i - off < 10 && b[i] >= 0x41 && b[i] <= 0x5a) i++;
  if (i === off || i >= end || b[i] !== 0x20) return false;
  return METHOD_SET.has(ascii(b, off, i));
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Offset just after the CRLFCRLF (or LFLF) ending the header block, or -1 if not in [off, end). */
export function findHeaderEnd(b: Uint8Array, off: number, end: number): number {
  end = Math.min(end, b.length);
  for (let i = off; i < end; i++) {
    if (b[i] !== 0x0a) continue;
    if (i + 1 < end && b[i + 1] === 0x0a) return i + 2;
    if (i + 2 < end && b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** Reads one line: returns [contentEnd, nextLineStart], or null when no line ending is in range. */
function readLine(b: Uint8Array, at: number, end: number): [number, number] | null {
  for (let i = at; i < end; i++) {
    if (b[i] === 0x0a) return [i > at && b[i - 1] === 0x0d ? i - 1 : i, i + 1];
  }
  return null;
}

/** Parses a complete header block starting at `off` (the caller found its end with findHeaderEnd). */
/** "HTTP/d.d" at `at`, ending the line when `atEnd` (the version of a request/status line). */
function isVersion(line: string, at: number): boolean {
  return (
    line.startsWith('HTTP/', at) &&
    isDigit(line.charCodeAt(at + 5)) &&
    line.charCodeAt(at + 6) === 46 &&
    isDigit(line.charCodeAt(at + 7))
  );
}

/**
 * A status line: /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/ (the phrase has no line terminator), without
 * a regular expression's match arrays (heads are parsed on every HTTP frame of a listing).
 */
export function isStatusLine(line: string): boolean {
  if (line.length < 12 || !isVersion(line, 0) || line.charCodeAt(8) !== 32) return false;
  if (!isDigit(line.charCodeAt(9)) || !isDigit(line.charCodeAt(10)) || !isDigit(line.charCodeAt(11)))
    return false;
  if (line.length === 12) return true;
  if (line.charCodeAt(12) !== 32) return false;
  for (let i = 13; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

/** What \s matches among the characters a latin1 head can hold. */
const isSpaceChar = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/**
 * A request line /^([A-Z]+) (\S*) (HTTP\/\d\.\d)$/: where its URI ends (the space before the
 * version), -1 when it is not one.
 */
export function requestLineUriEnd(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) >= 65 && line.charCodeAt(i) <= 90) i++;
  if (i === 0 || line.charCodeAt(i) !== 32) return -1;
  i++;
  while (i < line.length && !isSpaceChar(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 32 || line.length !== i + 9 || !isVersion(line, i + 1)) return -1;
  return i;
}

export function parseHttpHead(b: Uint8Array, off: number, end: number): HttpHead | null {
  end = Math.min(end, b.length);
  if (off >= end) return null;
  // latin1 maps byte i to char i, so string positions are byte positions (+ off)
  const text = Buffer.from(b.buffer, b.byteOffset + off, end - off).toString('latin1');
  const nl = text.indexOf('\n');
  if (nl < 0) return null;
  const lineEnd = (i: number) => (i > 0 && text.charCodeAt(i - 1) === 13 ? i - 1 : i);
  const firstLine = text.slice(0, lineEnd(nl));
  let head: HttpHead;
  if (isStatusLine(firstLine)) {
    head = {
      kind: 'response',
      offset: off,
      firstLine,
      firstLineLength: nl + 1,
      version: firstLine.slice(0, 8),
      code: Number(firstLine.slice(9, 12)),
      phrase: firstLine.length > 12 ? firstLine.slice(13) : '',
      headers: [],
      blankOffset: end,
      bodyOffset: end,
    };
  } else {
    const uriEnd = requestLineUriEnd(firstLine);
    if (uriEnd < 0) return null;
    const sp = firstLine.indexOf(' ');
    head = {
      kind: 'request',
      offset: off,
      firstLine,
      firstLineLength: nl + 1,
      method: firstLine.slice(0, sp),
      uri: firstLine.slice(sp + 1, uriEnd),
      version: firstLine.slice(uriEnd + 1),
      headers: [],
      blankOffset: end,
      bodyOffset: end,
    };
  }
  let p = nl + 1;
  while (p < text.length) {
    const n = text.indexOf('\n', p);
    if (n < 0) break;
    const le = lineEnd(n);
    if (le <= p) {
      head.blankOffset = off + p;
      head.bodyOffset = off + n + 1;
      break;
    }
    const colon = text.indexOf(':', p);
    if (colon > p && colon < le) {
      let v = colon + 1;
      while (v < le && (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9)) v++;
      let ve = le;
      while (ve > v && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
      head.headers.push({
        name: text.slice(p, colon).trim(),
        value: text.slice(v, ve),
        offset: off + p,
        length: n + 1 - p,
        valueOffset: off + v,
      });
    } else {
      head.headers.push({
        name: '',
        value: text.slice(p, le),
        offset: off + p,
        length: n + 1 - p,
        valueOffset: off + p,
      });
    }
    p = n + 1;
  }
  return head;
}

/**
 * `a.toLowerCase() === b.toLowerCase()` for an ASCII `b` (a header name we look for), without
 * making lowercase copies: heads are looked at on every HTTP frame of a listing.
 */
export function sameHeaderName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    // a character outside ASCII never lowercases to an ASCII one in a header name (latin1)
    if (x !== y) return false;
  }
  return true;
}

export function headerValue(h: HttpHead, name: string): string | undefined {
  for (const x of h.headers) if (sameHeaderName(x.name, name)) return x.value;
  return undefined;
}

export function headerValues(h: HttpHead, name: string): string[] {
  const out: string[] = [];
  for (const x of h.headers) if (sameHeaderName(x.name, name)) out.push(x.value);
  return out;
}

export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** no length given: the body runs until the connection closes */
  | { kind: 'close' };

/**
 * How the body is delimited (RFC 9112 §6.3). `requestMethod` is the method of the request a
 * response answers, when known (HEAD and a successful CONNECT have no body).
 */
export function bodyFraming(h: HttpHead, requestMethod?: string): BodyFraming {
  if (h.kind === 'response') {
    const c = h.code ?? 0;
    if (requestMethod === 'HEAD' || (c >= 100 && c < 200) || c === 204 || c === 304) return { kind: 'none' };
    if (requestMethod === 'CONNECT' && c >= 200 && c < 300) return { kind: 'none' };
  }
  const te = headerValue(h, 'Transfer-Encoding');
  if (te && /chunked\s*$/i.test(te)) return { kind: 'chunked' };
  const cl = headerValue(h, 'Content-Length');
  if (cl !== undefined) {
    const n = /^\d{1,15}$/.test(cl.trim()) ? Number(cl.trim()) : NaN;
    if (Number.isFinite(n)) return n > 0 ? { kind: 'length', length: n } : { kind: 'none' };
  }
  return h.kind === 'request' ? { kind: 'none' } : { kind: 'close' };
}

export interface Chunk {
  offset: number;
  sizeLineLength: number;
  size: number;
  dataOffset: number;
}

export interface ChunkedBody {
  chunks: Chunk[];
  /** offset just after the last chunk and trailer, when complete */
  end: number;
  complete: boolean;
  /** the chunk data concatenated */
  data: Uint8Array;
  malformed?: string;
}

/** Walks a chunked body from `off`; incomplete when the buffer ends before the last chunk. */
export function parseChunked(b: Uint8Array, off: number, end: number): ChunkedBody {
  end = Math.min(end, b.length);
  const chunks: Chunk[] = [];
  const parts: Uint8Array[] = [];
  let p = off;
  for (let guard = 0; guard < 100000; guard++) {
    const line = readLine(b, p, end);
    if (!line) return { chunks, end: p, complete: false, data: concat(parts) };
    const sizeText = ascii(b, p, line[0]).split(';')[0].trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) {
      return {
        chunks,
        end: p,
        complete: false,
        data: concat(parts),
        malformed: `bad chunk size "${sizeText.slice(0, 20)}" at offset ${p}`,
      };
    }
    const size = parseInt(sizeText, 16);
    const chunk: Chunk = { offset: p, sizeLineLength: line[1] - p, size, dataOffset: line[1] };
    if (size === 0) {
      // trailer section: header lines until an empty line
      let t = line[1];
      for (;;) {
        const tl = readLine(b, t, end);
        if (!tl) return { chunks, end: p, complete: false, data: concat(parts) };
        const empty = tl[0] === t;
        t = tl[1];
        if (empty) break;
      }
      chunks.push(chunk);
      return { chunks, end: t, complete: true, data: concat(parts) };
    }
    const dataEnd = line[1] + size;
    if (dataEnd > end) return { chunks, end: p, complete: false, data: concat(parts) };
    parts.push(b.subarray(line[1], dataEnd));
    chunks.push(chunk);
    let q = dataEnd;
    if (q < end && b[q] === 0x0d) q++;
    if (q < end && b[q] === 0x0a) q++;
    else if (q >= end) return { chunks, end: p, complete: false, data: concat(parts) };
    p = q;
  }
  return { chunks, end: p, complete: false, data: concat(parts), malformed: 'too many chunks' };
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** What the reassembly layer needs: the whole message length, or how many more bytes to wait for. */
export type HttpNeed =
  /** `head`: the parsed header block, when there is one (callers reuse it instead of parsing again) */
  | { kind: 'complete'; length: number; head?: HttpHead }
  | { kind: 'more'; atLeast: number }
  | { kind: 'not-http' };

/**
 * How long the HTTP message at b[off, end) is. Waits for the header block, then for a
 * Content-Length body or a complete chunked body; a body without a length takes what is there.
 * `maxHeader` bounds the wait for a header that never ends.
 */
export function httpMessageNeed(
  b: Uint8Array,
  off: number,
  end: number,
  requestMethod?: string,
  maxHeader = 65536,
): HttpNeed {
  end = Math.min(end, b.length);
  const hEnd = findHeaderEnd(b, off, end);
  if (hEnd < 0) {
    if (end - off >= maxHeader) return { kind: 'complete', length: end - off };
    return { kind: 'more', atLeast: 1 };
  }
  const head = parseHttpHead(b, off, hEnd);
  if (!head) return { kind: 'complete', length: hEnd - off };
  const f = bodyFraming(head, requestMethod);
  switch (f.kind) {
    case 'none':
      return { kind: 'complete', length: hEnd - off, head };
    case 'length': {
      const total = hEnd - off + f.length;
      return total <= end - off
        ? { kind: 'complete', length: total, head }
        : { kind: 'more', atLeast: total - (end - off) };
    }
    case 'chunked': {
      const c = parseChunked(b, hEnd, end);
      if (c.complete) return { kind: 'complete', length: c.end - off, head };
      if (c.malformed) return { kind: 'complete', length: end - off, head };
      return { kind: 'more', atLeast: 1 };
    }
    case 'close':
      return { kind: 'complete', length: end - off, head };
  }
}

// ---------------------------------------------------------------------------------------------
// Authentication headers (RFC 9110 §11): challenges and credentials.

export interface AuthChallenge {
  scheme: string;
  /** token68 form (NTLM/Negotiate blobs) */
  token?: string;
  params: Record<string, string>;
}

/** Parses one Proxy-Authenticate / WWW-Authenticate value; several challenges may share it. */
export function parseChallenges(value: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = value.length;
  const skipWs = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const token = (): string => {
    const s = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(value[i])) i++;
    return value.slice(s, i);
  };
  let cur: AuthChallenge | undefined;
  for (let guard = 0; i < n && guard < 1000; guard++) {
    skipWs();
    if (value[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    const t = token();
    if (!t) {
      i++;
      continue;
    }
    skipWs();
    if (
      value[i] === '=' &&
      cur &&
      value[i + 1] !== '=' &&
      !(value[i + 1] === undefined || value[i + 1] === ',')
    ) {
      // auth-param of the current challenge
      i++;
      skipWs();
      let v = '';
      if (value[i] === '"') {
        i++;
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < n) i++;
          v += value[i++];
        }
        i++;
      } else {
        const s = i;
        while (i < n && value[i] !== ',' && value[i] !== ' ') i++;
        v = value.slice(s, i);
      }
      cur.params[t.toLowerCase()] = v;
      continue;
    }
    if (value[i] === '=' && cur) {
      // token68 ending in '=' padding belongs to the current challenge
      while (i < n && value[i] === '=') i++;
      cur.token = (cur.token ?? '') + value.slice(start, i);
      continue;
    }
    cur = { scheme: t, params: {} };
    out.push(cur);
    // A token68 (base64 blob) directly after the scheme
    const s = i;
    const m = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(value.slice(i));
    if (
      m &&
      !/=/.test(
        value
          .slice(i)
          .split(',')[0]
          .replace(/=+\s*$/, ''),
      )
    ) {
      cur.token = m[0];
      i = s + m[0].length;
    }
  }
  return out;
}

/** Canonical spelling of the schemes a proxy offers. */
export function schemeName(s: string): string {
  const l = s.toLowerCase();
  if (l === 'basic') return 'Basic';
  if (l === 'digest') return 'Digest';
  if (l === 'ntlm') return 'NTLM';
  if (l === 'negotiate') return 'Negotiate';
  if (l === 'bearer') return 'Bearer';
  return s;
}

export interface AuthCredentials {
  scheme: string;
  /** user name, when the scheme carries one in the clear (Basic, Digest, NTLM type 3) */
  user?: string;
  params: Record<string, string>;
  /** NTLMSSP message type (1, 2, 3) when the token is NTLMSSP */
  ntlmType?: number;
}

/**
 * Parses a Proxy-Authorization / Authorization value. The secret part (Basic password, Digest
 * response, NTLM/Negotiate blobs) is never returned: callers show it as "[redacted]".
 */
export function parseCredentials(value: string): AuthCredentials {
  const sp = value.search(/\s/);
  const scheme = schemeName(sp < 0 ? value : value.slice(0, sp));
  const rest = sp < 0 ? '' : value.slice(sp).trim();
  const c: AuthCredentials = { scheme, params: {} };
  if (scheme === 'Basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) c.user = decoded.slice(0, colon);
  } else if (scheme === 'Digest') {
    const ch = parseChallenges(`Digest ${rest}`)[0];
    if (ch) {
      for (const [k, v] of Object.entries(ch.params)) {
        if (k !== 'response') c.params[k] = v;
      }
      c.user = ch.params.username;
    }
  } else if (scheme === 'NTLM' || scheme === 'Negotiate') {
    const blob = Buffer.from(rest, 'base64');
    const at = blob.indexOf('NTLMSSP\0');
    if (at >= 0 && blob.length >= at + 12) {
      c.ntlmType = blob.readUInt32LE(at + 8);
      if (c.ntlmType === 3 && blob.length >= at + 44) {
        // type 3: user name security buffer at +36 (len, maxlen, offset); UTF-16LE when unicode
        const len = blob.readUInt16LE(at + 36);
        const o = blob.readUInt32LE(at + 40);
        if (at + o + len <= blob.length) {
          const flags = blob.length >= at + 64 ? blob.readUInt32LE(at + 60) : 0;
          c.user =
            flags & 1
              ? blob.subarray(at + o, at + o + len).toString('utf16le')
              : blob.subarray(at + o, at + o + len).toString('latin1');
        }
      }
    }
  }
  return c;
}

/** Short text for a credentials header, without the secret. */
export function credentialsText(c: AuthCredentials): string {
  const parts = [c.scheme];
  if (c.ntlmType) parts.push(`NTLMSSP type ${c.ntlmType}`);
  if (c.user !== undefined) parts.push(`user: ${c.user}`);
  parts.push('[redacted]');
  return parts.join(' ');
}
