// The per-packet context every dissector receives (Wireshark's pinfo + tvb + proto_tree helpers).
// One PacketContext per engine is reused for every packet: the fast path allocates nothing here.
//
// Modes:
//   FAST    (index()): no tree, no strings. Modules update conversation state, protocol ids,
//           analysis flags and severity only.
//   SUMMARY (summary()): columns (src, dst, protocol, info) but no tree.
//   FULL    (dissect()): columns, the field tree with byte offsets, field values for filters.
//   FULL + fieldsOnly (fields()): the field values of FULL, no columns and no tree: modules get a
//           sink array as `tree` (so their `if (tree)` branches record the same values), and
//           add()/addTree()/protoTree() record values and hand back one reused scratch node
//           instead of building FieldNode objects.
// `ctx.firstPass` is true only inside index(): the one place where conversation state changes and
// per-frame results are recorded (setFrameData). Random-access dissections read them back.

import type { ExpertItem, ExpertSeverity, FieldNode, FieldSource, FieldValue } from './types.js';
import type { ExpertDef, ProtocolModule, Registry } from './registry.js';
import type { RawPacket } from '../pcap/types.js';
import type { Conversation } from '../tcp/conversations.js';

/**
 * A tree line's text, or a function that makes it: hot paths pass a function so that fields()
 * (which shows no labels) never builds the string. dissect() calls it at once.
 */
export type Label = string | (() => string);

/** Where a deferred Info text is written (a listing's output bytes, or a string). */
export interface InfoSink {
  text(s: string): void;
  /** a non-negative integer in decimal */
  uint(v: number): void;
  /** a fixed piece of text (infoPiece()): a byte sink copies its bytes */
  piece(p: InfoPiece): void;
}

/** A fixed piece of Info text with its UTF-8 bytes, made once. */
export interface InfoPiece {
  readonly text: string;
  readonly bytes: Uint8Array;
}

export function infoPiece(text: string): InfoPiece {
  return { text, bytes: new TextEncoder().encode(text) };
}

/**
 * An Info text kept as values and built only when read (TCP's: on most segments a payload
 * dissector replaces it, and a listing can write it straight as bytes with ctx.writeInfo).
 * A module's object is reused: it describes the packet being dissected only.
 */
export interface DeferredInfo {
  text(): string;
  writeTo(out: InfoSink): void;
}

export const MODE_FAST = 0;
export const MODE_SUMMARY = 1;
export const MODE_FULL = 2;

/** Severity as a small integer (FastInfo.severity): 0 none, 1 chat, 2 note, 3 warn, 4 error. */
export const SEVERITY_RANK: Record<ExpertSeverity, number> = { chat: 1, note: 2, warn: 3, error: 4 };
export const SEVERITY_BY_RANK: (ExpertSeverity | undefined)[] = [undefined, 'chat', 'note', 'warn', 'error'];

/** Thrown by ctx.need() when a read would pass the end of the data; caught by ctx.call(). */
export class Truncated extends Error {
  constructor(readonly at: number) {
    super('truncated');
  }
}

/** Desegmentation request value: "one more segment, length unknown" (Wireshark's DESEGMENT_ONE_MORE_SEGMENT). */
export const DESEGMENT_ONE_MORE_SEGMENT = 0x0fffffff;
/** Desegmentation request value: "until the connection closes". Treated as one more segment at a time. */
export const DESEGMENT_UNTIL_FIN = 0x0ffffffe;

/** The hooks the engine gives its context (conversation lookup, per-frame data). */
export interface EngineHooks {
  lookupConversation(ctx: PacketContext, transport: number): Conversation | null;
  restartConversation(ctx: PacketContext, transport: number): Conversation;
  frameData(proto: string, no: number): unknown;
  setFrameData(proto: string, no: number, value: unknown): void;
  /** bytes of an earlier frame, for reassembly on random access (undefined when unavailable) */
  fetchFrame(no: number): RawPacket | undefined;
}

const TRUNCATED: ExpertDef = {
  id: 'frame.truncated',
  severity: 'note',
  group: 'malformed',
  message: 'Packet size limited during capture',
};

const MALFORMED: ExpertDef = {
  id: 'malformed',
  severity: 'error',
  group: 'malformed',
  message: 'Malformed Packet (Exception occurred)',
};

