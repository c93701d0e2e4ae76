// TLS record layer and handshake parser with its field tree (RFC 5246, RFC 8446). Pure apart from
// the per-conversation state the caller hands in; bounds-checked: a message that runs past its
// record gets a "malformed" expert item, never an exception. Certificates (TLS ≤ 1.2, where they
// travel in the clear) are decoded with node-forge, falling back to node:crypto for key types
// forge cannot read (EC).
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { cipherSuiteName, isGrease } from './cipher-suites.js';
import type { ExpertItem, FieldNode } from './types.js';

export const CONTENT_TYPES: Record<number, string> = {
  20: 'Change Cipher Spec',
  21: 'Alert',
  22: 'Handshake',
  23: 'Application Data',
  24: 'Heartbeat',
};

const HANDSHAKE_TYPES: Record<number, string> = {
  0: 'Hello Request',
  1: 'Client Hello',
  2: 'Server Hello',
  4: 'New Session Ticket',
  5: 'End of Early Data',
  8: 'Encrypted Extensions',
  11: 'Certificate',
  12: 'Server Key Exchange',
  13: 'Certificate Request',
  14: 'Server Hello Done',
  15: 'Certificate Verify',
  16: 'Client Key Exchange',
  20: 'Finished',
  22: 'Certificate Status',
  24: 'Key Update',
};

const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: 'Close Notify',
  10: 'Unexpected Message',
  20: 'Bad Record MAC',
  21: 'Decryption Failed',
  22: 'Record Overflow',
  30: 'Decompression Failure',
  40: 'Handshake Failure',
  41: 'No Certificate',
  42: 'Bad Certificate',
  43: 'Unsupported Certificate',
  44: 'Certificate Revoked',
  45: 'Certificate Expired',
  46: 'Certificate Unknown',
  47: 'Illegal Parameter',
  48: 'Unknown CA',
  49: 'Access Denied',
  50: 'Decode Error',
  51: 'Decrypt Error',
  60: 'Export Restriction',
  70: 'Protocol Version',
  71: 'Insufficient Security',
  80: 'Internal Error',
  86: 'Inappropriate Fallback',
  90: 'User Canceled',
  100: 'No Renegotiation',
  109: 'Missing Extension',
  110: 'Unsupported Extension',
  111: 'Certificate Unobtainable',
  112: 'Unrecognized Name',
  113: 'Bad Certificate Status Response',
  114: 'Bad Certificate Hash Value',
  115: 'Unknown PSK Identity',
  116: 'Certificate Required',
  120: 'No Application Protocol',
};

const EXTENSIONS: Record<number, string> = {
  0: 'server_name',
  1: 'max_fragment_length',
  5: 'status_request',
  10: 'supported_groups',
  11: 'ec_point_formats',
  13: 'signature_algorithms',
  15: 'heartbeat',
  16: 'application_layer_protocol_negotiation',
  18: 'signed_certificate_timestamp',
  21: 'padding',
  22: 'encrypt_then_mac',
  23: 'extended_master_secret',
  27: 'compress_certificate',
  28: 'record_size_limit',
  35: 'session_ticket',
  41: 'pre_shared_key',
  42: 'early_data',
  43: 'supported_versions',
  44: 'cookie',
  45: 'psk_key_exchange_modes',
  49: 'post_handshake_auth',
  50: 'signature_algorithms_cert',
  51: 'key_share',
  17513: 'application_settings',
  65037: 'encrypted_client_hello',
  65281: 'renegotiation_info',
};

const VERSION_SHORT: Record<number, string> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

const VERSION_LONG: Record<number, string> = {
  0x0200: 'SSL 2.0',
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
};

const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

function hex4(v: number): string {
  return `0x${v.toString(16).padStart(4, '0')}`;
}

export function versionLong(v: number): string {
  if (isGrease(v)) return `Reserved (GREASE) (${hex4(v)})`;
  return `${VERSION_LONG[v] ?? 'Unknown'} (${hex4(v)})`;
}

/** The Protocol column for a version: "TLSv1.2", or "SSL" when it is not a known one. */
export function versionShort(v: number | undefined): string {
  return (v !== undefined && VERSION_SHORT[v]) || 'SSL';
}

export function alertDescription(d: number): string {
  return ALERT_DESCRIPTIONS[d] ?? `Unknown (${d})`;
}

export function handshakeTypeName(t: number): string {
  return HANDSHAKE_TYPES[t] ?? `Unknown (${t})`;
}

/** Per-conversation TLS state. Keyed by frame numbers so that re-dissecting any frame is stable. */
export interface TlsConversationState {
  /** negotiated version and the frame of the ServerHello that chose it */
  version?: number;
  versionFrame?: number;
  /** the version came from a ServerHello (else from a record header, see learnVersionFromRecord) */
  versionFromHello?: boolean;
  /** TLS took data in this conversation (from then on non-TLS bytes are "Continuation Data") */
  accepted?: boolean;
  /** which direction sent the ClientHello */
  clientDir?: number;
  /** per direction: the frame (and record index in it) of its ChangeCipherSpec */
  ccs: Record<number, { frame: number; record: number } | undefined>;
}

/**
 * What a frame's TLS records give the fields the diagnosis reads (engine-facts.ts FACT_FIELDS),
 * collected by the first-pass walk (scanTls) when a caller asks for it, so that the frame needs no
 * second dissection: the same values as dissectTls records, in the same order.
 */
export interface TlsFrameFacts {
  /** the frame these are of (0: none yet); the lists are reused for the next frame */
  frame: number;
  /** tls.record.content_type, without repeats */
  contentTypes: number[];
  /** tls.handshake.type */
  handshakeTypes: number[];
  /** the first tls.handshake.extensions_server_name */
  sni: string | undefined;
  /** the first tls.handshake.extensions.supported_version and tls.handshake.version */
  supportedVersion: number | undefined;
  helloVersion: number | undefined;
  /** the first tls.alert_message.level and .desc, -1 when none */
  alertLevel: number;
  alertDesc: number;
  /** x509af.issuer and x509af.subject of the certificates */
  certIssuers: string[];
  certSubjects: string[];
}

export function newTlsFrameFacts(): TlsFrameFacts {
  return {
    frame: 0,
    contentTypes: [],
    handshakeTypes: [],
    sni: undefined,
    supportedVersion: undefined,
    helloVersion: undefined,
    alertLevel: -1,
    alertDesc: -1,
    certIssuers: [],
    certSubjects: [],
  };
}

