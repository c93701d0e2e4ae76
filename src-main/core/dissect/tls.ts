// TLS on TCP/443, on any port by heuristic, and inside a CONNECT tunnel (HTTP hands the
// conversation over after the 200). Records split across segments are reassembled through the
// engine's desegmentation requests. The parsing and the tree live in tls-parse.ts.
import type { PacketContext } from './engine-context.js';
import type { ExpertDef, FieldDef, ProtocolModule, Registry } from './registry.js';
import {
  dissectTls,
  looksLikeTls,
  newTlsFrameFacts,
  newTlsState,
  resetTlsFrameFacts,
  scanTls,
  tlsInfo,
  tlsRecordsLength,
  type TlsContext,
  type TlsConversationState,
  type TlsFrameFacts,
  type TlsScan,
} from './tls-parse.js';

const FIELDS: FieldDef[] = [
  { name: 'tls.record', label: 'Record Layer', type: 'none' },
  { name: 'tls.record.content_type', label: 'Content Type', type: 'uint' },
  { name: 'tls.record.version', label: 'Version', type: 'uint' },
  { name: 'tls.record.length', label: 'Length', type: 'uint' },
  { name: 'tls.handshake', label: 'Handshake Protocol', type: 'none' },
  { name: 'tls.handshake.type', label: 'Handshake Type', type: 'uint' },
  { name: 'tls.handshake.length', label: 'Length', type: 'uint' },
  { name: 'tls.handshake.version', label: 'Version', type: 'uint' },
  { name: 'tls.handshake.random', label: 'Random', type: 'bytes' },
  { name: 'tls.handshake.session_id_length', label: 'Session ID Length', type: 'uint' },
  { name: 'tls.handshake.session_id', label: 'Session ID', type: 'bytes' },
  { name: 'tls.handshake.cipher_suites_length', label: 'Cipher Suites Length', type: 'uint' },
  { name: 'tls.handshake.ciphersuite', label: 'Cipher Suite', type: 'uint' },
  { name: 'tls.handshake.comp_methods_length', label: 'Compression Methods Length', type: 'uint' },
  { name: 'tls.handshake.comp_method', label: 'Compression Method', type: 'uint' },
  { name: 'tls.handshake.extensions_length', label: 'Extensions Length', type: 'uint' },
  { name: 'tls.handshake.extension.type', label: 'Type', type: 'uint' },
  { name: 'tls.handshake.extension.len', label: 'Length', type: 'uint' },
  { name: 'tls.handshake.extensions_server_name_list_len', label: 'Server Name list length', type: 'uint' },
  { name: 'tls.handshake.extensions_server_name_type', label: 'Server Name Type', type: 'uint' },
  { name: 'tls.handshake.extensions_server_name_len', label: 'Server Name length', type: 'uint' },
  { name: 'tls.handshake.extensions_server_name', label: 'Server Name', type: 'string' },
  { name: 'tls.handshake.extensions_alpn_len', label: 'ALPN Extension Length', type: 'uint' },
  { name: 'tls.handshake.extensions_alpn_str_len', label: 'ALPN string length', type: 'uint' },
  { name: 'tls.handshake.extensions_alpn_str', label: 'ALPN Next Protocol', type: 'string' },
  {
    name: 'tls.handshake.extensions.supported_versions_len',
    label: 'Supported Versions length',
    type: 'uint',
  },
  { name: 'tls.handshake.extensions.supported_version', label: 'Supported Version', type: 'uint' },
  { name: 'tls.handshake.certificates_length', label: 'Certificates Length', type: 'uint' },
  { name: 'tls.handshake.certificate_length', label: 'Certificate Length', type: 'uint' },
  { name: 'tls.handshake.certificate', label: 'Certificate', type: 'bytes' },
  { name: 'tls.handshake.session_ticket_lifetime_hint', label: 'Session Ticket Lifetime Hint', type: 'uint' },
  { name: 'tls.change_cipher_spec', label: 'Change Cipher Spec Message', type: 'none' },
  { name: 'tls.alert_message', label: 'Alert Message', type: 'none' },
  { name: 'tls.alert_message.level', label: 'Level', type: 'uint' },
  { name: 'tls.alert_message.desc', label: 'Description', type: 'uint' },
  { name: 'tls.app_data', label: 'Encrypted Application Data', type: 'bytes' },
  { name: 'tls.continuation_data', label: 'Continuation Data', type: 'bytes' },
  { name: 'x509af.serialNumber', label: 'serialNumber', type: 'string' },
  { name: 'x509af.issuer', label: 'issuer', type: 'string' },
  { name: 'x509af.subject', label: 'subject', type: 'string' },
  { name: 'x509if.rdnSequence', label: 'rdnSequence', type: 'string' },
  { name: 'x509af.notBefore', label: 'notBefore', type: 'string' },
  { name: 'x509af.notAfter', label: 'notAfter', type: 'string' },
  { name: 'x509ce.dNSName', label: 'dNSName', type: 'string' },
];

