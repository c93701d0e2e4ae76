// HTTP/1.x message → field tree, Info column, expert items, and request/response linking within a
// TCP conversation. Pure apart from the conversation state the caller hands in; that state is keyed
// by frame numbers so re-dissecting any frame later (on demand, out of order) gives the same tree.
import {
  bodyFraming,
  credentialsText,
  headerValue,
  headerValues,
  parseChallenges,
  parseChunked,
  parseCredentials,
  parseHttpHead,
  findHeaderEnd,
  sameHeaderName,
  schemeName,
  type AuthChallenge,
  type HttpHead,
  type HttpHeader,
} from './http-parse.js';
import type { ExpertItem, FieldNode } from './types.js';

/** A timestamp precise to the nanosecond (doubles lose it at epoch scale). */
export interface HttpTime {
  sec: number;
  nsec: number;
}

export interface HttpRequestRecord {
  /** where the request starts (httpMessageKey) */
  key: number;
  frame: number;
  time: HttpTime;
  method: string;
  uri: string;
  fullUri: string;
  /** where the response paired with it starts (httpMessageKey), -1 while unanswered */
  responseKey: number;
  /** frame of that response, 0 while unanswered */
  responseFrame: number;
}

/**
 * Per-conversation HTTP state: the requests in the order sent, each with its response once paired
 * (HTTP/1.1 answers in order). A flat list, not maps of string keys: a conversation holds one or
 * two requests, and thousands of conversations stay small (engine memory per packet).
 * Messages are keyed by where they start (httpMessageKey: frame, source, offset): a frame may carry
 * several pipelined requests, and the key is the same whenever that frame is dissected again.
 */
export interface HttpConversationState {
  requests: HttpRequestRecord[];
  /** index of the oldest request that may still be unanswered (the first pass pairs in order) */
  firstPending: number;
  /** frame of the 2xx that opened a CONNECT tunnel: later payload is the tunnel's (TLS) */
  tunnelFrame?: number;
  tunnelTarget?: string;
  /** first tunnel frame TLS took by its heuristic (a tunnel to a port no dissector claims) */
  tunnelTlsFrom?: number;
}

export function newHttpState(): HttpConversationState {
  // every field present from the start: the object keeps one shape and no extra property store
  return {
    requests: [],
    firstPending: 0,
    tunnelFrame: undefined,
    tunnelTarget: undefined,
    tunnelTlsFrom: undefined,
  };
}

/** The request that starts at `key`, if recorded (requests are recorded in key order). */
export function httpRequestAt(st: HttpConversationState, key: number): HttpRequestRecord | undefined {
  const r = st.requests;
  let lo = 0;
  let hi = r.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = r[mid].key;
    if (k === key) return r[mid];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  // recorded out of key order (not in a first pass in frame order): look through all
  for (const q of r) if (q.key === key) return q;
  return undefined;
}

/** The request a response starting at `key` was paired with. */
export function httpRequestAnsweredBy(st: HttpConversationState, key: number): HttpRequestRecord | undefined {
  const r = st.requests;
  for (let i = r.length - 1; i >= 0; i--) if (r[i].responseKey === key) return r[i];
  return undefined;
}

/** The oldest unanswered request sent before `frame` (the one a new response answers). */
export function httpOldestPending(st: HttpConversationState, frame: number): HttpRequestRecord | undefined {
  const r = st.requests;
  for (let i = st.firstPending; i < r.length; i++) {
    const q = r[i];
    if (q.responseKey === -1 && q.frame < frame) return q;
  }
  return undefined;
}

/** A string of its own (not a slice keeping a whole header block alive in the conversation state). */
/** A generated ("[…]") line with a number value, at the message's start. */
function generatedLine(text: string, field: string, value: number, offset: number): FieldNode {
  return { label: `[${text}]`, field, value, offset, length: 0, generated: true };
}

