// HTTP/1.x on any TCP port (well-known proxy ports plus a heuristic): the glue between the engine
// and the pure parser/tree builder (http-parse.ts, http-tree.ts). Header blocks and bodies split
// across segments are reassembled through the engine's desegmentation requests. A 2xx answer to
// CONNECT makes the rest of the conversation a tunnel HTTP passes on (to TLS for :443).
import { DESEGMENT_ONE_MORE_SEGMENT, MODE_FULL, type PacketContext } from './engine-context.js';
import type { ExpertDef, FieldDef, ProtocolModule, Registry } from './registry.js';
import type { FieldNode } from './types.js';
import { dataModule } from './frame.js';
import { httpMessageNeed, looksLikeHttp } from './http-parse.js';
import {
  collectHttpHeadFacts,
  dissectHttp,
  httpMessageKey,
  httpOldestPending,
  httpRequestAnsweredBy,
  newHttpFrameFacts,
  newHttpState,
  scanHttp,
  type HttpConversationState,
  type HttpFrameFacts,
} from './http-tree.js';

const factCollectors = new WeakMap<Registry, HttpFrameFacts>();

/**
 * From now on the first pass (index()) of an engine with this registry collects the fact fields of
 * each frame's HTTP heads into the returned object (valid while `frame` is the frame just indexed):
 * the diagnosis reads them there instead of dissecting the frame again. Give that engine a
 * registry of its own (not createRegistry()'s shared one): every engine using the registry
 * writes here.
 */
export function collectHttpFrameFacts(r: Registry): HttpFrameFacts {
  let f = factCollectors.get(r);
  if (!f) factCollectors.set(r, (f = newHttpFrameFacts()));
  return f;
}

const s = (name: string, label: string): FieldDef => ({ name, label, type: 'string' });