const EXPERTS: ExpertDef[] = [
  { id: 'tls.alert.fatal', severity: 'warn', group: 'response', message: 'TLS fatal alert' },
  { id: 'malformed', severity: 'error', group: 'malformed', message: 'Malformed TLS record' },
];

const factCollectors = new WeakMap<Registry, TlsFrameFacts>();

/**
 * From now on the first pass (index()) of an engine with this registry collects the fact fields of
 * each frame's TLS records into the returned object (valid while `frame` is the frame just
 * indexed): the diagnosis reads them there instead of dissecting the frame again. Give that
 * engine a registry of its own (not createRegistry()'s shared one): every engine using the
 * registry writes here.
 */
export function collectTlsFrameFacts(r: Registry): TlsFrameFacts {
  let f = factCollectors.get(r);
  if (!f) factCollectors.set(r, (f = newTlsFrameFacts()));
  return f;
}

// Reused for every call (dissect() is never re-entered for TLS): the first pass and the rows
// allocate no context, Info list or result object per frame.
const scanCtx: TlsContext = { frame: 0, dir: 0, state: newTlsState() };
const scanInfo: string[] = [];
const scanOut: TlsScan = { severity: 0, consumed: 0, protocol: '' };

const infoMark = new WeakMap<PacketContext, { no: number; text: string }>();

/** Several calls for one frame (a reassembled record, then the records after it) share the Info. */
function setTlsInfo(ctx: PacketContext, info: string): void {
  const mark = infoMark.get(ctx);
  if (mark && mark.no === ctx.no && mark.text !== '' && ctx.info.endsWith(mark.text))
    ctx.appendInfo(info, ', ');
  else ctx.setInfo(info);
  if (mark) {
    mark.no = ctx.no;
    mark.text = ctx.info;
  } else infoMark.set(ctx, { no: ctx.no, text: ctx.info });
}

/**
 * Wireshark's TLS turns down data that does not look like SSLv2/SSLv3+ while the conversation has
 * no TLS yet (e.g. text inside a CONNECT tunnel to :443): tshark then shows the frame as TCP, not
 * "Continuation Data". Once TLS took data, everything after is its (Continuation Data).
 * Decided in the first pass and remembered for the frames turned down.
 */
function takesData(ctx: PacketContext, off: number, end: number): boolean {
  if (!ctx.firstPass) return ctx.frameData('tls.refused') !== true;
  if (ctx.convData<TlsConversationState>('tls')?.accepted || end - off < 4 || looksLikeSsl(ctx.data, off))
    return true;
  ctx.setFrameData('tls.refused', true);
  return false;
}

/** Wireshark's ssl_looks_like_sslv3 || ssl_looks_like_sslv2 (needs 4 bytes at off). */
function looksLikeSsl(b: Uint8Array, off: number): boolean {
  const t = b[off];
  if (t >= 20 && t <= 24 && b[off + 1] === 3 && b[off + 2] <= 4) return true;
  // SSLv2/PCT: a 2-byte (high bit set) or 3-byte record header, then a handshake type 0-5
  const type = b[off + (t & 0x80 ? 2 : 3)];
  return type <= 5;
}

/** Whether TLS already wrote this frame's Info (a record before the one that waits). */
function wroteInfo(ctx: PacketContext): boolean {
  const mark = infoMark.get(ctx);
  return mark !== undefined && mark.no === ctx.no && mark.text !== '' && ctx.info.endsWith(mark.text);
}

