// The packet engine: runs the registered dissectors over packets, in two modes with the same code.
//
//   const engine = new PacketEngine({ fetchFrame: (no) => store.raw(no) });
//   for (each packet, in frame order, no = 1, 2, …) {
//     const fi = engine.index(raw, no);      // FAST: no tree, no strings. fi is REUSED: copy fields.
//     // fi.proto (top protocol id), fi.protoMask, fi.conv (-1 none), fi.flags, fi.tcpFlags, fi.severity
//   }
//   engine.indexWithSummary(raw, no)          // index() + the single-pass row in one dissection
//                                             // ({ fast, summary }, reused object): for streaming
//   engine.indexWithSummaryDeferred(raw, no)  // the same, TCP's Info left as numbers: when
//     if (engine.infoDeferred) engine.writeInfo(sink) // infoDeferred, write it (as bytes) at once
//   engine.summary(raw, no): PacketSummary   // the packet-list row (columns only), any order
//   engine.dissect(raw, no): DissectedPacket // PacketDetail + protocols + FieldSource, any order
//   engine.fields(raw, no, wanted?): FieldSource // = dissect().fields, no tree/labels/columns
//                                             // (display filters, the diagnosis), any order
//   engine.conversations(): ConversationInfo[]
//   engine.registry.protocol('tcp') / .byId(fi.proto) / .field('tcp.port')  (field types for filters)
//
// Contract: index() must see every frame once, in order, before summary()/dissect() are asked
// for it (they may be asked for any frame already indexed, any number of times, in any order).
// index() is where conversation state changes (TCP analysis, reassembly, HTTP→TLS tunnels);
// what a random-access dissection needs from it is kept per frame, only where non-trivial.
// Reassembled PDUs are rebuilt on random access with opts.fetchFrame (the bytes stay in the file);
// without fetchFrame the engine keeps the reassembled bytes in memory (opts.keepReassembled:false
// keeps only the last 64, enough for a caller that asks for a row right after indexing it).
// Rows from summary()/dissect() are two-pass rows (tshark -2, the Wireshark GUI): e.g. a frame
// holding the first piece of a PDU shows TCP's Info + " [TCP segment of a reassembled PDU]".
// Per-frame state: 4 bytes a frame (conversation id) + compact records, only for the frames that
// have one (TCP analysis flags, reassembly, IPv4 fragments, ICMP echo links), kept sparsely
// (FrameStore: 4 bytes an entry). Per-conversation state is kept small too (addresses in a shared
// pool, flat lists, one-shape objects): ~85 bytes a packet on bench/dissect-engine.ts's capture.
//
// `no` is the 1-based frame number. `raw.data` may be reused by the caller after the call.

import type { RawPacket } from '../pcap/types.js';
import type { FieldNode, PacketDetail, PacketSummary, FieldSource } from './types.js';
import type { ProtocolModule, Registry } from './registry.js';
import {
  MODE_FAST,
  MODE_FULL,
  MODE_SUMMARY,
  PacketContext,
  PacketFields,
  SEVERITY_BY_RANK,
  type EngineHooks,
  type InfoSink,
} from './engine-context.js';
import { AddressPool, Conversation, ConversationTable } from '../tcp/conversations.js';
import { createRegistry } from './index.js';

export interface EngineOptions {
  /** defaults to the registry with every built-in module (dissect/index.ts) */
  registry?: Registry;
  /** reads an earlier frame again (random access reassembly); without it reassembled bytes stay in memory */
  fetchFrame?: (no: number) => RawPacket | undefined;
  /**
   * Keep every reassembled PDU's bytes in memory (default: only when there is no fetchFrame).
   * A streaming caller that asks summary()/dissect() right after index() of the same frame (the
   * analyze command) can say false: the most recent PDUs stay in a small cache.
   */
  keepReassembled?: boolean;
  /**
   * The caller asks summary()/dissect() only for the frame it has just indexed (a streaming
   * listing: the analyze command). Per-frame records of frames behind it are dropped (engine-wide
   * ones, kept under frame 0, stay) and reassembled PDUs stay only in the small recent cache
   * (unless keepReassembled says otherwise): memory no longer grows with the frame count.
   */
  sequential?: boolean;
}