const FIELDS: FieldDef[] = [
  { name: 'http.request', label: 'Request', type: 'bool' },
  { name: 'http.response', label: 'Response', type: 'bool' },
  s('http.request.method', 'Request Method'),
  s('http.request.uri', 'Request URI'),
  s('http.request.version', 'Request Version'),
  s('http.request.full_uri', 'Full request URI'),
  s('http.request.line', 'Request line'),
  s('http.response.version', 'Response Version'),
  { name: 'http.response.code', label: 'Status Code', type: 'uint' },
  s('http.response.code.desc', 'Status Code Description'),
  s('http.response.phrase', 'Response Phrase'),
  s('http.response.line', 'Response line'),
  s('http.response_for.uri', 'Request URI'),
  { name: 'http.response_in', label: 'Response in frame', type: 'framenum' },
  { name: 'http.request_in', label: 'Request in frame', type: 'framenum' },
  { name: 'http.time', label: 'Time since request', type: 'reltime' },
  { name: 'http.request_number', label: 'HTTP request', type: 'uint' },
  { name: 'http.response_number', label: 'HTTP response', type: 'uint' },
  { name: 'http.prev_request_in', label: 'Prev request in frame', type: 'framenum' },
  { name: 'http.next_request_in', label: 'Next request in frame', type: 'framenum' },
  { name: 'http.prev_response_in', label: 'Prev response in frame', type: 'framenum' },
  { name: 'http.next_response_in', label: 'Next response in frame', type: 'framenum' },
  s('http.host', 'Host'),
  s('http.user_agent', 'User-Agent'),
  s('http.content_type', 'Content-Type'),
  s('http.content_length_header', 'Content-Length'),
  { name: 'http.content_length', label: 'Content length', type: 'uint' },
  s('http.proxy_authenticate', 'Proxy-Authenticate'),
  s('http.proxy_authenticate.scheme', 'Proxy-Authenticate scheme'),
  s('http.proxy_authenticate.realm', 'Proxy-Authenticate realm'),
  s('http.proxy_authenticate.nonce', 'Proxy-Authenticate nonce'),
  s('http.proxy_authenticate.qop', 'Proxy-Authenticate qop'),
  s('http.proxy_authenticate.algorithm', 'Proxy-Authenticate algorithm'),
  s('http.proxy_authenticate.opaque', 'Proxy-Authenticate opaque'),
  s('http.proxy_authenticate.stale', 'Proxy-Authenticate stale'),
  s('http.proxy_authenticate.domain', 'Proxy-Authenticate domain'),
  s('http.proxy_authenticate.charset', 'Proxy-Authenticate charset'),
  s('http.www_authenticate', 'WWW-Authenticate'),
  s('http.www_authenticate.scheme', 'WWW-Authenticate scheme'),
  s('http.www_authenticate.realm', 'WWW-Authenticate realm'),
  s('http.www_authenticate.nonce', 'WWW-Authenticate nonce'),
  s('http.www_authenticate.qop', 'WWW-Authenticate qop'),
  s('http.www_authenticate.algorithm', 'WWW-Authenticate algorithm'),
  s('http.www_authenticate.opaque', 'WWW-Authenticate opaque'),
  s('http.www_authenticate.stale', 'WWW-Authenticate stale'),
  s('http.www_authenticate.domain', 'WWW-Authenticate domain'),
  s('http.www_authenticate.charset', 'WWW-Authenticate charset'),
  s('http.proxy_authorization', 'Proxy-Authorization'),
  s('http.proxy_authorization.scheme', 'Proxy-Authorization scheme'),
  s('http.proxy_authorization.user', 'Proxy-Authorization user'),
  s('http.authorization', 'Authorization'),
  s('http.authorization.scheme', 'Authorization scheme'),
  s('http.authorization.user', 'Authorization user'),
  s('http.via', 'Via'),
  s('http.squid_error', 'X-Squid-Error'),
  s('http.connection', 'Connection'),
  s('http.proxy_connection', 'Proxy-Connection'),
  s('http.server', 'Server'),
  s('http.location', 'Location'),
  s('http.transfer_encoding', 'Transfer-Encoding'),
  s('http.content_encoding', 'Content-Encoding'),
  s('http.date', 'Date'),
  s('http.cache_control', 'Cache-Control'),
  s('http.accept', 'Accept'),
  s('http.accept_encoding', 'Accept-Encoding'),
  s('http.accept_language', 'Accept-Language'),
  s('http.cookie', 'Cookie'),
  s('http.set_cookie', 'Set-Cookie'),
  s('http.referer', 'Referer'),
  s('http.keep_alive', 'Keep-Alive'),
  s('http.last_modified', 'Last-Modified'),
  s('http.upgrade', 'Upgrade'),
  s('http.x_forwarded_for', 'X-Forwarded-For'),
  s('http.proxy_connect_host', 'Proxy-Connect-Hostname'),
  { name: 'http.proxy_connect_port', label: 'Proxy-Connect-Port', type: 'uint' },
  { name: 'http.chunk_size', label: 'Chunk size', type: 'uint' },
  { name: 'http.file_data', label: 'File Data', type: 'uint' },
];

const EXPERTS: ExpertDef[] = [
  { id: 'http.chat', severity: 'chat', group: 'sequence', message: 'HTTP request or response line' },
  {
    id: 'http.response.error',
    severity: 'warn',
    group: 'response',
    message: 'HTTP error response (4xx/5xx)',
  },
  {
    id: 'http.proxy_auth_required',
    severity: 'note',
    group: 'security',
    message: 'Proxy authentication required',
  },
  { id: 'malformed', severity: 'error', group: 'malformed', message: 'Malformed HTTP message' },
];

const infoMark = new WeakMap<PacketContext, { no: number; text: string }>();

/**
 * Messages after the first in a frame (pipelining, a reassembled one then more) append to Info;
 * a message's Info already ends with a space ("GET / HTTP/1.1 "), as tshark's, so no separator then.
 */
function setHttpInfo(ctx: PacketContext, info: string, first: boolean): void {
  const mark = infoMark.get(ctx);
  if (!first || (mark && mark.no === ctx.no && mark.text !== '' && ctx.info.endsWith(mark.text)))
    ctx.appendInfo(info, ctx.info.endsWith(' ') ? '' : ' ');
  else ctx.setInfo(info);
  infoMark.set(ctx, { no: ctx.no, text: ctx.info });
}