/** "[Prev request in frame: N]" and its response's line (or Next), as a response's tree shows them. */
function exchangeLines(
  which: 'Prev' | 'Next',
  exchange: { frame: number; responseFrame: number },
  offset: number,
): FieldNode[] {
  const prefix = which === 'Prev' ? 'http.prev' : 'http.next';
  const lines = [
    generatedLine(
      `${which} request in frame: ${exchange.frame}`,
      `${prefix}_request_in`,
      exchange.frame,
      offset,
    ),
  ];
  if (exchange.responseFrame > 0)
    lines.push(
      generatedLine(
        `${which} response in frame: ${exchange.responseFrame}`,
        `${prefix}_response_in`,
        exchange.responseFrame,
        offset,
      ),
    );
  return lines;
}

function ownString(s: string): string {
  switch (s) {
    case 'CONNECT':
      return 'CONNECT';
    case 'GET':
      return 'GET';
    case 'POST':
      return 'POST';
    case 'HEAD':
      return 'HEAD';
  }
  return s.length === 0 ? '' : Buffer.from(s, 'latin1').toString('latin1');
}

export interface HttpContext {
  frame: number;
  time: HttpTime;
  state: HttpConversationState;
  /** the index in PacketDetail.extraSources when b is reassembled data */
  source?: number;
}

export interface HttpDissection {
  node: FieldNode;
  info: string;
  expert: ExpertItem[];
  /** bytes of the message (header block and body) */
  consumed: number;
  kind: 'request' | 'response' | 'continuation';
  /** true when this response opened a CONNECT tunnel */
  opensTunnel: boolean;
}

const KNOWN_HEADERS: Record<string, string> = {
  host: 'http.host',
  'user-agent': 'http.user_agent',
  'content-type': 'http.content_type',
  'content-length': 'http.content_length_header',
  'proxy-authenticate': 'http.proxy_authenticate',
  'proxy-authorization': 'http.proxy_authorization',
  'www-authenticate': 'http.www_authenticate',
  authorization: 'http.authorization',
  via: 'http.via',
  'x-squid-error': 'http.squid_error',
  connection: 'http.connection',
  'proxy-connection': 'http.proxy_connection',
  server: 'http.server',
  location: 'http.location',
  'transfer-encoding': 'http.transfer_encoding',
  'content-encoding': 'http.content_encoding',
  date: 'http.date',
  'cache-control': 'http.cache_control',
  accept: 'http.accept',
  'accept-encoding': 'http.accept_encoding',
  'accept-language': 'http.accept_language',
  cookie: 'http.cookie',
  'set-cookie': 'http.set_cookie',
  referer: 'http.referer',
  'keep-alive': 'http.keep_alive',
  'last-modified': 'http.last_modified',
  upgrade: 'http.upgrade',
  'x-forwarded-for': 'http.x_forwarded_for',
};

const STATUS_DESC: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

const MALFORMED = { id: 'malformed', severity: 'error', group: 'malformed' } as const;

/** "\r\n" as Wireshark prints line endings in labels. */
function crlfText(b: Uint8Array, lineEnd: number): string {
  return lineEnd >= 2 && b[lineEnd - 2] === 0x0d ? '\\r\\n' : '\\n';
}

/** Wireshark's [Full request URI]: authority for CONNECT, the URI itself if absolute, else http://host + uri. */
export function fullRequestUri(method: string, uri: string, host: string | undefined): string {
  if (method === 'CONNECT') return uri;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  return `http://${host ?? ''}${uri}`;
}