/** Empties the facts for frame `no`. */
export function resetTlsFrameFacts(f: TlsFrameFacts, no: number): void {
  f.frame = no;
  f.contentTypes.length = 0;
  f.handshakeTypes.length = 0;
  f.sni = undefined;
  f.supportedVersion = undefined;
  f.helloVersion = undefined;
  f.alertLevel = -1;
  f.alertDesc = -1;
  f.certIssuers.length = 0;
  f.certSubjects.length = 0;
}

/**
 * The fact fields of a whole handshake message (ClientHello, ServerHello, Certificate): the tree's
 * parsers without a tree, so the values read before a malformed part are kept as the tree keeps
 * them; certificates are decoded, as for a caller that wants x509 fields.
 */
function handshakeFacts(b: Uint8Array, start: number, end: number, type: number, facts: TlsFrameFacts): void {
  const c = new Cur(b, start, end);
  try {
    if (type === 1) clientHello(c, null, facts);
    else if (type === 2) serverHello(c, null, facts);
    else certificates(c, null, [], facts);
  } catch (e) {
    if (!(e instanceof Short)) throw e;
  }
}

export function newTlsState(): TlsConversationState {
  // every field present from the start: one object shape, no extra property store
  return {
    version: undefined,
    versionFrame: undefined,
    versionFromHello: undefined,
    accepted: undefined,
    clientDir: undefined,
    ccs: {},
  };
}

export interface TlsContext {
  frame: number;
  /** a stable number for the direction of this segment (e.g. 0 = lower port → higher port) */
  dir: number;
  state: TlsConversationState;
  source?: number;
  /** columns only (no tree wanted): certificates are not decoded, no hex labels are made */
  light?: boolean;
  /** field values only (the engine's fields()): labels are not shown, so no hex previews are made */
  lean?: boolean;
  /** scanTls: collect the frame's fact fields here (the first pass of the diagnosis) */
  facts?: TlsFrameFacts;
}

/** Does the payload start with a plausible TLS (or SSL 3) record header? */
export function looksLikeTls(b: Uint8Array, off: number, end: number): boolean {
  end = Math.min(end, b.length);
  if (off + 5 > end) return false;
  const t = b[off];
  if (t < 20 || t > 24) return false;
  if (b[off + 1] !== 3 || b[off + 2] > 4) return false;
  const len = (b[off + 3] << 8) | b[off + 4];
  if (len === 0 || len > 16384 + 2048) return false;
  if (t === 22 && off + 5 < end) {
    // a handshake record that is not encrypted starts with a known handshake type
    const ht = b[off + 5];
    if (!(ht in HANDSHAKE_TYPES)) return false;
  }
  return true;
}

export type TlsNeed = { kind: 'complete'; length: number } | { kind: 'more'; atLeast: number };

/**
 * How many bytes of b[off, end) form whole records. When the data ends inside a record: if whole
 * records come before it, they are complete (the rest waits); else how many more bytes the first
 * record needs.
 */
export function tlsRecordsNeed(b: Uint8Array, off: number, end: number): TlsNeed {
  const n = tlsRecordsLength(b, off, end);
  return n >= 0 ? { kind: 'complete', length: n } : { kind: 'more', atLeast: -n };
}

/** tlsRecordsNeed as one number (no object on every TLS frame): the length, or -(bytes still needed). */
export function tlsRecordsLength(b: Uint8Array, off: number, end: number): number {
  end = Math.min(end, b.length);
  let p = off;
  while (p < end) {
    if (p + 5 > end) break;
    const len = (b[p + 3] << 8) | b[p + 4];
    if (p + 5 + len > end) break;
    p += 5 + len;
  }
  if (p === end) return end - off;
  if (p > off) return p - off;
  // at least 1: the record (or its header) runs past the end
  return -(p + 5 > end ? 5 - (end - p) : ((b[p + 3] << 8) | b[p + 4]) + 5 - (end - p));
}

class Short extends Error {}

/** A bounded cursor over b[start, end). */
class Cur {
  constructor(
    readonly b: Uint8Array,
    public p: number,
    readonly end: number,
  ) {}
  need(n: number, what: string): void {
    if (n < 0 || this.p + n > this.end)
      throw new Short(`${what} at offset ${this.p} (${n} bytes) runs past the end of its message`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.b[this.p++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.p] << 8) | this.b[this.p + 1];
    this.p += 2;
    return v;
  }
  u24(what: string): number {
    this.need(3, what);
    const v = (this.b[this.p] << 16) | (this.b[this.p + 1] << 8) | this.b[this.p + 2];
    this.p += 3;
    return v;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }
}

function hex(u: Uint8Array): string {
  return Buffer.from(u).toString('hex');
}

export interface TlsDissection {
  node: FieldNode;
  /** Info column parts, in order: "Client Hello (SNI=…)", "Server Hello", "Application Data", … */
  infoParts: string[];
  /** Protocol column: TLSv1.2, TLSv1.3, TLSv1, SSL */
  protocol: string;
  expert: ExpertItem[];
  /** bytes of whole records consumed */
  consumed: number;
}

const MALFORMED = { id: 'malformed', severity: 'error', group: 'malformed' } as const;

/** Wireshark's Info wording per record, joined with ", " by the caller (from parts[from] on). */
export function tlsInfo(parts: string[], from = 0): string {
  if (from === 0) return parts.join(', ');
  let s = parts[from] ?? '';
  for (let i = from + 1; i < parts.length; i++) s += `, ${parts[i]}`;
  return s;
}

/**
 * Dissects the whole records in b[off, end). A trailing partial record is shown as a
 * continuation (the caller normally reassembles first with tlsRecordsNeed).
 */