export class PacketContext {
  mode = MODE_FAST;
  firstPass = false;
  /** keep reassembled PDU bytes in memory (no fetchFrame to re-read earlier frames) */
  retainReassembled = true;
  /** columns are wanted (mode >= SUMMARY): build Info/Src/Dst strings only when true */
  cols = false;
  /** FULL mode for field values only (fields()): `tree` is the SINK, no node objects are kept */
  fieldsOnly = false;
  /** fields() whose caller wants no certificate field: TLS skips decoding certificates */
  skipCertificates = false;
  /** fields() with a wanted set: record() keeps only these fields (null = all) */
  wanted: ReadonlySet<string> | null = null;
  /**
   * The tree fields() passes to modules: add() pushes the scratch node into it (modules may read
   * `tree[tree.length - 1]`), so it is emptied for every packet. Its contents mean nothing.
   */
  readonly sink: FieldNode[] = [];
  private readonly scratch: FieldNode = { label: '', offset: 0, length: 0, children: this.sink };

  no = 0;
  raw!: RawPacket;
  /** the frame's bytes */
  frame: Uint8Array = new Uint8Array(0);
  /** bytes being dissected now: the frame, or a reassembled buffer (see `source`) */
  data: Uint8Array = new Uint8Array(0);
  /** 0 = the frame; n > 0 = extraSources[n-1] */
  source = 0;
  /** seconds since the first packet of the capture */
  relTime = 0;

  // --- network / transport addressing (set by ip/ipv6 and tcp/udp; not by quoted headers) ---
  /** 0 = no network layer yet, 4 = IPv4, 6 = IPv6 */
  net = 0;
  netLen = 0;
  readonly netSrc = new Uint8Array(16);
  readonly netDst = new Uint8Array(16);
  ipProto = -1;
  /** TTL / hop limit of the outer IP header */
  ipTtl = 0;
  /** transport length the IP header declares (may exceed the captured bytes); -1 unknown */
  ipPayloadLen = -1;
  srcPort = 0;
  dstPort = 0;
  /** >0 while dissecting a header quoted inside an ICMP error (no state, no columns) */
  inError = 0;

  // --- fast results ---
  topProto = 0;
  protoMask = 0;
  /** analysis flag bits (tcp/analysis.ts TCP_A_*, plus FLAG_* below) */
  flags = 0;
  /** TCP header flags of the (outer) TCP segment, 0 if none */
  tcpFlags = 0;
  /** raw sequence/acknowledgement numbers, raw window and payload length (per the IP header) of the outer TCP segment; 0 if none */
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  tcpLen = 0;
  /** MSS option of a SYN in the first pass, -1 if none */
  tcpMss = -1;
  severity = 0;
  conv: Conversation | null = null;
  /** 0 = sent by the conversation's endpoint A (first seen sender), 1 = the other way */
  dir = 0;

  // --- columns (cols) ---
  colSrc = '';
  colDst = '';
  colProtocol: string | null = null;
  private infoFence = '';
  private infoBody = '';
  /** the Info body while it is still deferred (infoBody is empty then) */
  private infoDeferred: DeferredInfo | null = null;

  // --- full mode ---
  protocols: string[] = [];
  fieldValues = new Map<string, FieldValue[]>();
  expertItems: ExpertItem[] = [];
  extraSources: { label: string; bytes: Uint8Array }[] = [];

  // --- desegmentation requests from payload dissectors (see tcp.ts) ---
  /** offset (in ctx.data) where the incomplete PDU starts */
  desegmentOffset = 0;
  /** bytes still needed after the end of the data; 0 = no request; DESEGMENT_ONE_MORE_SEGMENT */
  desegmentLen = 0;

  constructor(
    readonly registry: Registry,
    private readonly hooks: EngineHooks,
  ) {}

  /** Resets everything for a new packet. */
  begin(
    raw: RawPacket,
    no: number,
    mode: number,
    firstPass: boolean,
    relTime: number,
    fieldsOnly = false,
  ): void {
    this.mode = mode;
    this.fieldsOnly = fieldsOnly;
    this.cols = mode >= MODE_SUMMARY && !fieldsOnly;
    if (fieldsOnly) this.resetSink();
    this.firstPass = firstPass;
    this.raw = raw;
    this.no = no;
    this.frame = raw.data.length > raw.capturedLength ? raw.data.subarray(0, raw.capturedLength) : raw.data;
    this.data = this.frame;
    this.source = 0;
    this.relTime = relTime;
    this.net = 0;
    this.netLen = 0;
    this.ipProto = -1;
    this.ipPayloadLen = -1;
    this.srcPort = 0;
    this.dstPort = 0;
    this.inError = 0;
    this.topProto = 0;
    this.protoMask = 0;
    this.flags = 0;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpWindow = 0;
    this.tcpLen = 0;
    this.tcpMss = -1;
    this.severity = 0;
    this.conv = null;
    this.dir = 0;
    this.desegmentOffset = 0;
    this.desegmentLen = 0;
    if (this.cols) {
      this.colSrc = '';
      this.colDst = '';
      this.colProtocol = null;
      this.infoFence = '';
      this.infoBody = '';
      this.infoDeferred = null;
    }
    if (mode === MODE_FULL) {
      this.protocols = [];
      this.fieldValues = new Map();
      this.expertItems = [];
      this.extraSources = [];
    }
  }