/** What index() learns about a packet: small integers only. The object is reused between calls. */
export interface FastInfo {
  /** id of the top protocol (registry.byId(proto).column is its Protocol column default) */
  proto: number;
  /** bit (1 << id) for each protocol id < 31 present in the packet */
  protoMask: number;
  /** conversation id (index into conversations()), -1 when the packet has none */
  conv: number;
  /** TCP analysis flag bits (tcp/analysis.ts TCP_A_*) and FLAG_MALFORMED */
  flags: number;
  /** TCP header flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, …), 0 if not TCP */
  tcpFlags: number;
  /** worst expert severity: 0 none, 1 chat, 2 note, 3 warn, 4 error */
  severity: number;
}

/** Raw header values of the TCP segment index() just read (see PacketEngine.lastSegment). */
export interface SegmentInfo {
  /** raw (absolute) sequence and acknowledgement numbers */
  seq: number;
  ack: number;
  /** raw (unscaled) window */
  window: number;
  /** payload length the IP header declares (not cut by the snap length) */
  len: number;
  /** 0 = sent by the conversation's endpoint A (ConversationInfo.addressA), 1 = by B */
  dir: number;
  /** MSS option of a SYN (index() only), -1 if none */
  mss: number;
}

export interface DissectedPacket extends PacketDetail {
  /** protocol names present, outermost first ("frame", "eth", "ethertype", "ip", "tcp", "http") */
  protocols: string[];
  /** field values for the display filter */
  fields: FieldSource;
}

export interface ConversationInfo {
  id: number;
  transport: 'tcp' | 'udp';
  /** tcp.stream / udp.stream */
  stream: number;
  /** endpoint A sent the first packet seen */
  addressA: string;
  portA: number;
  addressB: string;
  portB: number;
  firstFrame: number;
  lastFrame: number;
  packets: number;
  bytes: number;
  packetsAtoB: number;
  bytesAtoB: number;
  /** protocol names that took this conversation's payload (e.g. ["http", "tls"]) */
  appProtocols: string[];
  /** TCP only */
  tcp?: {
    synSeen: boolean;
    synAckSeen: boolean;
    finSeen: boolean;
    rstSeen: boolean;
    /** initial RTT in seconds (SYN → ACK of the SYN-ACK), when measured */
    irtt?: number;
  };
}

export class PacketEngine {
  readonly registry: Registry;
  private readonly ctx: PacketContext;
  private readonly frameModule: ProtocolModule;
  private readonly convs: Conversation[] = [];
  private readonly table = new ConversationTable();
  private readonly addresses = new AddressPool();
  private readonly streamCounters = new Map<number, number>();
  /** frame number -> conversation id + 1 (0 = none) */
  private frameConv = new Int32Array(1 << 12);
  private readonly perFrame = new Map<string, FrameStore>();
  private firstSec = NaN;
  private firstNsec = 0;
  private readonly fast: FastInfo = { proto: 0, protoMask: 0, conv: -1, flags: 0, tcpFlags: 0, severity: 0 };
  private readonly fetch?: (no: number) => RawPacket | undefined;

  constructor(opts: EngineOptions = {}) {
    this.registry = opts.registry ?? createRegistry();
    this.fetch = opts.fetchFrame;
    const frame = this.registry.protocol('frame');
    if (!frame) throw new Error('dissector registry has no "frame" module');
    this.frameModule = frame;
    const hooks: EngineHooks = {
      lookupConversation: (ctx, transport) => this.lookup(ctx, transport),
      restartConversation: (ctx, transport) => this.restartConversation(ctx, transport),
      frameData: (proto, no) =>
        this.current && no !== 0
          ? no === this.current.no
            ? this.current.get(proto)
            : undefined
          : this.perFrame.get(proto)?.get(no),
      setFrameData: (proto, no, value) => {
        if (this.current && no !== 0) {
          if (no === this.current.no) this.current.set(proto, value);
          return;
        }
        let m = this.perFrame.get(proto);
        if (!m) this.perFrame.set(proto, (m = new FrameStore()));
        m.set(no, value);
      },
      fetchFrame: (no) => this.fetch?.(no),
    };
    this.ctx = new PacketContext(this.registry, hooks);
    this.ctx.retainReassembled = opts.keepReassembled ?? (this.fetch === undefined && !opts.sequential);
    if (opts.sequential) this.current = new CurrentFrameRecords();
  }
  /** sequential mode: the per-frame records of the frame being indexed (see EngineOptions.sequential) */
  private readonly current: CurrentFrameRecords | null = null;