export function dissectTls(b: Uint8Array, off: number, end: number, ctx: TlsContext): TlsDissection {
  end = Math.min(end, b.length);
  const st = ctx.state;
  const records: FieldNode[] = [];
  const infoParts: string[] = [];
  const expert: ExpertItem[] = [];
  let p = off;
  let recordIndex = 0;
  let firstRecordVersion: number | undefined;
  while (p < end) {
    if (p + 5 > end || !looksLikeRecordHeader(b, p)) {
      // bytes that are not a record header: a continuation or garbage
      records.push({
        label: `Continuation Data`,
        field: 'tls.continuation_data',
        value: b.subarray(p, end),
        offset: p,
        length: end - p,
      });
      if (infoParts.length === 0) infoParts.push('Continuation Data');
      p = end;
      break;
    }
    const type = b[p];
    const recVersion = (b[p + 1] << 8) | b[p + 2];
    const len = (b[p + 3] << 8) | b[p + 4];
    firstRecordVersion ??= recVersion;
    const fragStart = p + 5;
    const fragEnd = Math.min(end, fragStart + len);
    learnVersionFromRecord(st, type, (b[p + 1] << 8) | b[p + 2], ctx.frame);
    const truncated = fragStart + len > end;
    const kids: FieldNode[] = [
      {
        label: `Content Type: ${CONTENT_TYPES[type] ?? 'Unknown'} (${type})`,
        field: 'tls.record.content_type',
        value: type,
        offset: p,
        length: 1,
      },
      {
        label: `Version: ${versionLong(recVersion)}`,
        field: 'tls.record.version',
        value: recVersion,
        offset: p + 1,
        length: 2,
      },
      { label: `Length: ${len}`, field: 'tls.record.length', value: len, offset: p + 3, length: 2 },
    ];
    let recordTitle = CONTENT_TYPES[type] ?? 'Unknown';
    const dirCcs = st.ccs[ctx.dir];
    // TLS 1.3 encrypts inside Application Data records; its ChangeCipherSpec is only for middleboxes
    const afterCcs =
      !isTls13(st, ctx.frame) &&
      dirCcs !== undefined &&
      (dirCcs.frame < ctx.frame || (dirCcs.frame === ctx.frame && dirCcs.record < recordIndex));
    if (type === 22) {
      const encrypted = afterCcs || !plausibleHandshakes(b, fragStart, fragEnd);
      if (encrypted) {
        kids.push({
          label: 'Handshake Protocol: Encrypted Handshake Message',
          field: 'tls.handshake',
          offset: fragStart,
          length: fragEnd - fragStart,
        });
        infoParts.push('Encrypted Handshake Message');
        recordTitle = 'Handshake Protocol: Encrypted Handshake Message';
      } else {
        const names: string[] = [];
        let q = fragStart;
        while (q + 4 <= fragEnd) {
          const r = dissectHandshake(b, q, fragEnd, ctx, expert);
          kids.push(r.node);
          names.push(r.name);
          infoParts.push(r.info);
          q = r.next;
        }
        if (q < fragEnd) {
          kids.push({ label: 'Handshake Protocol: message fragment', offset: q, length: fragEnd - q });
        }
        recordTitle = names.length ? `Handshake Protocol: ${names.join(', ')}` : 'Handshake Protocol';
        if (names.length > 1) recordTitle = 'Handshake Protocol: Multiple Handshake Messages';
      }
    } else if (type === 20) {
      kids.push({
        label: 'Change Cipher Spec Message',
        field: 'tls.change_cipher_spec',
        offset: fragStart,
        length: fragEnd - fragStart,
      });
      infoParts.push('Change Cipher Spec');
      recordTitle = 'Change Cipher Spec Protocol: Change Cipher Spec';
      const prev = st.ccs[ctx.dir];
      if (!prev || prev.frame > ctx.frame || (prev.frame === ctx.frame && prev.record > recordIndex)) {
        st.ccs[ctx.dir] = { frame: ctx.frame, record: recordIndex };
      }
    } else if (type === 21) {
      if (len === 2 && !afterCcs && !truncated) {
        const level = b[fragStart];
        const desc = b[fragStart + 1];
        const levelName = level === 1 ? 'Warning' : level === 2 ? 'Fatal' : `Unknown (${level})`;
        const d = alertDescription(desc);
        kids.push({
          label: `Alert Message`,
          offset: fragStart,
          length: 2,
          children: [
            {
              label: `Level: ${levelName} (${level})`,
              field: 'tls.alert_message.level',
              value: level,
              offset: fragStart,
              length: 1,
            },
            {
              label: `Description: ${d} (${desc})`,
              field: 'tls.alert_message.desc',
              value: desc,
              offset: fragStart + 1,
              length: 1,
            },
          ],
        });
        infoParts.push(`Alert (Level: ${levelName}, Description: ${d})`);
        recordTitle = `Alert (Level: ${levelName}, Description: ${d})`;
        if (level === 2) {
          const e: ExpertItem = {
            id: 'tls.alert.fatal',
            severity: 'warn',
            group: 'response',
            message: `TLS fatal alert: ${d}`,
          };
          expert.push(e);
          kids[kids.length - 1].expert = e;
        }
      } else {
        kids.push({
          label: 'Alert Message: Encrypted Alert',
          field: 'tls.alert_message',
          offset: fragStart,
          length: fragEnd - fragStart,
        });
        infoParts.push('Encrypted Alert');
        recordTitle = 'Encrypted Alert';
      }
    } else if (type === 23) {
      const preview =
        ctx.light || ctx.lean
          ? ''
          : `: ${hex(b.subarray(fragStart, Math.min(fragEnd, fragStart + 24)))}${fragEnd - fragStart > 24 ? '…' : ''}`;
      kids.push({
        label: `Encrypted Application Data${preview}`,
        field: 'tls.app_data',
        value: b.subarray(fragStart, fragEnd),
        offset: fragStart,
        length: fragEnd - fragStart,
      });
      infoParts.push('Application Data');
      recordTitle = 'Application Data Protocol: Application Data';
    } else {
      infoParts.push(CONTENT_TYPES[type] ?? 'Unknown');
    }
    if (truncated) {
      const e: ExpertItem = {
        ...MALFORMED,
        message: `TLS record at offset ${p} announces ${len} bytes but only ${fragEnd - fragStart} are present`,
      };
      expert.push(e);
      kids.push({
        label: `[Malformed Packet: TLS record truncated]`,
        offset: p,
        length: 0,
        generated: true,
        expert: e,
      });
    }
    // as Wireshark's GUI and tshark -2: the negotiated version once the first pass has seen it
    const shown = st.version ?? recVersion;
    records.push({
      label: `${versionShort(shown)} Record Layer: ${recordTitle}`,
      field: 'tls.record',
      offset: p,
      length: fragEnd - p,
      children: kids,
    });
    p = fragEnd;
    recordIndex++;
  }
  const protocol = versionShort(st.version ?? firstRecordVersion);
  const node: FieldNode = {
    label: 'Transport Layer Security',
    field: 'tls',
    offset: off,
    length: p - off,
    children: records,
  };
  if (ctx.source !== undefined) setSource(node, ctx.source);
  return { node, infoParts, protocol, expert, consumed: p - off };
}