/** Seconds between two timestamps with nanosecond digits, as "0.176633000". */
export function deltaText(from: HttpTime, to: HttpTime): string {
  let ns = (BigInt(to.sec) - BigInt(from.sec)) * 1_000_000_000n + BigInt(to.nsec - from.nsec);
  const neg = ns < 0n;
  if (neg) ns = -ns;
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${neg ? '-' : ''}${s}.${frac}`;
}

function deltaSeconds(from: HttpTime, to: HttpTime): number {
  return to.sec - from.sec + (to.nsec - from.nsec) / 1e9;
}

/** Schemes a proxy offers in its Proxy-Authenticate headers, in order, without duplicates. */
export function offeredSchemes(h: HttpHead): string[] {
  const out: string[] = [];
  for (const v of headerValues(h, 'Proxy-Authenticate')) {
    for (const c of parseChallenges(v)) {
      const s = schemeName(c.scheme);
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}

function challengeNodes(h: HttpHeader, challenges: AuthChallenge[], prefix: string): FieldNode[] {
  return challenges.map((c) => {
    const s = schemeName(c.scheme);
    const params = Object.entries(c.params).map(([k, v]) => ({
      label: `${k}: ${v}`,
      field: ['realm', 'nonce', 'qop', 'algorithm', 'opaque', 'stale', 'domain', 'charset'].includes(k)
        ? `${prefix}.${k}`
        : undefined,
      value: v,
      offset: h.valueOffset,
      length: h.offset + h.length - h.valueOffset,
      generated: true,
    }));
    if (c.token)
      params.push({
        label: `token: ${c.token.length > 40 ? `${c.token.slice(0, 40)}…` : c.token}`,
        field: undefined,
        value: c.token,
        offset: h.valueOffset,
        length: h.offset + h.length - h.valueOffset,
        generated: true,
      });
    return {
      label: `Scheme: ${s}${c.params.realm !== undefined ? ` (realm "${c.params.realm}")` : ''}`,
      field: `${prefix}.scheme`,
      value: s,
      offset: h.valueOffset,
      length: h.offset + h.length - h.valueOffset,
      generated: true,
      children: params.map((p) =>
        p.field ? p : { label: p.label, value: p.value, offset: p.offset, length: p.length, generated: true },
      ),
    };
  });
}

function headerNode(b: Uint8Array, h: HttpHeader, kind: 'request' | 'response'): FieldNode {
  const lower = h.name.toLowerCase();
  const field = KNOWN_HEADERS[lower] ?? `http.${kind}.line`;
  const eol = crlfText(b, h.offset + h.length);
  if (lower === 'proxy-authorization' || lower === 'authorization') {
    // The credentials stay out of labels and field values: only the scheme and the user name show.
    const cred = parseCredentials(h.value);
    const shown = credentialsText(cred);
    const kids: FieldNode[] = [
      {
        label: `Scheme: ${cred.scheme}`,
        field: `${field}.scheme`,
        value: cred.scheme,
        offset: h.valueOffset,
        length: h.offset + h.length - h.valueOffset,
        generated: true,
      },
    ];
    if (cred.user !== undefined)
      kids.push({
        label: `User: ${cred.user}`,
        field: `${field}.user`,
        value: cred.user,
        offset: h.valueOffset,
        length: h.offset + h.length - h.valueOffset,
        generated: true,
      });
    for (const [k, v] of Object.entries(cred.params)) {
      if (k !== 'username')
        kids.push({
          label: `${k}: ${v}`,
          offset: h.valueOffset,
          length: h.offset + h.length - h.valueOffset,
          generated: true,
        });
    }
    kids.push({
      label: 'Credentials: [redacted]',
      offset: h.valueOffset,
      length: h.offset + h.length - h.valueOffset,
      generated: true,
    });
    return {
      label: `${h.name}: ${shown}${eol}`,
      field,
      value: shown,
      offset: h.offset,
      length: h.length,
      children: kids,
    };
  }
  const node: FieldNode = {
    label: `${h.name ? `${h.name}: ` : ''}${h.value}${eol}`,
    field,
    value: h.value,
    offset: h.offset,
    length: h.length,
  };
  if (lower === 'content-length') {
    const n = Number(h.value.trim());
    if (Number.isSafeInteger(n) && n >= 0) {
      node.children = [
        {
          label: `[Content length: ${n}]`,
          field: 'http.content_length',
          value: n,
          offset: h.valueOffset,
          length: h.value.length,
          generated: true,
        },
      ];
    }
  } else if (lower === 'proxy-authenticate' || lower === 'www-authenticate') {
    node.children = challengeNodes(h, parseChallenges(h.value), field);
  }
  return node;
}

function ownSource(n: FieldNode, s: number): void {
  n.source = s;
  for (const c of n.children ?? []) ownSource(c, s);
}

/**
 * Dissects one HTTP message at b[off, end). The caller reassembles first (httpMessageNeed), so the
 * header block is complete; a body shorter than announced is shown as it is, with an expert item.
 */
export function dissectHttp(b: Uint8Array, off: number, end: number, ctx: HttpContext): HttpDissection {
  end = Math.min(end, b.length);
  const expert: ExpertItem[] = [];
  const hEnd = findHeaderEnd(b, off, end);
  const head = hEnd >= 0 ? parseHttpHead(b, off, hEnd) : null;
  if (!head) {
    const node: FieldNode = {
      label: 'Hypertext Transfer Protocol',
      field: 'http',
      offset: off,
      length: end - off,
      children: [
        { label: `Continuation or non-HTTP traffic (${end - off} bytes)`, offset: off, length: end - off },
      ],
    };
    if (hEnd < 0 && looksStarted(b, off, end)) {
      const e: ExpertItem = {
        ...MALFORMED,
        message: `HTTP header block starting at offset ${off} does not end within ${end - off} bytes`,
      };
      expert.push(e);
      node.children!.push({
        label: '[Malformed Packet: HTTP header block not terminated]',
        offset: off,
        length: 0,
        generated: true,
        expert: e,
      });
    }
    if (ctx.source !== undefined) ownSource(node, ctx.source);
    return {
      node,
      info: 'Continuation',
      expert,
      consumed: end - off,
      kind: 'continuation',
      opensTunnel: false,
    };
  }
  const st = ctx.state;
  const key = httpMessageKey(ctx.frame, ctx.source, off);
  const kids: FieldNode[] = [];
  const firstEol = crlfText(b, off + head.firstLineLength);
  let opensTunnel = false;
  let requestMethod: string | undefined;

  if (head.kind === 'request') {
    const method = head.method!;
    const uri = head.uri!;
    const chat: ExpertItem = {
      id: 'http.chat',
      severity: 'chat',
      group: 'sequence',
      message: head.firstLine,
    };
    expert.push(chat);
    const uriAt = off + method.length + 1;
    kids.push({
      label: `${head.firstLine}${firstEol}`,
      field: 'http.request',
      value: true,
      offset: off,
      length: head.firstLineLength,
      expert: chat,
      children: [
        {
          label: `Request Method: ${method}`,
          field: 'http.request.method',
          value: method,
          offset: off,
          length: method.length,
        },
        {
          label: `Request URI: ${uri}`,
          field: 'http.request.uri',
          value: uri,
          offset: uriAt,
          length: uri.length,
        },
        {
          label: `Request Version: ${head.version}`,
          field: 'http.request.version',
          value: head.version,
          offset: uriAt + uri.length + 1,
          length: head.version.length,
        },
      ],
    });
    for (const h of head.headers) kids.push(headerNode(b, h, 'request'));
    linkMessage(head, key, ctx);
  } else {
    const code = head.code!;
    const chat: ExpertItem = {
      id: 'http.chat',
      severity: 'chat',
      group: 'sequence',
      message: head.firstLine,
    };
    expert.push(chat);
    const codeAt = off + head.version.length + 1;
    const firstKids: FieldNode[] = [
      {
        label: `Response Version: ${head.version}`,
        field: 'http.response.version',
        value: head.version,
        offset: off,
        length: head.version.length,
      },
      { label: `Status Code: ${code}`, field: 'http.response.code', value: code, offset: codeAt, length: 3 },
    ];
    if (STATUS_DESC[code])
      firstKids.push({
        label: `[Status Code Description: ${STATUS_DESC[code]}]`,
        field: 'http.response.code.desc',
        value: STATUS_DESC[code],
        offset: codeAt,
        length: 3,
        generated: true,
      });
    firstKids.push({
      label: `Response Phrase: ${head.phrase}`,
      field: 'http.response.phrase',
      value: head.phrase ?? '',
      offset: codeAt + 4,
      length: (head.phrase ?? '').length,
    });
    kids.push({
      label: `${head.firstLine}${firstEol}`,
      field: 'http.response',
      value: true,
      offset: off,
      length: head.firstLineLength,
      expert: chat,
      children: firstKids,
    });
    for (const h of head.headers) kids.push(headerNode(b, h, 'response'));

    const link = linkMessage(head, key, ctx);
    const req = link.request;
    requestMethod = req?.method;
    opensTunnel = link.opensTunnel;
    if (code >= 400) {
      const squid = headerValue(head, 'X-Squid-Error');
      const e: ExpertItem = {
        id: 'http.response.error',
        severity: 'warn',
        group: 'response',
        message: `HTTP ${code} ${head.phrase ?? ''}${squid ? ` (X-Squid-Error: ${squid})` : ''}`.trim(),
      };
      expert.push(e);
      firstKids.push({
        label: `[Expert Info (Warning/Response): ${e.message}]`,
        offset: codeAt,
        length: 3,
        generated: true,
        expert: e,
      });
    }
    if (code === 407) {
      const offered = offeredSchemes(head);
      const e: ExpertItem = {
        id: 'http.proxy_auth_required',
        severity: 'note',
        group: 'security',
        message: `Proxy authentication required, offered: ${offered.length ? offered.join(', ') : 'none (no Proxy-Authenticate header)'}`,
      };
      expert.push(e);
      firstKids.push({
        label: `[Expert Info (Note/Security): ${e.message}]`,
        offset: codeAt,
        length: 3,
        generated: true,
        expert: e,
      });
    }
  }

  kids.push({ label: crlfText(b, hEnd), offset: head.blankOffset, length: hEnd - head.blankOffset });

  // Body
  const framing = bodyFraming(head, requestMethod);
  let bodyEnd = hEnd;
  let bodyLength = 0;
  if (framing.kind === 'length') {
    bodyEnd = Math.min(end, hEnd + framing.length);
    bodyLength = bodyEnd - hEnd;
    if (bodyEnd - hEnd < framing.length) {
      const e: ExpertItem = {
        ...MALFORMED,
        message: `HTTP body has ${bodyEnd - hEnd} of the ${framing.length} bytes its Content-Length announces`,
      };
      expert.push(e);
      kids.push({
        label: `[Malformed Packet: body shorter than Content-Length]`,
        offset: hEnd,
        length: 0,
        generated: true,
        expert: e,
      });
    }
  } else if (framing.kind === 'chunked') {
    const c = parseChunked(b, hEnd, end);
    bodyEnd = c.complete ? c.end : end;
    bodyLength = c.data.length;
    kids.push({
      label: `HTTP chunked response`,
      offset: hEnd,
      length: bodyEnd - hEnd,
      children: c.chunks.map((ch) => ({
        label: ch.size === 0 ? 'End of chunked encoding' : `Data chunk (${ch.size} octets)`,
        offset: ch.offset,
        length: ch.sizeLineLength + ch.size,
        children: [
          {
            label: `Chunk size: ${ch.size} octets`,
            field: 'http.chunk_size',
            value: ch.size,
            offset: ch.offset,
            length: ch.sizeLineLength,
          },
        ],
      })),
    });
    if (c.malformed) {
      const e: ExpertItem = { ...MALFORMED, message: `HTTP chunked body: ${c.malformed}` };
      expert.push(e);
      kids.push({
        label: `[Malformed Packet: ${c.malformed}]`,
        offset: hEnd,
        length: 0,
        generated: true,
        expert: e,
      });
    }
  } else if (framing.kind === 'close') {
    bodyEnd = end;
    bodyLength = end - hEnd;
  }

  // Linking lines, as Wireshark shows them after the headers.
  if (head.kind === 'request') {
    const rec = httpRequestAt(st, key);
    const fullUri = rec?.fullUri ?? fullRequestUri(head.method!, head.uri!, headerValue(head, 'Host'));
    kids.push({
      label: `[Full request URI: ${fullUri}]`,
      field: 'http.request.full_uri',
      value: fullUri,
      offset: off,
      length: 0,
      generated: true,
    });
    // the request's place among the conversation's requests (tshark's "HTTP request n/m" and
    // its neighbours; m counts the requests the first pass has seen)
    const at = rec ? st.requests.indexOf(rec) : -1;
    if (at >= 0) {
      kids.push(
        generatedLine(`HTTP request ${at + 1}/${st.requests.length}`, 'http.request_number', at + 1, off),
      );
      const prev = st.requests[at - 1];
      if (prev)
        kids.push(
          generatedLine(`Prev request in frame: ${prev.frame}`, 'http.prev_request_in', prev.frame, off),
        );
    }
    const resp = rec && rec.responseFrame > 0 ? rec.responseFrame : undefined;
    if (resp !== undefined)
      kids.push({
        label: `[Response in frame: ${resp}]`,
        field: 'http.response_in',
        value: resp,
        offset: off,
        length: 0,
        generated: true,
      });
    const next = at >= 0 ? st.requests[at + 1] : undefined;
    if (next)
      kids.push(
        generatedLine(`Next request in frame: ${next.frame}`, 'http.next_request_in', next.frame, off),
      );
  } else {
    const req = httpRequestAnsweredBy(st, key);
    if (req) {
      // as for requests: the answered request's place, and the exchanges before and after it
      const at = st.requests.indexOf(req);
      const prev = st.requests[at - 1];
      const next = st.requests[at + 1];
      kids.push(
        generatedLine(`HTTP response ${at + 1}/${st.requests.length}`, 'http.response_number', at + 1, off),
      );
      kids.push({
        label: `[Time since request: ${deltaText(req.time, ctx.time)} seconds]`,
        field: 'http.time',
        value: deltaSeconds(req.time, ctx.time),
        offset: off,
        length: 0,
        generated: true,
      });
      if (prev) kids.push(...exchangeLines('Prev', prev, off));
      kids.push({
        label: `[Request in frame: ${req.frame}]`,
        field: 'http.request_in',
        value: req.frame,
        offset: off,
        length: 0,
        generated: true,
      });
      if (next) kids.push(...exchangeLines('Next', next, off));
      kids.push({
        label: `[Request URI: ${req.fullUri}]`,
        field: 'http.response_for.uri',
        value: req.fullUri,
        offset: off,
        length: 0,
        generated: true,
      });
    }
  }
  if (bodyLength > 0) {
    kids.push({
      label: `File Data: ${bodyLength} bytes`,
      field: 'http.file_data',
      value: bodyLength,
      offset: hEnd,
      length: bodyEnd - hEnd,
    });
  }
  const info = messageInfo(head, bodyLength);

  const node: FieldNode = {
    label: 'Hypertext Transfer Protocol',
    field: 'http',
    offset: off,
    length: bodyEnd - off,
    children: kids,
  };
  if (ctx.source !== undefined) ownSource(node, ctx.source);
  return { node, info, expert, consumed: bodyEnd - off, kind: head.kind, opensTunnel };
}

/**
 * Records a request, or pairs a response with the oldest unanswered request sent before it (HTTP/1.1
 * answers in order); marks the tunnel when a CONNECT gets a 2xx. Idempotent per message key.
 */
function linkMessage(
  head: HttpHead,
  key: number,
  ctx: HttpContext,
): { request?: HttpRequestRecord; opensTunnel: boolean } {
  const st = ctx.state;
  if (head.kind === 'request') {
    if (!httpRequestAt(st, key)) {
      const method = ownString(head.method!);
      const uri = ownString(head.uri!);
      const full = fullRequestUri(method, uri, headerValue(head, 'Host'));
      const rec: HttpRequestRecord = {
        key,
        frame: ctx.frame,
        time: { sec: ctx.time.sec, nsec: ctx.time.nsec },
        method,
        uri,
        fullUri: full === uri ? uri : ownString(full),
        responseKey: -1,
        responseFrame: 0,
      };
      const r = st.requests;
      // small lists are copied at their exact size (push() reserves room for 16 more)
      if (r.length === 0) st.requests = [rec];
      else if (r[r.length - 1].key < key) {
        if (r.length < 8) st.requests = [...r, rec];
        else r.push(rec);
      } else {
        let i = r.length;
        while (i > 0 && r[i - 1].key > key) i--;
        r.splice(i, 0, rec);
      }
    }
    return { opensTunnel: false };
  }
  const code = head.code ?? 0;
  let request = httpRequestAnsweredBy(st, key);
  if (!request && code >= 200) {
    request = httpOldestPending(st, ctx.frame);
    if (request) {
      request.responseKey = key;
      request.responseFrame = ctx.frame;
      // the answered ones at the head of the list need no look any more
      while (st.firstPending < st.requests.length && st.requests[st.firstPending].responseKey !== -1)
        st.firstPending++;
    }
  }
  let opensTunnel = false;
  if (request?.method === 'CONNECT' && code >= 200 && code < 300) {
    opensTunnel = true;
    if (st.tunnelFrame === undefined || st.tunnelFrame > ctx.frame) {
      st.tunnelFrame = ctx.frame;
      st.tunnelTarget = request.uri;
    }
  }
  return { request, opensTunnel };
}

/**
 * What a frame's HTTP heads give the fields the diagnosis reads (engine-facts.ts FACT_FIELDS),
 * collected in the first pass when a caller asks for it (see http.ts collectHttpFrameFacts), so
 * that the frame needs no second dissection: the values dissectHttp records, first ones first.
 */
export interface HttpFrameFacts {
  /** the frame these are of (0: none yet); the list is reused for the next frame */
  frame: number;
  /** the first http.request.method and http.request.uri */
  method: string | undefined;
  uri: string | undefined;
  /** the first http.proxy_authorization.scheme */
  proxyAuthorization: string | undefined;
  /** the first http.response.code and http.response.phrase */
  code: number | undefined;
  phrase: string | undefined;
  /** http.proxy_authenticate.scheme, without repeats */
  proxyAuthenticate: string[];
  /** the first http.squid_error */
  squidError: string | undefined;
}

export function newHttpFrameFacts(): HttpFrameFacts {
  return {
    frame: 0,
    method: undefined,
    uri: undefined,
    proxyAuthorization: undefined,
    code: undefined,
    phrase: undefined,
    proxyAuthenticate: [],
    squidError: undefined,
  };
}

/** Adds the fact fields of one message head of frame `no` (the first head of a frame empties them). */
export function collectHttpHeadFacts(f: HttpFrameFacts, no: number, head: HttpHead): void {
  if (f.frame !== no) {
    f.frame = no;
    f.method = f.uri = f.proxyAuthorization = f.phrase = f.squidError = undefined;
    f.code = undefined;
    f.proxyAuthenticate.length = 0;
  }
  if (head.kind === 'request') {
    f.method ??= head.method;
    f.uri ??= head.uri;
  } else {
    f.code ??= head.code;
    f.phrase ??= head.phrase ?? '';
  }
  for (const h of head.headers) {
    // the same values headerNode records
    if (sameHeaderName(h.name, 'proxy-authorization'))
      f.proxyAuthorization ??= parseCredentials(h.value).scheme;
    else if (sameHeaderName(h.name, 'proxy-authenticate')) {
      for (const c of parseChallenges(h.value)) {
        const scheme = schemeName(c.scheme);
        if (!f.proxyAuthenticate.includes(scheme)) f.proxyAuthenticate.push(scheme);
      }
    } else if (sameHeaderName(h.name, 'x-squid-error')) f.squidError ??= h.value;
  }
}

export interface HttpScan {
  /** the message's head (null when the bytes hold none) */
  head: HttpHead | null;
  consumed: number;
  opensTunnel: boolean;
  /** worst expert severity rank: 1 chat (every message), 3 warn (4xx/5xx), 4 malformed */
  severity: number;
  /** where the tunnel goes (CONNECT authority), when opensTunnel */
  tunnelTarget?: string;
  /** the Info column text of this message (as dissectHttp) */
  info: string;
}

/**
 * The first-pass version of dissectHttp: the same conversation state updates and severity, no
 * tree and no labels. The caller found the message's length with httpMessageNeed.
 */
export function scanHttp(
  b: Uint8Array,
  off: number,
  end: number,
  ctx: HttpContext,
  parsed?: HttpHead,
): HttpScan {
  end = Math.min(end, b.length);
  // `parsed`: the head httpMessageNeed already parsed at off (saves parsing it twice)
  const hEnd =
    parsed && parsed.offset === off && parsed.bodyOffset <= end
      ? parsed.bodyOffset
      : findHeaderEnd(b, off, end);
  const head =
    parsed && parsed.offset === off && parsed.bodyOffset === hEnd
      ? parsed
      : hEnd >= 0
        ? parseHttpHead(b, off, hEnd)
        : null;
  if (!head)
    return {
      head: null,
      consumed: end - off,
      opensTunnel: false,
      severity: hEnd < 0 && looksStarted(b, off, end) ? 4 : 0,
      info: 'Continuation',
    };
  const link = linkMessage(head, httpMessageKey(ctx.frame, ctx.source, off), ctx);
  const f = bodyFraming(head, link.request?.method);
  let consumed = end - off;
  let severity = (head.code ?? 0) >= 400 ? 3 : 1;
  let bodyLength = 0;
  if (f.kind === 'none') consumed = hEnd - off;
  else if (f.kind === 'length') {
    consumed = Math.min(end, hEnd + f.length) - off;
    bodyLength = consumed - (hEnd - off);
    if (hEnd + f.length > end) severity = 4;
  } else if (f.kind === 'chunked') {
    const c = parseChunked(b, hEnd, end);
    if (c.complete) consumed = c.end - off;
    bodyLength = c.data.length;
    if (c.malformed) severity = 4;
  } else bodyLength = end - hEnd;
  return {
    head,
    consumed,
    opensTunnel: link.opensTunnel,
    severity,
    tunnelTarget: link.opensTunnel ? link.request?.uri : undefined,
    info: messageInfo(head, bodyLength),
  };
}

/** Wireshark's Info: the first line, and the media type when a body follows. */
/**
 * Info as tshark 4.0 prints it: the first line and a space (col_add_fstr "%s "), then, with a body,
 * " (media type)": "HTTP/1.1 200 Connection established ", "HTTP/1.1 403 Forbidden  (text/html)".
 */
function messageInfo(head: HttpHead, bodyLength: number): string {
  const ct = bodyLength > 0 ? headerValue(head, 'Content-Type') : undefined;
  return ct ? `${head.firstLine}  (${ct.split(';')[0].trim().toLowerCase()})` : `${head.firstLine} `;
}

/**
 * Where a message starts, as one number: frame, reassembled source (0 = the frame) and offset.
 * Exact for frames < 2^28, sources < 32 and offsets < 2^20 (a larger offset shares its key).
 */
export function httpMessageKey(frame: number, source: number | undefined, off: number): number {
  return (frame * 32 + Math.min(source ?? 0, 31)) * 1048576 + Math.min(off, 1048575);
}

function looksStarted(b: Uint8Array, off: number, end: number): boolean {
  // an unterminated header block only matters when the bytes start like a message
  const s = String.fromCharCode(...b.subarray(off, Math.min(end, off + 8)));
  return /^(HTTP\/1\.|[A-Z]{3,7} )/.test(s);
}