  /** sequential mode: a new frame's first pass starts; the previous frame's records go */
  private advance(no: number): void {
    const cur = this.current;
    if (cur && cur.no !== no) cur.reset(no);
  }

  /** Whether random-access reassembly can re-read frames (otherwise PDU bytes are kept). */
  get canFetchFrames(): boolean {
    return this.fetch !== undefined;
  }

  /** Sequential first pass, in frame order. Returns a reused object: copy what you keep. */
  index(raw: RawPacket, no: number): FastInfo {
    return this.firstPass(raw, no, MODE_FAST);
  }

  /** The first-pass dissection of the next frame in the given mode; fills the reused FastInfo. */
  private firstPass(raw: RawPacket, no: number, mode: typeof MODE_FAST | typeof MODE_SUMMARY): FastInfo {
    if (Number.isNaN(this.firstSec)) {
      this.firstSec = raw.tsSec;
      this.firstNsec = raw.tsNsec;
    }
    this.advance(no);
    const ctx = this.ctx;
    ctx.begin(raw, no, mode, true, this.rel(raw));
    ctx.call(this.frameModule, 0, ctx.frame.length, null);
    const f = this.fast;
    f.proto = ctx.topProto;
    f.protoMask = ctx.protoMask;
    f.conv = ctx.conv ? ctx.conv.id : -1;
    f.flags = ctx.flags;
    f.tcpFlags = ctx.tcpFlags;
    f.severity = ctx.severity;
    return f;
  }

  /**
   * index() and the row in one dissection, for streaming callers (the analyze command): the row
   * is what a single pass knows, as `tshark -r` prints it (e.g. the first piece of a reassembled
   * PDU shows its dissector's Info + " [TCP segment of a reassembled PDU]"); summary() later
   * gives the two-pass row (`tshark -2`, the GUI). Returns a reused object (with `fast` and `summary` reused too): copy what you keep.
   */
  indexWithSummary(raw: RawPacket, no: number): { fast: FastInfo; summary: PacketSummary } {
    this.firstPass(raw, no, MODE_SUMMARY);
    this.fillSummary(this.row.summary, this.ctx, false);
    return this.row;
  }

  /**
   * indexWithSummary() for a caller that writes the row at once (a streaming listing): when the
   * Info is deferred (TCP's, kept as numbers) it is not built: summary.info is '' and
   * infoDeferred true, and writeInfo() writes it, before any other call to this engine.
   */
  indexWithSummaryDeferred(raw: RawPacket, no: number): { fast: FastInfo; summary: PacketSummary } {
    this.firstPass(raw, no, MODE_SUMMARY);
    this.fillSummary(this.row.summary, this.ctx, true);
    return this.row;
  }

  /** Whether the Info of the last indexWithSummaryDeferred() was left for writeInfo(). */
  get infoDeferred(): boolean {
    return this.ctx.infoIsDeferred;
  }

  /** The Info of the frame just dissected, built if it was deferred. */
  lastInfo(): string {
    return this.ctx.info;
  }

  /** Writes the Info of the frame just dissected (see indexWithSummaryDeferred). */
  writeInfo(out: InfoSink): void {
    this.ctx.writeInfo(out);
  }
  private readonly row: { fast: FastInfo; summary: PacketSummary } = {
    fast: this.fast,
    summary: {
      no: 0,
      time: 0,
      src: '',
      dst: '',
      protocol: '',
      length: 0,
      info: '',
      comment: undefined,
      severity: undefined,
    },
  };

  /**
   * The numbers of the TCP segment that index()/indexWithSummary() just read (all 0 when the
   * frame had no TCP), for first-pass callers that need them without a full dissection (the
   * diagnosis). Returns a reused object: copy what you keep; call it before the next dissection.
   */
  lastSegment(): SegmentInfo {
    const ctx = this.ctx;
    const s = this.segment;
    s.seq = ctx.tcpSeq;
    s.ack = ctx.tcpAck;
    s.window = ctx.tcpWindow;
    s.len = ctx.tcpLen;
    s.dir = ctx.dir;
    s.mss = ctx.tcpMss;
    return s;
  }
  private readonly segment: SegmentInfo = { seq: 0, ack: 0, window: 0, len: 0, dir: 0, mss: -1 };