  // ---------------------------------------------------------------- protocols

  /** Marks `m` present in this packet and makes it the top protocol (Protocol column). */
  enter(m: ProtocolModule): void {
    const id = this.registry.stampedIds && m.id !== undefined ? m.id : this.registry.id(m);
    if (this.inError === 0) {
      this.topProto = id;
      if (this.colProtocol !== null) this.colProtocol = null;
    }
    if (id < 31) this.protoMask |= 1 << id;
    if (this.mode === MODE_FULL && !this.protocols.includes(m.name)) this.protocols.push(m.name);
  }

  /** Marks a protocol name present without making it the top protocol (e.g. "ethertype"). */
  mark(name: string): void {
    if (this.mode === MODE_FULL) this.protocols.push(name);
  }

  /** Overrides the Protocol column for this packet (e.g. "TLSv1.3"). Only call when ctx.cols. */
  setProtocolColumn(text: string): void {
    if (this.inError === 0) this.colProtocol = text;
  }

  /**
   * Calls a module on data[off, end), catching a truncated read or any bug as a malformed-packet
   * expert item (never throws). Returns the bytes taken.
   */
  call(m: ProtocolModule, off: number, end: number, tree: FieldNode[] | null): number {
    try {
      return m.dissect(this, off, end, tree);
    } catch (e) {
      const at = e instanceof Truncated ? e.at : off;
      // a read past the captured bytes of a frame the snap length cut short is not a protocol
      // error (Wireshark: "[Packet size limited during capture]")
      if (e instanceof Truncated && this.source === 0 && this.raw.originalLength > this.frame.length)
        this.snapTruncated(m, tree, at);
      else this.malformed(m, tree, at, e);
      return end - off;
    }
  }

  private snapTruncated(m: ProtocolModule, tree: FieldNode[] | null, at: number): void {
    if (this.cols && this.inError === 0) this.appendInfo('[Packet size limited during capture]', '');
    const cut = this.raw.originalLength - this.frame.length;
    const node = tree
      ? this.add(
          tree,
          `[Packet size limited during capture: ${m.column} truncated]`,
          undefined,
          undefined,
          at,
          0,
        )
      : null;
    if (node) node.generated = true;
    this.expert(
      node,
      TRUNCATED,
      `Packet size limited during capture (${cut} byte${cut === 1 ? '' : 's'} not captured)`,
    );
  }

  /** Throws Truncated when n bytes at off are not all before end. */
  need(off: number, n: number, end: number): void {
    if (off < 0 || n < 0 || off + n > end) throw new Truncated(off);
  }

  /**
   * Records "[Malformed Packet: X]" (expert item "malformed") at offset `at`; `quiet` leaves the
   * Info column alone (when the module already explained the problem there, as Wireshark does
   * for a bogus length).
   */
  malformed(m: ProtocolModule, tree: FieldNode[] | null, at: number, err?: unknown, quiet = false): void {
    const message =
      err instanceof Truncated || err === undefined
        ? MALFORMED.message
        : `Malformed Packet (${String((err as Error)?.message ?? err)})`;
    if (this.cols && this.inError === 0 && !quiet) this.appendInfo('[Malformed Packet]', '');
    if (tree) {
      const len = Math.max(0, this.data.length - at);
      const node = this.add(tree, `[Malformed Packet: ${m.column}]`, 'malformed', true, at, len);
      this.expert(node, MALFORMED, message);
    } else this.expert(null, MALFORMED, message);
    this.flags |= FLAG_MALFORMED;
  }

  // ---------------------------------------------------------------- tree (FULL only)