/**
 * Without a ServerHello (a handshake failure, a capture that starts mid-connection) Wireshark takes
 * the session version from the first record that is not a handshake; so do we.
 */
function learnVersionFromRecord(
  st: TlsConversationState,
  type: number,
  version: number,
  frame: number,
): void {
  if (st.version !== undefined || type === 22 || !(version in VERSION_SHORT)) return;
  st.version = version;
  st.versionFrame = frame;
}

function isTls13(st: TlsConversationState, frame: number): boolean {
  return st.version === 0x0304 && st.versionFrame !== undefined && st.versionFrame <= frame;
}

function looksLikeRecordHeader(b: Uint8Array, p: number): boolean {
  const t = b[p];
  return t >= 20 && t <= 24 && b[p + 1] === 3 && b[p + 2] <= 4;
}

/** Do the handshake headers in a fragment chain up exactly? Encrypted ones almost never do. */
function plausibleHandshakes(b: Uint8Array, start: number, end: number): boolean {
  let q = start;
  let n = 0;
  while (q < end) {
    if (q + 4 > end) return n > 0;
    const t = b[q];
    const l = (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3];
    if (!(t in HANDSHAKE_TYPES)) return false;
    q += 4 + l;
    n++;
    // a message longer than its record continues in the next record: fine for the first/last one
    if (q > end) return true;
  }
  return true;
}

function setSource(n: FieldNode, s: number): void {
  n.source = s;
  for (const c of n.children ?? []) setSource(c, s);
}

interface HandshakeResult {
  node: FieldNode;
  name: string;
  info: string;
  next: number;
}

function dissectHandshake(
  b: Uint8Array,
  q: number,
  fragEnd: number,
  ctx: TlsContext,
  expert: ExpertItem[],
): HandshakeResult {
  const type = b[q];
  const len = (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3];
  const bodyStart = q + 4;
  const bodyEnd = Math.min(fragEnd, bodyStart + len);
  let name = handshakeTypeName(type);
  const kids: FieldNode[] = [
    {
      label: `Handshake Type: ${name} (${type})`,
      field: 'tls.handshake.type',
      value: type,
      offset: q,
      length: 1,
    },
    { label: `Length: ${len}`, field: 'tls.handshake.length', value: len, offset: q + 1, length: 3 },
  ];
  let info = name;
  const c = new Cur(b, bodyStart, bodyEnd);
  try {
    if (bodyStart + len > fragEnd)
      throw new Short(`handshake message at offset ${q} (${len} bytes) runs past the end of its record`);
    switch (type) {
      case 1: {
        if (ctx.state.clientDir === undefined) ctx.state.clientDir = ctx.dir;
        const sni = clientHello(c, kids);
        if (sni) info = `Client Hello (SNI=${sni})`;
        break;
      }
      case 2: {
        const r = serverHello(c, kids);
        if (r.hrr) {
          name = 'Hello Retry Request';
          info = name;
          kids[0].label = `Handshake Type: Server Hello (2)`;
        }
        if (
          !ctx.state.versionFromHello ||
          ctx.state.versionFrame === undefined ||
          ctx.state.versionFrame >= ctx.frame
        ) {
          ctx.state.versionFromHello = true;
          ctx.state.version = r.version;
          ctx.state.versionFrame = ctx.frame;
        }
        break;
      }
      case 11:
        // TLS 1.3 certificates are encrypted and never reach here in the clear
        if (!ctx.light) certificates(c, kids, expert);
        break;
      case 16:
        kids.push({ label: `Client Key Exchange data (${len} bytes)`, offset: bodyStart, length: len });
        break;
      case 12:
        kids.push({ label: `Server Key Exchange data (${len} bytes)`, offset: bodyStart, length: len });
        break;
      case 4: {
        const lifetime =
          c.p + 4 <= bodyEnd
            ? ((b[c.p] << 24) | (b[c.p + 1] << 16) | (b[c.p + 2] << 8) | b[c.p + 3]) >>> 0
            : 0;
        kids.push({
          label: `TLS Session Ticket Lifetime Hint: ${lifetime} seconds`,
          field: 'tls.handshake.session_ticket_lifetime_hint',
          value: lifetime,
          offset: bodyStart,
          length: 4,
        });
        break;
      }
      default:
        break;
    }
  } catch (e) {
    if (!(e instanceof Short)) throw e;
    const ex: ExpertItem = { ...MALFORMED, message: `Malformed TLS ${name}: ${e.message}` };
    expert.push(ex);
    kids.push({
      label: `[Malformed Packet: TLS ${name}]`,
      offset: q,
      length: 0,
      generated: true,
      expert: ex,
    });
  }
  return {
    node: {
      label: `Handshake Protocol: ${name}`,
      field: 'tls.handshake',
      offset: q,
      length: bodyEnd - q,
      children: kids,
    },
    name,
    info,
    next: bodyStart + len,
  };
}

function helloCommon(c: Cur, kids: FieldNode[] | null, facts?: TlsFrameFacts): void {
  const v = c.u16('version');
  if (facts && facts.helloVersion === undefined) facts.helloVersion = v;
  kids?.push({
    label: `Version: ${versionLong(v)}`,
    field: 'tls.handshake.version',
    value: v,
    offset: c.p - 2,
    length: 2,
  });
  const random = c.bytes(32, 'random');
  kids?.push({
    label: `Random: ${hex(random)}`,
    field: 'tls.handshake.random',
    value: random,
    offset: c.p - 32,
    length: 32,
  });
  const sidLen = c.u8('session id length');
  kids?.push({
    label: `Session ID Length: ${sidLen}`,
    field: 'tls.handshake.session_id_length',
    value: sidLen,
    offset: c.p - 1,
    length: 1,
  });
  if (sidLen) {
    const sid = c.bytes(sidLen, 'session id');
    kids?.push({
      label: `Session ID: ${hex(sid)}`,
      field: 'tls.handshake.session_id',
      value: sid,
      offset: c.p - sidLen,
      length: sidLen,
    });
  }
}