  /** The packet-list row of an indexed frame (no tree). */
  summary(raw: RawPacket, no: number): PacketSummary {
    const ctx = this.ctx;
    ctx.begin(raw, no, MODE_SUMMARY, false, this.rel(raw));
    ctx.call(this.frameModule, 0, ctx.frame.length, null);
    return this.makeSummary(ctx);
  }

  /** Full dissection of an indexed frame: tree with byte offsets, expert items, filter fields. */
  dissect(raw: RawPacket, no: number): DissectedPacket {
    const ctx = this.ctx;
    ctx.begin(raw, no, MODE_FULL, false, this.rel(raw));
    const tree: FieldNode[] = [];
    ctx.call(this.frameModule, 0, ctx.frame.length, tree);
    const frameNode = tree.find((n) => n.field === 'frame');
    if (frameNode?.children) {
      const protos = ctx.protocols.filter((p) => p !== 'frame').join(':');
      const node = frameNode.children.find((n) => n.field === 'frame.protocols');
      if (node) {
        node.value = protos;
        node.label = `[Protocols in frame: ${protos}]`;
      }
      ctx.fieldValues.set('frame.protocols', [protos]);
    }
    const summary = this.makeSummary(ctx);
    return {
      summary,
      tree,
      // a copy: callers may pass a reader's reused buffer and keep the detail
      bytes: ctx.frame.slice(),
      extraSources: ctx.extraSources,
      expert: ctx.expertItems,
      protocols: ctx.protocols,
      fields: new PacketFields(ctx.protocols, ctx.fieldValues),
    };
  }

  /**
   * The field values of dissect(raw, no).fields (identical for every field), without the tree,
   * the columns or the expert items: for callers that test or read fields (display filters, the
   * diagnosis). Same preconditions as dissect() (the frame was indexed); the result stays valid
   * after the next dissection. With `wanted`, only those fields are kept (values() of any other
   * field may be empty; hasProtocol() is unaffected), and TLS certificates are decoded only when
   * it names a certificate field (tls.handshake.certificate*, x509*).
   */
  fields(raw: RawPacket, no: number, wanted?: ReadonlySet<string>): FieldSource {
    const ctx = this.ctx;
    ctx.begin(raw, no, MODE_FULL, false, this.rel(raw), true);
    ctx.wanted = wanted ?? null;
    ctx.skipCertificates = wanted !== undefined && !wantsCertificates(wanted);
    try {
      ctx.call(this.frameModule, 0, ctx.frame.length, ctx.sink);
    } finally {
      ctx.wanted = null;
      ctx.skipCertificates = false;
    }
    // as dissect() fills in the frame node's "Protocols in frame" line
    if (ctx.fieldValues.has('frame.protocols'))
      ctx.fieldValues.set('frame.protocols', [ctx.protocols.filter((p) => p !== 'frame').join(':')]);
    return new PacketFields(ctx.protocols, ctx.fieldValues);
  }

  /** Every conversation seen by index() so far. */
  conversations(): ConversationInfo[] {
    return this.convs.map((c) => this.conversationInfo(c));
  }

  conversationInfo(c: Conversation): ConversationInfo {
    const info: ConversationInfo = {
      id: c.id,
      transport: c.transport === 6 ? 'tcp' : 'udp',
      stream: c.stream,
      addressA: c.addressText('a'),
      portA: c.portA,
      addressB: c.addressText('b'),
      portB: c.portB,
      firstFrame: c.firstFrame,
      lastFrame: c.lastFrame,
      packets: c.packets,
      bytes: c.bytes,
      packetsAtoB: c.packetsAtoB,
      bytesAtoB: c.bytesAtoB,
      appProtocols: [...new Set((c.dissectorChanges ?? []).map((d) => d.proto.name))],
    };
    const t = c.tcp;
    if (t) {
      info.tcp = { synSeen: t.synSeen, synAckSeen: t.synAckSeen, finSeen: t.finSeen, rstSeen: t.rstSeen };
      if (t.irtt >= 0) info.tcp.irtt = t.irtt;
    }
    return info;
  }