function stateOf(ctx: PacketContext): HttpConversationState {
  let st = ctx.convData<HttpConversationState>('http');
  if (!st) {
    st = newHttpState();
    if (ctx.firstPass) ctx.setConvData('http', st);
  }
  return st;
}

/** Method of the request the response starting here answers (decides HEAD/CONNECT body rules). */
function answeredMethod(
  st: HttpConversationState,
  frame: number,
  source: number,
  off: number,
): string | undefined {
  if (st.requests.length === 0) return undefined;
  return (httpRequestAnsweredBy(st, httpMessageKey(frame, source, off)) ?? httpOldestPending(st, frame))
    ?.method;
}

/**
 * Once a conversation is found to be HTTP, its later payload stays HTTP (Wireshark's
 * conversation_set_dissector): bytes that do not parse are "Continuation", not another protocol,
 * until a CONNECT's 2xx hands the conversation to the tunnel. First pass only.
 */
function claimConversation(ctx: PacketContext, m: ProtocolModule): void {
  if (ctx.firstPass && ctx.conv && !ctx.conv.dissectorAt(ctx.no)) ctx.setConversationDissector(m, ctx.no);
}

/**
 * Wireshark keeps HTTP as the dissector of a CONNECT tunnel: from the frame after the 2xx, HTTP
 * takes the payload, shows where the tunnel goes (generated Proxy-Connect fields) and hands the
 * bytes to the dissector of the target port (tshark 4.0: `…:tcp:http:tls` for :443, `…:http:data`
 * for :80, where HTTP does not dissect itself again; just `…:http` for a port nobody claims).
 * HTTP then is present in the frame but leaves the Protocol and Info columns to what it calls.
 */
/**
 * Ports whose tunnel tshark 4.0 hands to TLS (https, smtps, ldaps, imaps, pop3s; checked one by
 * one). Other ports: the port's dissector, else TLS by its heuristic (see below), else none.
 */
const TUNNEL_TLS_PORTS = new Set([443, 465, 636, 993, 995]);

/**
 * Where the port starts in a CONNECT authority "host:port" (the colon), -1 without one: what
 * /^(.*):(\d{1,5})$/ matches, without a regular expression's allocations on every tunnel packet.
 */