function stateOf(ctx: PacketContext): TlsConversationState {
  let st = ctx.convData<TlsConversationState>('tls');
  if (!st) {
    st = newTlsState();
    if (ctx.firstPass) ctx.setConvData('tls', st);
  }
  return st;
}

export const tlsModule: ProtocolModule = {
  name: 'tls',
  column: 'TLS',
  title: 'Transport Layer Security',
  fields: FIELDS,
  experts: EXPERTS,
  register(r) {
    r.table('tcp.port').add(443, tlsModule);
    r.heuristics('tcp').add(tlsModule);
  },
  heuristic(ctx, off, end) {
    return looksLikeTls(ctx.data, off, end);
  },
  dissect(ctx, off, end, tree) {
    if (!takesData(ctx, off, end)) return 0;
    // whole records' length, or -(bytes the first record still needs)
    const need = tlsRecordsLength(ctx.data, off, end);
    let take = end;
    if (need < 0) {
      // Only when the data starts with a record header do we wait for the rest of that record.
      if (end - off < 5 || looksLikeTls(ctx.data, off, end)) {
        // present in the frame all the same (tshark: `…:tcp:tls`, Protocol column "TCP"); a
        // column a record before this one in the frame set stays
        const col = ctx.colProtocol;
        ctx.enter(tlsModule);
        ctx.colProtocol = col;
        ctx.requestDesegment(off, -need);
        // Wireshark's TLS clears Info before asking for more: in a single-pass row the frame that
        // starts a record then reads just "[TCP segment of a reassembled PDU]" (tshark -r). Not
        // when a record reassembled in this frame already wrote it ("Certificate", then a piece).
        if (ctx.cols && ctx.firstPass && !wroteInfo(ctx)) ctx.setInfo('');
        return 0;
      }
    } else if (need < end - off) {
      // whole records, then the start of another: wait for the rest of it (not for garbage)
      take = off + need;
      const rest = tlsRecordsLength(ctx.data, take, end);
      if (rest < 0 && (end - take < 5 || looksLikeTls(ctx.data, take, end)))
        ctx.requestDesegment(take, -rest);
      else take = end;
    }
    ctx.enter(tlsModule);
    // found by port or heuristic: the conversation stays TLS (as Wireshark's heuristic does)
    if (ctx.firstPass && ctx.conv && !ctx.conv.dissectorAt(ctx.no))
      ctx.setConversationDissector(tlsModule, ctx.no);
    const st = stateOf(ctx);
    if (ctx.firstPass) st.accepted = true;
    const tctx = scanCtx;
    tctx.frame = ctx.no;
    tctx.dir = ctx.dir;
    tctx.state = st;
    tctx.source = ctx.source || undefined;
    tctx.light = ctx.skipCertificates || undefined;
    tctx.lean = ctx.fieldsOnly || undefined;
    tctx.facts = ctx.firstPass ? factCollectors.get(ctx.registry) : undefined;
    if (!tree) {
      if (tctx.facts && tctx.facts.frame !== ctx.no) resetTlsFrameFacts(tctx.facts, ctx.no);
      // first pass / rows: state, severity and the columns, without building a tree
      // the Info parts go after the earlier frames' (emptying the list would free its storage,
      // and the next push allocate it again): it is emptied only now and then
      const info = ctx.cols ? scanInfo : undefined;
      if (scanInfo.length > 256) scanInfo.length = 0;
      const from = scanInfo.length;
      const r = scanTls(ctx.data, off, take, tctx, info, scanOut);
      if (r.severity === 4) ctx.expert(null, EXPERTS[1]);
      else if (r.severity === 3) ctx.expert(null, EXPERTS[0]);
      if (info) {
        ctx.setProtocolColumn(r.protocol);
        setTlsInfo(ctx, tlsInfo(info, from));
      }
      return take - off;
    }
    const d = dissectTls(ctx.data, off, take, tctx);
    if (ctx.cols) {
      ctx.setProtocolColumn(d.protocol);
      setTlsInfo(ctx, tlsInfo(d.infoParts));
    }
    ctx.attachSubtree(tree, d.node, d.expert);
    return take - off;
  },
};