  /** The conversation object (engine-internal state; read-only for callers). */
  conversation(id: number): Conversation | undefined {
    return this.convs[id];
  }

  /**
   * Lets go of the TCP and application-protocol state of a conversation that has ended, for a
   * streaming caller that will not ask about its frames again (the diagnosis, once it has judged
   * the conversation). Its counters stay; a later SYN on the same addresses and ports starts a
   * new conversation (port reuse), as it would with the state kept. With `keepTcp`, only the
   * application state goes (a listing: a late retransmission is still analysed as tshark does).
   */
  releaseConversation(id: number, keepTcp = false): void {
    const c = this.convs[id];
    if (!c) return;
    for (const m of this.registry.protocols())
      if (c.getData(m.name) !== undefined) c.setData(m.name, undefined);
    if (keepTcp) return;
    c.tcp = null;
    c.released = true;
  }

  /** Conversation id of an indexed frame, -1 if none. */
  conversationOf(no: number): number {
    return no < this.frameConv.length ? this.frameConv[no] - 1 : -1;
  }

  private rel(raw: RawPacket): number {
    if (Number.isNaN(this.firstSec)) return 0;
    return raw.tsSec - this.firstSec + (raw.tsNsec - this.firstNsec) / 1e9;
  }

  private makeSummary(ctx: PacketContext): PacketSummary {
    const raw = ctx.raw;
    const s: PacketSummary = {
      no: ctx.no,
      time: ctx.relTime,
      src: ctx.colSrc,
      dst: ctx.colDst,
      protocol: this.protocolColumn(ctx),
      length: raw.originalLength,
      info: ctx.info,
    };
    if (raw.comments && raw.comments.length > 0) s.comment = raw.comments.join('\n');
    const sev = SEVERITY_BY_RANK[ctx.severity];
    if (sev) s.severity = sev;
    return s;
  }

  /**
   * makeSummary() into a reused object (comment and severity are undefined when absent); with
   * `deferInfo`, a deferred Info is left unbuilt (info '').
   */
  private fillSummary(s: PacketSummary, ctx: PacketContext, deferInfo: boolean): void {
    const raw = ctx.raw;
    s.no = ctx.no;
    s.time = ctx.relTime;
    s.src = ctx.colSrc;
    s.dst = ctx.colDst;
    s.protocol = this.protocolColumn(ctx);
    s.length = raw.originalLength;
    s.info = deferInfo && ctx.infoIsDeferred ? '' : ctx.info;
    s.comment = raw.comments && raw.comments.length > 0 ? raw.comments.join('\n') : undefined;
    s.severity = SEVERITY_BY_RANK[ctx.severity];
  }

  private protocolColumn(ctx: PacketContext): string {
    return ctx.colProtocol ?? this.registry.byId(ctx.topProto)?.column ?? '';
  }

  /** Conversation lookup for ctx.conversation(); creates conversations in the first pass. */
  private lookup(ctx: PacketContext, transport: number): Conversation | null {
    let c: Conversation | undefined;
    if (ctx.firstPass) {
      const id = this.table.find(transport, ctx.netLen, ctx.netSrc, ctx.srcPort, ctx.netDst, ctx.dstPort);
      if (id >= 0) c = this.convs[id];
      else {
        c = this.create(transport, ctx);
        this.table.insert(c.id);
      }
      this.setFrameConv(ctx.no, c.id);
    } else {
      const id = this.conversationOf(ctx.no);
      if (id < 0) return null;
      c = this.convs[id];
    }
    ctx.dir = this.directionOf(c, ctx);
    if (ctx.firstPass) this.count(c, ctx);
    return c;
  }

  /**
   * Starts a new conversation for the current 5-tuple (TCP port reuse: a new SYN on an old
   * 4-tuple). First pass only; returns the new conversation and makes it ctx.conv.
   */
  private restartConversation(ctx: PacketContext, transport: number): Conversation {
    const old = ctx.conv;
    if (old) {
      // undo the count made by lookup() on the old conversation
      old.packets--;
      old.bytes -= ctx.raw.originalLength;
      if (ctx.dir === 0) {
        old.packetsAtoB--;
        old.bytesAtoB -= ctx.raw.originalLength;
      }
    }
    this.table.find(transport, ctx.netLen, ctx.netSrc, ctx.srcPort, ctx.netDst, ctx.dstPort);
    const c = this.create(transport, ctx);
    this.table.repoint(c.id);
    this.setFrameConv(ctx.no, c.id);
    ctx.conv = c;
    ctx.dir = 0;
    this.count(c, ctx);
    return c;
  }