  /** Empties the sink and the scratch node (modules may have written to them). */
  private resetSink(): void {
    if (this.sink.length > 0) this.sink.length = 0;
    const s = this.scratch;
    s.label = '';
    s.offset = 0;
    s.length = 0;
    s.children = this.sink;
    if (s.field !== undefined) delete s.field;
    if (s.value !== undefined) delete s.value;
    if (s.generated !== undefined) delete s.generated;
    if (s.expert !== undefined) delete s.expert;
    if (s.source !== undefined) delete s.source;
  }

  /** Adds the protocol's top node; returns its children array, or null when no tree is built. */
  protoTree(
    tree: FieldNode[] | null,
    m: ProtocolModule,
    off: number,
    len: number,
    label?: Label,
  ): FieldNode[] | null {
    if (!tree) return null;
    if (this.fieldsOnly) {
      this.sink.push(this.scratch);
      return this.sink;
    }
    const node: FieldNode = {
      label: label === undefined ? m.title : typeof label === 'string' ? label : label(),
      field: m.name,
      offset: off,
      length: len,
      children: [],
    };
    if (this.source) node.source = this.source;
    tree.push(node);
    return node.children!;
  }

  /** Adds a field line and records its value for filters. FULL mode only (call when tree !== null). */
  add(
    parent: FieldNode[],
    label: Label,
    field: string | undefined,
    value: FieldValue | undefined,
    off: number,
    len: number,
  ): FieldNode {
    if (this.fieldsOnly) {
      if (field !== undefined && value !== undefined) this.record(field, value);
      // pushed so that `t[t.length - 1]` finds a node; the sink is emptied when it grows
      const sink = this.sink;
      if (sink.length > 4096) sink.length = 0;
      sink.push(this.scratch);
      return this.scratch;
    }
    const node: FieldNode = { label: typeof label === 'string' ? label : label(), offset: off, length: len };
    if (field !== undefined) {
      node.field = field;
      if (value !== undefined) {
        node.value = value;
        this.record(field, value);
      }
    }
    if (this.source) node.source = this.source;
    parent.push(node);
    return node;
  }

  /** Adds a subtree line (a field or text) and returns its children array. */
  addTree(
    parent: FieldNode[],
    label: Label,
    field: string | undefined,
    value: FieldValue | undefined,
    off: number,
    len: number,
  ): FieldNode[] {
    const node = this.add(parent, label, field, value, off, len);
    if (this.fieldsOnly) return this.sink;
    node.children = [];
    return node.children;
  }

  /** Adds a generated line ([brackets] in Wireshark): no bytes of its own. */
  addGenerated(parent: FieldNode[], label: Label, field?: string, value?: FieldValue): FieldNode {
    if (this.fieldsOnly) return this.add(parent, label, field, value, 0, 0);
    const node = this.add(parent, `[${typeof label === 'string' ? label : label()}]`, field, value, 0, 0);
    node.generated = true;
    return node;
  }

  /** Records a field value for filters without a tree line (Wireshark's hidden fields: ip.addr, tcp.port). */
  /**
   * Puts a subtree a parser built on its own (DNS, HTTP, TLS) into the packet: its expert items,
   * and in a tree-building pass the node itself with every field value under it recorded (a field
   * line without a value, e.g. tls.record, is present: filters test it as true).
   */
  attachSubtree(tree: FieldNode[] | null, node: FieldNode, expert: readonly ExpertItem[]): void {
    for (const e of expert)
      this.expert(null, { id: e.id, severity: e.severity, group: e.group, message: e.message }, e.message);
    if (!tree) return;
    tree.push(node);
    const walk = (n: FieldNode): void => {
      if (n.field !== undefined) this.record(n.field, n.value ?? true);
      for (const c of n.children ?? []) walk(c);
    };
    walk(node);
  }

  record(field: string, value: FieldValue): void {
    if (this.mode !== MODE_FULL) return;
    if (this.wanted !== null && !this.wanted.has(field)) return;
    const list = this.fieldValues.get(field);
    if (list) list.push(value);
    else this.fieldValues.set(field, [value]);
  }

  /** Adds an expert item (all modes update the packet's severity; FULL keeps the item). */
  expert(node: FieldNode | null, def: ExpertDef, message?: string): void {
    if (this.inError > 0) return;
    const rank = SEVERITY_RANK[def.severity];
    if (rank > this.severity) this.severity = rank;
    if (this.mode !== MODE_FULL) return;
    const item: ExpertItem = {
      id: def.id,
      severity: def.severity,
      group: def.group,
      message: message ?? def.message,
    };
    this.expertItems.push(item);
    if (node && !this.fieldsOnly) {
      if (node.expert) {
        const child: FieldNode = {
          label: `[Expert Info (${cap(def.severity)}/${cap(def.group)}): ${item.message}]`,
          offset: node.offset,
          length: node.length,
          generated: true,
          expert: item,
        };
        if (node.source) child.source = node.source;
        (node.children ??= []).push(child);
      } else node.expert = item;
    }
  }