export function authorityPortAt(target: string): number {
  const colon = target.lastIndexOf(':');
  const digits = target.length - colon - 1;
  if (colon < 0 || digits < 1 || digits > 5) return -1;
  for (let i = colon + 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  // `.` matches no line terminator
  for (let i = 0; i < colon; i++) {
    const c = target.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return -1;
  }
  return colon;
}

function tunnelPayload(
  ctx: PacketContext,
  st: HttpConversationState,
  off: number,
  end: number,
  tree: FieldNode[] | null,
): number {
  const target = st.tunnelTarget ?? '';
  const colon = authorityPortAt(target);
  // no port in the authority: tshark shows the bytes as TCP's alone
  if (colon < 0) return end - off;
  let port = 0;
  for (let i = colon + 1; i < target.length; i++) port = port * 10 + target.charCodeAt(i) - 48;
  const top = ctx.topProto;
  const col = ctx.colProtocol;
  ctx.enter(httpModule);
  ctx.topProto = top;
  ctx.colProtocol = col;
  if (tree) {
    const host = target.slice(0, colon);
    const kids = ctx.addTree(tree, 'Hypertext Transfer Protocol', 'http', undefined, off, 0);
    ctx.addGenerated(kids, () => `Proxy-Connect-Hostname: ${host}`, 'http.proxy_connect_host', host);
    ctx.addGenerated(kids, () => `Proxy-Connect-Port: ${port}`, 'http.proxy_connect_port', port);
  } else if (ctx.mode === MODE_FULL) {
    ctx.record('http.proxy_connect_host', target.slice(0, colon));
    ctx.record('http.proxy_connect_port', port);
  }
  const tls = ctx.registry.protocol('tls');
  let next = TUNNEL_TLS_PORTS.has(port) ? tls : ctx.registry.table('tcp.port').get(port);
  if (!next && tls) {
    // a port nobody claims: TLS takes the tunnel from a handshake record on (tshark's TLS
    // heuristic; application data alone is not enough)
    if (st.tunnelTlsFrom !== undefined && st.tunnelTlsFrom <= ctx.no) next = tls;
    else if (ctx.firstPass && ctx.data[off] === 0x16 && tls.heuristic?.(ctx, off, end)) {
      st.tunnelTlsFrom = ctx.no;
      next = tls;
    }
  }
  if (!next) return end - off;
  if (next !== httpModule) {
    ctx.desegmentLen = 0;
    const used = ctx.call(next, off, end, tree);
    if (used > 0 || ctx.desegmentLen !== 0) return used;
  }
  ctx.call(dataModule, off, end, tree);
  return end - off;
}

export const httpModule: ProtocolModule = {
  name: 'http',
  column: 'HTTP',
  title: 'Hypertext Transfer Protocol',
  fields: FIELDS,
  experts: EXPERTS,
  register(r) {
    for (const port of [80, 3128, 8080, 8000, 8008, 8088]) r.table('tcp.port').add(port, httpModule);
    r.heuristics('tcp').add(httpModule);
  },
  heuristic(ctx, off, end) {
    return looksLikeHttp(ctx.data, off, end);
  },
  dissect(ctx, off, end, tree) {
    const st = stateOf(ctx);
    if (st.tunnelFrame !== undefined && ctx.no > st.tunnelFrame)
      return tunnelPayload(ctx, st, off, end, tree);
    const b = ctx.data;
    let p = off;
    let first = true;
    while (p < end) {
      if (looksLikeHttp(b, p, end)) {
        const isResponse =
          b[p] === 0x48 && b[p + 1] === 0x54 && b[p + 2] === 0x54 && b[p + 3] === 0x50 && b[p + 4] === 0x2f;
        const need = httpMessageNeed(
          b,
          p,
          end,
          isResponse ? answeredMethod(st, ctx.no, ctx.source, p) : undefined,
        );
        if (need.kind === 'more') {
          ctx.requestDesegment(p, need.atLeast > 1 ? need.atLeast : DESEGMENT_ONE_MORE_SEGMENT);
          return p - off;
        }
        ctx.enter(httpModule);
        claimConversation(ctx, httpModule);
        const len = need.kind === 'complete' ? need.length : end - p;
        const hctx = {
          frame: ctx.no,
          time: { sec: ctx.raw.tsSec, nsec: ctx.raw.tsNsec },
          state: st,
          source: ctx.source || undefined,
        };
        if (!tree) {
          // first pass and rows: conversation state, severity and Info, no tree
          const sc = scanHttp(b, p, p + len, hctx, need.kind === 'complete' ? need.head : undefined);
          if (sc.head && ctx.firstPass) {
            const facts = factCollectors.get(ctx.registry);
            if (facts) collectHttpHeadFacts(facts, ctx.no, sc.head);
          }
          ctx.expert(null, sc.severity >= 4 ? EXPERTS[3] : sc.severity === 3 ? EXPERTS[1] : EXPERTS[0]);
          if (ctx.cols) setHttpInfo(ctx, sc.info, first);
          p += Math.max(1, sc.consumed);
          first = false;
          continue;
        }
        const d = dissectHttp(b, p, p + len, {
          frame: ctx.no,
          time: { sec: ctx.raw.tsSec, nsec: ctx.raw.tsNsec },
          state: st,
          source: ctx.source || undefined,
        });
        if (ctx.cols) setHttpInfo(ctx, d.info, first);
        ctx.attachSubtree(tree, d.node, d.expert);
        p += Math.max(1, d.consumed);
      } else {
        // Body bytes of a message whose length we do not know, or not HTTP at all.
        ctx.enter(httpModule);
        if (ctx.cols && first) ctx.setInfo('Continuation');
        if (tree) {
          const kids = ctx.addTree(tree, 'Hypertext Transfer Protocol', 'http', undefined, p, end - p);
          ctx.add(
            kids,
            `Continuation or non-HTTP traffic (${end - p} bytes)`,
            undefined,
            undefined,
            p,
            end - p,
          );
        }
        p = end;
      }
      first = false;
    }
    return end - off;
  },
};