  private create(transport: number, ctx: PacketContext): Conversation {
    const stream = this.streamCounters.get(transport) ?? 0;
    this.streamCounters.set(transport, stream + 1);
    const at = this.addresses.add(ctx.netSrc, ctx.netDst, ctx.netLen);
    const c = new Conversation(
      this.convs.length,
      transport,
      stream,
      ctx.netLen,
      this.addresses,
      at,
      ctx.srcPort,
      ctx.dstPort,
    );
    c.firstFrame = ctx.no;
    c.firstTime = ctx.relTime;
    this.convs.push(c);
    return c;
  }

  private count(c: Conversation, ctx: PacketContext): void {
    c.lastFrame = ctx.no;
    c.packets++;
    c.bytes += ctx.raw.originalLength;
    if (ctx.dir === 0) {
      c.packetsAtoB++;
      c.bytesAtoB += ctx.raw.originalLength;
    }
  }

  private directionOf(c: Conversation, ctx: PacketContext): number {
    // B → A, unless the packet's destination is B too (a conversation between identical endpoints)
    return c.isFromA(ctx.netSrc, ctx.srcPort) && ctx.dstPort === c.portB ? 0 : 1;
  }

  private setFrameConv(no: number, id: number): void {
    if (no >= this.frameConv.length) {
      let n = this.frameConv.length;
      while (n <= no) n *= 2;
      const a = new Int32Array(n);
      a.set(this.frameConv);
      this.frameConv = a;
    }
    this.frameConv[no] = id + 1;
  }
}

/**
 * Sequential mode's per-frame records of the one frame being dissected: a frame has a few at most,
 * so a flat list (a Map would be emptied, allocating, for every frame).
 */
class CurrentFrameRecords {
  no = 0;
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  private count = 0;

  reset(no: number): void {
    this.no = no;
    for (let i = 0; i < this.count; i++) this.values[i] = undefined;
    this.count = 0;
  }
  get(key: string): unknown {
    for (let i = 0; i < this.count; i++) if (this.keys[i] === key) return this.values[i];
    return undefined;
  }
  set(key: string, value: unknown): void {
    for (let i = 0; i < this.count; i++) {
      if (this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    this.keys[this.count] = key;
    this.values[this.count++] = value;
  }
}

/**
 * Per-frame values of one protocol, for the few frames that have one (TCP analysis flags,
 * reassembly records, …): frame numbers in a sorted typed array (4 bytes an entry, not a frame)
 * beside a dense list of values. The first pass records in frame order, so a new entry is
 * appended; a value for an earlier frame (a PDU completed later) updates its entry in place.
 */
class FrameStore {
  private frames = new Int32Array(256);
  private readonly values: unknown[] = [];
  private count = 0;

  /** entry index of frame `no`, or -(insertion point) - 1 */
  private find(no: number): number {
    const f = this.frames;
    const n = this.count;
    if (n > 0 && f[n - 1] === no) return n - 1;
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = f[mid];
      if (v === no) return mid;
      if (v < no) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  get(no: number): unknown {
    const i = this.find(no);
    return i >= 0 ? this.values[i] : undefined;
  }

  set(no: number, value: unknown): void {
    const i = this.find(no);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    if (value === undefined) return;
    const at = -i - 1;
    if (this.count === this.frames.length) {
      const a = new Int32Array(this.frames.length + (this.frames.length >> 1));
      a.set(this.frames);
      this.frames = a;
    }
    if (at < this.count) {
      this.frames.copyWithin(at + 1, at, this.count);
      this.values.splice(at, 0, value);
    } else this.values.push(value);
    this.frames[at] = no;
    this.count++;
  }
}

/** Whether a fields() caller wants anything only a decoded certificate gives. */
function wantsCertificates(wanted: ReadonlySet<string>): boolean {
  for (const f of wanted) if (f.startsWith('tls.handshake.certificate') || f.startsWith('x509')) return true;
  return false;
}