function clientHello(c: Cur, kids: FieldNode[] | null, facts?: TlsFrameFacts): string | undefined {
  helloCommon(c, kids, facts);
  const csLen = c.u16('cipher suites length');
  kids?.push({
    label: `Cipher Suites Length: ${csLen}`,
    field: 'tls.handshake.cipher_suites_length',
    value: csLen,
    offset: c.p - 2,
    length: 2,
  });
  c.need(csLen, 'cipher suites');
  if (kids) {
    const suites: FieldNode[] = [];
    for (let i = 0; i + 1 < csLen; i += 2) {
      const v = (c.b[c.p + i] << 8) | c.b[c.p + i + 1];
      suites.push({
        label: `Cipher Suite: ${cipherSuiteName(v)} (${hex4(v)})`,
        field: 'tls.handshake.ciphersuite',
        value: v,
        offset: c.p + i,
        length: 2,
      });
    }
    kids.push({
      label: `Cipher Suites (${suites.length} suite${suites.length === 1 ? '' : 's'})`,
      offset: c.p,
      length: csLen,
      children: suites,
    });
  }
  c.p += csLen;
  const cmLen = c.u8('compression methods length');
  kids?.push({
    label: `Compression Methods Length: ${cmLen}`,
    field: 'tls.handshake.comp_methods_length',
    value: cmLen,
    offset: c.p - 1,
    length: 1,
  });
  c.need(cmLen, 'compression methods');
  kids?.push({
    label: `Compression Methods (${cmLen} method${cmLen === 1 ? '' : 's'})`,
    offset: c.p,
    length: cmLen,
  });
  c.p += cmLen;
  if (c.p >= c.end) return undefined;
  return extensions(c, kids, 'client', facts).sni;
}

function serverHello(
  c: Cur,
  kids: FieldNode[] | null,
  facts?: TlsFrameFacts,
): { version: number; hrr: boolean } {
  const vAt = c.p;
  helloCommon(c, kids, facts);
  const legacy = (c.b[vAt] << 8) | c.b[vAt + 1];
  let hrr = vAt + 34 <= c.b.length;
  for (let i = 0; hrr && i < 32; i++) hrr = c.b[vAt + 2 + i] === HRR_RANDOM[i];
  const suite = c.u16('cipher suite');
  kids?.push({
    label: `Cipher Suite: ${cipherSuiteName(suite)} (${hex4(suite)})`,
    field: 'tls.handshake.ciphersuite',
    value: suite,
    offset: c.p - 2,
    length: 2,
  });
  const comp = c.u8('compression method');
  kids?.push({
    label: `Compression Method: ${comp === 0 ? 'null' : 'Unknown'} (${comp})`,
    field: 'tls.handshake.comp_method',
    value: comp,
    offset: c.p - 1,
    length: 1,
  });
  let version = legacy;
  if (c.p < c.end) {
    const r = extensions(c, kids, 'server', facts);
    if (r.selectedVersion !== undefined) version = r.selectedVersion;
  }
  return { version, hrr };
}

function extensions(
  c: Cur,
  kids: FieldNode[] | null,
  side: 'client' | 'server',
  facts?: TlsFrameFacts,
): { sni?: string; selectedVersion?: number } {
  const total = c.u16('extensions length');
  kids?.push({
    label: `Extensions Length: ${total}`,
    field: 'tls.handshake.extensions_length',
    value: total,
    offset: c.p - 2,
    length: 2,
  });
  c.need(total, 'extensions');
  const end = c.p + total;
  const out: { sni?: string; selectedVersion?: number } = {};
  while (c.p + 4 <= end) {
    const at = c.p;
    const type = c.u16('extension type');
    const len = c.u16('extension length');
    if (c.p + len > end) throw new Short(`extension at offset ${at} (${len} bytes) runs past the extensions`);
    const name = isGrease(type) ? 'Reserved (GREASE)' : (EXTENSIONS[type] ?? 'Unknown type');
    // without a tree (rows, the first pass) only the values that matter are read
    const ek: FieldNode[] | null = kids
      ? [
          {
            label: `Type: ${name} (${type})`,
            field: 'tls.handshake.extension.type',
            value: type,
            offset: at,
            length: 2,
          },
          {
            label: `Length: ${len}`,
            field: 'tls.handshake.extension.len',
            value: len,
            offset: at + 2,
            length: 2,
          },
        ]
      : null;
    const e = new Cur(c.b, c.p, c.p + len);
    // an extension's values count once it is read whole (the tree drops a broken one)
    let sni: string | undefined;
    let version: number | undefined;
    try {
      if (type === 0 && len > 0) {
        const listLen = e.u16('server name list length');
        const sk: FieldNode[] | null = ek
          ? [
              {
                label: `Server Name list length: ${listLen}`,
                field: 'tls.handshake.extensions_server_name_list_len',
                value: listLen,
                offset: e.p - 2,
                length: 2,
              },
            ]
          : null;
        while (e.p + 3 <= e.end) {
          const nt = e.u8('server name type');
          sk?.push({
            label: `Server Name Type: ${nt === 0 ? 'host_name' : 'Unknown'} (${nt})`,
            field: 'tls.handshake.extensions_server_name_type',
            value: nt,
            offset: e.p - 1,
            length: 1,
          });
          const nl = e.u16('server name length');
          sk?.push({
            label: `Server Name length: ${nl}`,
            field: 'tls.handshake.extensions_server_name_len',
            value: nl,
            offset: e.p - 2,
            length: 2,
          });
          const nb = e.bytes(nl, 'server name');
          const sn = Buffer.from(nb).toString('latin1');
          sk?.push({
            label: `Server Name: ${sn}`,
            field: 'tls.handshake.extensions_server_name',
            value: sn,
            offset: e.p - nl,
            length: nl,
          });
          sni ??= sn;
          if (nt === 0 && out.sni === undefined) out.sni = sn;
        }
        if (sk)
          ek?.push({ label: 'Server Name Indication extension', offset: at + 4, length: len, children: sk });
      } else if (type === 16 && len > 0) {
        const listLen = e.u16('ALPN extension length');
        const ak: FieldNode[] = [];
        while (e.p < e.end) {
          const l = e.u8('ALPN string length');
          const bytes = e.bytes(l, 'ALPN protocol');
          if (!ek) continue;
          const s = Buffer.from(bytes).toString('latin1');
          ak.push({
            label: `ALPN string length: ${l}`,
            field: 'tls.handshake.extensions_alpn_str_len',
            value: l,
            offset: e.p - l - 1,
            length: 1,
          });
          ak.push({
            label: `ALPN Next Protocol: ${s}`,
            field: 'tls.handshake.extensions_alpn_str',
            value: s,
            offset: e.p - l,
            length: l,
          });
        }
        ek?.push({
          label: `ALPN Extension Length: ${listLen}`,
          field: 'tls.handshake.extensions_alpn_len',
          value: listLen,
          offset: at + 4,
          length: 2,
        });
        ek?.push({ label: 'ALPN Protocol', offset: at + 6, length: len - 2, children: ak });
      } else if (type === 43 && len > 0) {
        if (side === 'client') {
          const l = e.u8('supported versions length');
          ek?.push({
            label: `Supported Versions length: ${l}`,
            field: 'tls.handshake.extensions.supported_versions_len',
            value: l,
            offset: at + 4,
            length: 1,
          });
          while (e.p + 2 <= e.end) {
            const v = e.u16('supported version');
            version ??= v;
            ek?.push({
              label: `Supported Version: ${versionLong(v)}`,
              field: 'tls.handshake.extensions.supported_version',
              value: v,
              offset: e.p - 2,
              length: 2,
            });
          }
        } else {
          const v = e.u16('selected version');
          version ??= v;
          ek?.push({
            label: `Supported Version: ${versionLong(v)}`,
            field: 'tls.handshake.extensions.supported_version',
            value: v,
            offset: e.p - 2,
            length: 2,
          });
          out.selectedVersion = v;
        }
      }
    } catch (err) {
      if (!(err instanceof Short)) throw err;
      throw new Short(`extension ${name}: ${err.message}`);
    }
    if (facts) {
      if (facts.sni === undefined) facts.sni = sni;
      if (facts.supportedVersion === undefined) facts.supportedVersion = version;
    }
    if (ek)
      kids?.push({ label: `Extension: ${name} (len=${len})`, offset: at, length: 4 + len, children: ek });
    c.p = at + 4 + len;
  }
  c.p = end;
  return out;
}