  /** Adds a new data source (reassembled bytes); returns its source index for FieldNode.source. */
  addSource(label: string, bytes: Uint8Array): number {
    if (this.mode !== MODE_FULL) return 0;
    this.extraSources.push({ label, bytes });
    return this.extraSources.length;
  }

  // ---------------------------------------------------------------- columns (cols only)

  /** Replaces the Info text after the fence (Wireshark's col_add_str). */
  setInfo(text: string): void {
    if (this.inError !== 0) return;
    this.infoBody = text;
    this.infoDeferred = null;
  }
  /** setInfo() with a text built only if it is read (see DeferredInfo). */
  setInfoDeferred(info: DeferredInfo): void {
    if (this.inError !== 0) return;
    this.infoBody = '';
    this.infoDeferred = info;
  }
  /** Builds a deferred Info body (before anything reads or extends it). */
  private settleInfo(): void {
    const d = this.infoDeferred;
    if (d !== null) {
      this.infoBody = d.text();
      this.infoDeferred = null;
    }
  }
  /** Appends to the Info text with a separator when it is not empty (col_append_sep_str). */
  appendInfo(text: string, sep = ' '): void {
    if (this.inError !== 0) return;
    this.settleInfo();
    if (this.infoFence.length + this.infoBody.length > 0) this.infoBody += sep + text;
    else this.infoBody = text;
  }
  /** Prepends text that later setInfo() calls keep (col_prepend_fence_fstr), e.g. "[TCP Retransmission] ". */
  prependFence(text: string): void {
    if (this.inError !== 0) return;
    this.infoFence = text + this.infoFence;
  }
  /** Moves the whole current Info into the fence, so payload dissectors append after it (col_set_fence). */
  setFence(): void {
    if (this.inError !== 0) return;
    this.settleInfo();
    this.infoFence += this.infoBody;
    this.infoBody = '';
  }
  get info(): string {
    this.settleInfo();
    return this.infoFence + this.infoBody;
  }
  /** Whether the Info is still (partly) deferred: writeInfo() then writes it without building it. */
  get infoIsDeferred(): boolean {
    return this.infoDeferred !== null;
  }
  /** Writes the Info (as `info` reads it) to a sink: a deferred body is written from its values. */
  writeInfo(out: InfoSink): void {
    if (this.infoFence.length > 0) out.text(this.infoFence);
    if (this.infoDeferred !== null) this.infoDeferred.writeTo(out);
    else out.text(this.infoBody);
  }

  // ---------------------------------------------------------------- conversations and state

  /**
   * The conversation of the current network addresses and ports (transport 6 or 17), created in
   * the first pass. Sets ctx.conv and ctx.dir. Null inside ICMP-quoted headers.
   */
  conversation(transport: number): Conversation | null {
    if (this.inError > 0 || this.net === 0) return null;
    const c = this.hooks.lookupConversation(this, transport);
    this.conv = c;
    return c;
  }

  /**
   * First pass only: starts a new conversation for the current 5-tuple (TCP port reuse), making
   * it ctx.conv. Earlier frames keep the old one.
   */
  restartConversation(transport: number): Conversation {
    return this.hooks.restartConversation(this, transport);
  }

  /** Conversation data of protocol `proto` (Wireshark's conversation_get_proto_data). */
  convData<T>(proto: string): T | undefined {
    return this.conv?.getData(proto) as T | undefined;
  }
  setConvData(proto: string, value: unknown): void {
    this.conv?.setData(proto, value);
  }

  /**
   * From the next frame on (or from frame `from`), this conversation's payload goes to `m`
   * (e.g. HTTP after "CONNECT … 200" hands the tunnel to TLS). First pass only.
   */
  setConversationDissector(m: ProtocolModule, from = this.no + 1): void {
    const c = this.conv;
    if (!c || !this.firstPass) return;
    c.addDissector(from, m);
  }

  /** Per-frame data of protocol `proto` recorded in the first pass. */
  frameData<T>(proto: string, no = this.no): T | undefined {
    return this.hooks.frameData(proto, no) as T | undefined;
  }
  setFrameData(proto: string, value: unknown, no = this.no): void {
    this.hooks.setFrameData(proto, no, value);
  }
  fetchFrame(no: number): RawPacket | undefined {
    return this.hooks.fetchFrame(no);
  }

  /**
   * Recently reassembled PDUs (frame number and key -> bytes), so that a summary()/dissect()
   * right after index() finds them without re-reading frames. Kept small (RECENT_PDUS entries).
   */
  rememberPdu(key: string, bytes: Uint8Array): void {
    if (!this.firstPass) return;
    const i = this.recentNext;
    this.recentNext = (i + 1) % RECENT_PDUS;
    this.recentNo[i] = this.no;
    this.recentKey[i] = key;
    this.recentBytes[i] = bytes;
  }
  recentPdu(key: string): Uint8Array | undefined {
    for (let i = 0; i < RECENT_PDUS; i++)
      if (this.recentNo[i] === this.no && this.recentKey[i] === key) return this.recentBytes[i];
    return undefined;
  }
  private recentNext = 0;
  private readonly recentNo = new Int32Array(RECENT_PDUS);
  private readonly recentKey: string[] = new Array<string>(RECENT_PDUS).fill('');
  private readonly recentBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(
    RECENT_PDUS,
  ).fill(undefined);

  /** Asks the transport layer for `len` more bytes after data end, for a PDU starting at `offset`. */
  requestDesegment(offset: number, len: number): void {
    this.desegmentOffset = offset;
    this.desegmentLen = len;
  }
}

const RECENT_PDUS = 64;

/** FastInfo.flags bit for packets with a malformed-packet expert item (tcp/analysis uses bits 0..19). */
export const FLAG_MALFORMED = 1 << 30;

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ------------------------------------------------------------------ address formatting

const HEX = '0123456789abcdef';
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4] + HEX[i & 15]);

export function formatIpv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * formatIpv4 through a small direct-mapped cache, for the address columns of every packet: a
 * capture's packets come from few addresses, and building "10.0.0.1" makes seven short strings.
 */
export function ipv4Text(b: Uint8Array, off: number): string {
  const key = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
  const slot = (Math.imul(key, 0x9e3779b1) >>> 22) & (IPV4_CACHE_SIZE - 1);
  const hit = ipv4CacheText[slot];
  if (hit !== undefined && ipv4CacheKey[slot] === key) return hit;
  const text = formatIpv4(b, off);
  ipv4CacheKey[slot] = key;
  ipv4CacheText[slot] = text;
  return text;
}
const IPV4_CACHE_SIZE = 1024;
const ipv4CacheKey = new Int32Array(IPV4_CACHE_SIZE);
const ipv4CacheText: (string | undefined)[] = new Array<string | undefined>(IPV4_CACHE_SIZE).fill(undefined);

export function formatMac(b: Uint8Array, off: number): string {
  return `${BYTE_HEX[b[off]]}:${BYTE_HEX[b[off + 1]]}:${BYTE_HEX[b[off + 2]]}:${BYTE_HEX[b[off + 3]]}:${BYTE_HEX[b[off + 4]]}:${BYTE_HEX[b[off + 5]]}`;
}

export function hexBytes(b: Uint8Array, off: number, len: number, sep = ''): string {
  const parts: string[] = [];
  for (let i = 0; i < len && off + i < b.length; i++) parts.push(BYTE_HEX[b[off + i]]);
  return parts.join(sep);
}

/** RFC 5952 text form (longest run of zero groups as "::", IPv4-mapped as ::ffff:a.b.c.d). */
export function formatIpv6(b: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIpv4(b, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g
    .slice(0, bestStart)
    .map((x) => x.toString(16))
    .join(':');
  const tail = g
    .slice(bestStart + bestLen)
    .map((x) => x.toString(16))
    .join(':');
  return `${head}::${tail}`;
}

/** A FieldSource over a finished FULL dissection. */
export class PacketFields implements FieldSource {
  private readonly protoSet: Set<string>;
  constructor(
    protocols: string[],
    private readonly map: Map<string, FieldValue[]>,
  ) {
    this.protoSet = new Set(protocols);
  }
  hasProtocol(name: string): boolean {
    return this.protoSet.has(name);
  }
  values(field: string): readonly FieldValue[] {
    return this.map.get(field) ?? EMPTY;
  }
}
const EMPTY: readonly FieldValue[] = Object.freeze([]);