function certificates(c: Cur, kids: FieldNode[] | null, expert: ExpertItem[], facts?: TlsFrameFacts): void {
  const total = c.u24('certificates length');
  kids?.push({
    label: `Certificates Length: ${total}`,
    field: 'tls.handshake.certificates_length',
    value: total,
    offset: c.p - 3,
    length: 3,
  });
  c.need(total, 'certificates');
  const end = c.p + total;
  const certs: FieldNode[] = [];
  // the certificates' names count once the list is read whole (the tree drops a broken list)
  const names: CertificateSummary[] = [];
  while (c.p + 3 <= end) {
    const l = c.u24('certificate length');
    if (kids)
      certs.push({
        label: `Certificate Length: ${l}`,
        field: 'tls.handshake.certificate_length',
        value: l,
        offset: c.p - 3,
        length: 3,
      });
    if (c.p + l > end)
      throw new Short(`certificate at offset ${c.p} (${l} bytes) runs past the certificate list`);
    const der = c.bytes(l, 'certificate');
    if (kids) certs.push(certificateNode(der, c.p - l, expert));
    else if (facts) {
      // the issuer and subject certificateNode shows (none for a certificate it cannot decode)
      let s: CertificateSummary | undefined;
      try {
        s = cachedCertificate(der).summary;
      } catch {
        s = undefined;
      }
      if (s) names.push(s);
    }
  }
  if (facts)
    for (const s of names) {
      facts.certIssuers.push(s.issuer);
      facts.certSubjects.push(s.subject);
    }
  kids?.push({ label: `Certificates (${total} bytes)`, offset: end - total, length: total, children: certs });
  c.p = end;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  dnsNames: string[];
  selfSigned: boolean;
}

const SHORT_ATTR: Record<string, string> = {
  commonName: 'CN',
  organizationName: 'O',
  organizationalUnitName: 'OU',
  countryName: 'C',
  stateOrProvinceName: 'ST',
  localityName: 'L',
  emailAddress: 'emailAddress',
};

/**
 * Decoded certificates by DER content: a capture repeats the same few certificates (every
 * handshake with one server), and decoding is the costliest step of a TLS dissection. Entries
 * are never mutated by callers; the cache is emptied when full.
 */
const certCache = new Map<
  string,
  { der: Uint8Array; summary: CertificateSummary; layout?: CertificateLayout }[]
>();
const CERT_CACHE_MAX = 256;

function derKey(der: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < der.length; i++) h = Math.imul(h ^ der[i], 0x01000193);
  return `${der.length}:${h >>> 0}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cachedCertificate(der: Uint8Array): {
  der: Uint8Array;
  summary: CertificateSummary;
  layout?: CertificateLayout;
} {
  const key = derKey(der);
  const bucket = certCache.get(key);
  const hit = bucket?.find((e) => sameBytes(e.der, der));
  if (hit) return hit;
  const summary = decodeCertificate(der);
  if (certCache.size >= CERT_CACHE_MAX) certCache.clear();
  const entry = { der: der.slice(), summary };
  const again = certCache.get(key);
  if (again) again.push(entry);
  else certCache.set(key, [entry]);
  return entry;
}

/** Decodes a DER certificate (cached by content; throws as decodeCertificate does). */
export function parseCertificate(der: Uint8Array): CertificateSummary {
  return cachedCertificate(der).summary;
}

/** Decodes a DER certificate: node-forge first, node:crypto for keys forge cannot read. */
function decodeCertificate(der: Uint8Array): CertificateSummary {
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
    const cert = forge.pki.certificateFromAsn1(asn1);
    const dn = (attrs: forge.pki.CertificateField[]): string =>
      attrs.map((a) => `${SHORT_ATTR[a.name ?? ''] ?? a.shortName ?? a.type}=${String(a.value)}`).join(', ');
    const san = cert.getExtension('subjectAltName') as {
      altNames?: { type: number; value: string }[];
    } | null;
    return {
      subject: dn(cert.subject.attributes),
      issuer: dn(cert.issuer.attributes),
      notBefore: cert.validity.notBefore.toISOString(),
      notAfter: cert.validity.notAfter.toISOString(),
      serialNumber: cert.serialNumber,
      dnsNames: (san?.altNames ?? []).filter((n) => n.type === 2).map((n) => n.value),
      selfSigned: cert.isIssuer(cert),
    };
  } catch {
    const x = new X509Certificate(Buffer.from(der));
    const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');
    return {
      subject: dn(x.subject),
      issuer: dn(x.issuer),
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      serialNumber: x.serialNumber.toLowerCase(),
      dnsNames: (x.subjectAltName ?? '')
        .split(', ')
        .filter((s) => s.startsWith('DNS:'))
        .map((s) => s.slice(4)),
      selfSigned: x.subject === x.issuer,
    };
  }
}

interface DerSpan {
  off: number;
  len: number;
}

/** Byte spans of a certificate's parts, for the hex view (a minimal DER walk, bounds-checked). */
export interface CertificateLayout {
  serial?: DerSpan;
  issuer?: DerSpan;
  validity?: DerSpan;
  notBefore?: DerSpan;
  notAfter?: DerSpan;
  subject?: DerSpan;
  san?: DerSpan;
  dnsNames: DerSpan[];
}

/** One DER TLV at p: content start and end, or null when it does not fit before `end`. */
function tlv(b: Uint8Array, p: number, end: number): { tag: number; start: number; end: number } | null {
  if (p + 2 > end) return null;
  const tag = b[p];
  let len = b[p + 1];
  let start = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > end) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > end) return null;
  return { tag, start, end: start + len };
}

const SAN_OID = [0x55, 0x1d, 0x11];

export function certificateLayout(der: Uint8Array): CertificateLayout {
  const out: CertificateLayout = { dnsNames: [] };
  const cert = tlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) return out;
  const tbs = tlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return out;
  const parts: { tag: number; off: number; start: number; end: number }[] = [];
  for (let p = tbs.start; p < tbs.end && parts.length < 12;) {
    const t = tlv(der, p, tbs.end);
    if (!t) break;
    parts.push({ ...t, off: p });
    p = t.end;
  }
  let i = parts[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const span = (x: { off: number; end: number } | undefined): DerSpan | undefined =>
    x ? { off: x.off, len: x.end - x.off } : undefined;
  out.serial = span(parts[i]);
  i += 2; // serial, signature algorithm
  out.issuer = span(parts[i++]);
  const validity = parts[i++];
  out.validity = span(validity);
  if (validity) {
    const nb = tlv(der, validity.start, validity.end);
    if (nb) {
      out.notBefore = { off: validity.start, len: nb.end - validity.start };
      const na = tlv(der, nb.end, validity.end);
      if (na) out.notAfter = { off: nb.end, len: na.end - nb.end };
    }
  }
  out.subject = span(parts[i]);
  const ext = parts.find((x) => x.tag === 0xa3);
  const exts = ext ? tlv(der, ext.start, ext.end) : null;
  for (let p = exts?.start ?? 0; exts && p < exts.end;) {
    const e = tlv(der, p, exts.end);
    if (!e) break;
    const oid = tlv(der, e.start, e.end);
    if (
      oid &&
      oid.tag === 0x06 &&
      oid.end - oid.start === 3 &&
      SAN_OID.every((v, k) => der[oid.start + k] === v)
    ) {
      out.san = { off: p, len: e.end - p };
      let q = oid.end;
      let octets = tlv(der, q, e.end);
      if (octets && octets.tag === 0x01) {
        q = octets.end; // critical flag
        octets = tlv(der, q, e.end);
      }
      const names = octets && octets.tag === 0x04 ? tlv(der, octets.start, octets.end) : null;
      for (let r = names?.start ?? 0; names && r < names.end;) {
        const g = tlv(der, r, names.end);
        if (!g) break;
        if (g.tag === 0x82) out.dnsNames.push({ off: g.start, len: g.end - g.start });
        r = g.end;
      }
    }
    p = e.end;
  }
  return out;
}

function certificateNode(der: Uint8Array, at: number, expert: ExpertItem[]): FieldNode {
  let s: CertificateSummary;
  let cached: ReturnType<typeof cachedCertificate>;
  try {
    cached = cachedCertificate(der);
    s = cached.summary;
  } catch (e) {
    const ex: ExpertItem = {
      ...MALFORMED,
      message: `Certificate at offset ${at} could not be decoded: ${(e as Error).message}`,
    };
    expert.push(ex);
    return {
      label: `Certificate: ${der.length} bytes (undecodable)`,
      field: 'tls.handshake.certificate',
      value: der,
      offset: at,
      length: der.length,
      expert: ex,
    };
  }
  const lay = (cached.layout ??= certificateLayout(der));
  // where a part sits in the packet; the whole certificate when the DER walk could not find it
  const pos = (x: DerSpan | undefined) =>
    x ? { offset: at + x.off, length: x.len } : { offset: at, length: der.length };
  const sanNode = (n: string, k: number): FieldNode => {
    const sp = lay.dnsNames.length === s.dnsNames.length ? lay.dnsNames[k] : undefined;
    return { label: `dNSName: ${n}`, field: 'x509ce.dNSName', value: n, ...pos(sp) };
  };
  // issuer and subject: the name, and under it its RDN sequence (tshark's x509if.rdnSequence)
  const rdnNode = (
    name: 'issuer' | 'subject',
    value: string,
    at: { offset: number; length: number },
  ): FieldNode => ({
    label: `${name}: rdnSequence (0)`,
    field: `x509af.${name}`,
    value,
    ...at,
    children: [{ label: `rdnSequence: ${value}`, field: 'x509if.rdnSequence', value, ...at }],
  });
  const kids: FieldNode[] = [
    {
      label: `serialNumber: 0x${s.serialNumber}`,
      field: 'x509af.serialNumber',
      value: s.serialNumber,
      ...pos(lay.serial),
    },
    rdnNode('issuer', s.issuer, pos(lay.issuer)),
    {
      label: 'validity',
      ...pos(lay.validity),
      children: [
        {
          label: `notBefore: ${s.notBefore}`,
          field: 'x509af.notBefore',
          value: s.notBefore,
          ...pos(lay.notBefore),
        },
        {
          label: `notAfter: ${s.notAfter}`,
          field: 'x509af.notAfter',
          value: s.notAfter,
          ...pos(lay.notAfter),
        },
      ],
    },
    rdnNode('subject', s.subject, pos(lay.subject)),
  ];
  if (s.dnsNames.length) {
    kids.push({
      label: `Extension (id-ce-subjectAltName): ${s.dnsNames.length} item${s.dnsNames.length === 1 ? '' : 's'}`,
      ...pos(lay.san),
      children: s.dnsNames.map(sanNode),
    });
  }
  if (s.selfSigned) kids.push({ label: '[Self-signed certificate]', offset: at, length: 0, generated: true });
  return {
    label: `Certificate: ${hex(der.subarray(0, 8))}… (${s.subject})`,
    field: 'tls.handshake.certificate',
    value: der,
    offset: at,
    length: der.length,
    children: kids,
  };
}

export interface TlsScan {
  /** worst problem: 0 none, 3 a fatal alert (warn), 4 malformed (error) */
  severity: number;
  /** bytes of whole records */
  consumed: number;
  /** Protocol column (as dissectTls) */
  protocol: string;
}

/**
 * The fast walk: updates the conversation state (ClientHello direction, ServerHello version,
 * ChangeCipherSpec) exactly as dissectTls does, but builds no tree and no certificates. With `info`
 * it also appends the Info column parts dissectTls would give (for rows without a tree); with
 * ctx.facts, the fact fields (TlsFrameFacts). The result is written into `out` (a caller may reuse one).
 */
export function scanTls(
  b: Uint8Array,
  off: number,
  end: number,
  ctx: TlsContext,
  info?: string[],
  out: TlsScan = { severity: 0, consumed: 0, protocol: '' },
): TlsScan {
  end = Math.min(end, b.length);
  const st = ctx.state;
  let p = off;
  let severity = 0;
  let recordIndex = 0;
  let firstRecordVersion: number | undefined;
  // (a frame may be walked in several calls: a reassembled record, then the records after it)
  const facts = ctx.facts;
  // the Info parts are appended after what `info` holds already
  const infoStart = info ? info.length : 0;
  while (p + 5 <= end && looksLikeRecordHeader(b, p)) {
    const type = b[p];
    const recVersion = (b[p + 1] << 8) | b[p + 2];
    firstRecordVersion ??= recVersion;
    const len = (b[p + 3] << 8) | b[p + 4];
    const fragStart = p + 5;
    const fragEnd = Math.min(end, fragStart + len);
    learnVersionFromRecord(st, type, recVersion, ctx.frame);
    const truncated = fragStart + len > end;
    if (truncated) severity = 4;
    if (facts && !facts.contentTypes.includes(type)) facts.contentTypes.push(type);
    const dirCcs = st.ccs[ctx.dir];
    // TLS 1.3 encrypts inside Application Data records; its ChangeCipherSpec is only for middleboxes
    const afterCcs =
      !isTls13(st, ctx.frame) &&
      dirCcs !== undefined &&
      (dirCcs.frame < ctx.frame || (dirCcs.frame === ctx.frame && dirCcs.record < recordIndex));
    if (type === 22) {
      if (afterCcs || !plausibleHandshakes(b, fragStart, fragEnd)) info?.push('Encrypted Handshake Message');
      else {
        let q = fragStart;
        while (q + 4 <= fragEnd) {
          const ht = b[q];
          const hl = (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3];
          const overrun = q + 4 + hl > fragEnd;
          if (info) info.push(helloInfo(b, q, fragEnd, ht, overrun));
          facts?.handshakeTypes.push(ht);
          if (overrun) {
            severity = 4;
            break;
          }
          if (ht === 1 && st.clientDir === undefined) st.clientDir = ctx.dir;
          if (ht === 2) {
            const v = serverHelloVersion(b, q + 4, q + 4 + hl);
            if (v < 0) severity = 4;
            else if (!st.versionFromHello || st.versionFrame === undefined || st.versionFrame >= ctx.frame) {
              st.versionFromHello = true;
              st.version = v;
              st.versionFrame = ctx.frame;
            }
          }
          if (facts && (ht === 1 || ht === 2 || ht === 11)) handshakeFacts(b, q + 4, q + 4 + hl, ht, facts);
          q += 4 + hl;
        }
      }
    } else if (type === 20) {
      info?.push('Change Cipher Spec');
      const prev = st.ccs[ctx.dir];
      if (!prev || prev.frame > ctx.frame || (prev.frame === ctx.frame && prev.record > recordIndex)) {
        st.ccs[ctx.dir] = { frame: ctx.frame, record: recordIndex };
      }
    } else if (type === 21) {
      if (len === 2 && !afterCcs && !truncated) {
        const level = b[fragStart];
        if (level === 2) severity = Math.max(severity, 3);
        if (facts && facts.alertLevel < 0) {
          facts.alertLevel = level;
          facts.alertDesc = b[fragStart + 1];
        }
        if (info) {
          const levelName = level === 1 ? 'Warning' : level === 2 ? 'Fatal' : `Unknown (${level})`;
          info.push(`Alert (Level: ${levelName}, Description: ${alertDescription(b[fragStart + 1])})`);
        }
      } else info?.push('Encrypted Alert');
    } else if (type === 23) info?.push('Application Data');
    else info?.push(CONTENT_TYPES[type] ?? 'Unknown');
    p = fragEnd;
    recordIndex++;
  }
  if (info && p < end && info.length === infoStart) info.push('Continuation Data');
  out.severity = severity;
  out.consumed = p - off;
  out.protocol = versionShort(st.version ?? firstRecordVersion);
  return out;
}

/** Info text of one handshake message; hellos are parsed as dissectTls does (SNI, retry request). */
function helloInfo(b: Uint8Array, q: number, fragEnd: number, ht: number, overrun: boolean): string {
  const name = handshakeTypeName(ht);
  if (overrun || (ht !== 1 && ht !== 2)) return name;
  const hl = (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3];
  const c = new Cur(b, q + 4, q + 4 + hl);
  try {
    if (ht === 1) {
      const sni = clientHello(c, null);
      return sni ? `Client Hello (SNI=${sni})` : name;
    }
    return serverHello(c, null).hrr ? 'Hello Retry Request' : name;
  } catch (e) {
    if (!(e instanceof Short)) throw e;
    return name;
  }
}

/** The version a ServerHello body selects (supported_versions wins), or -1 when it is malformed. */
function serverHelloVersion(b: Uint8Array, start: number, end: number): number {
  try {
    // the same parser as the tree, so both agree on what is malformed
    return serverHello(new Cur(b, start, end), null).version;
  } catch (e) {
    if (!(e instanceof Short)) throw e;
    return -1;
  }
}
