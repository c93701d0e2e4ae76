// The packet store: packet bytes stay in the capture file; memory holds a compact index (see
// packet-index.ts) filled by the engine's fast first pass. Rows (summaries) and details are built
// on demand for the packets asked for and cached; a display filter produces a View (packet
// numbers) without building strings for rows nobody looks at.
import { open, stat } from 'node:fs/promises';
import { createCaptureParser } from '../pcap/parser.js';
import { CaptureFileError, type CaptureInterfaceInfo, type RawPacket } from '../pcap/types.js';
import type { FieldSource, FieldValue, PacketDetail, PacketSummary } from '../dissect/types.js';
import { compileFilter, isEmptyFilter, type CompiledFilter, type FilterNode } from '../filter/index.js';
import { BlockReader } from './block-reader.js';
import type { ConversationInfo, StoreEngine } from './engine-port.js';
import { LruCache } from './lru.js';
import { withProtocolBytes } from './protocol-bytes.js';
import { INDEX_BYTES_PER_PACKET, PacketIndex } from './packet-index.js';

/** Packet numbers (1-based, ascending) that passed a display filter. */
export interface View {
  readonly filter: string;
  readonly packets: Uint32Array;
}

export interface OpenProgress {
  packets: number;
  bytes: number;
  totalBytes: number;
  done: boolean;
}

export interface OpenOptions {
  /** the engine to index with; default: the dissector engine with every module */
  engine?: StoreEngine;
  onProgress?: (p: OpenProgress) => void;
  signal?: AbortSignal;
  /** read size; default 1 MiB. The first chunk's rows are available when openFile resolves. */
  chunkSize?: number;
}

export interface FilterOptions {
  signal?: AbortSignal;
  /** called now and then with the share of packets examined (0..1) */
  onProgress?: (fraction: number) => void;
}

export interface StoreMemory {
  packets: number;
  /** typed-array index bytes allocated */
  indexBytes: number;
  /** engine-reported per-frame and conversation state */
  engineBytes: number;
  bytesPerPacket: number;
}

const ROW_CACHE = 4096;
const DETAIL_CACHE = 32;
/** packets examined between yields to the event loop in async scans */
const SCAN_SLICE = 20000;
/** fields the index answers without dissecting */
const INDEX_FIELDS = new Set([
  'tcp.analysis.flags',
  'frame.number',
  'frame.len',
  'frame.cap_len',
  'tcp.stream',
  'udp.stream',
]);
/** bytes of the first read of openFile: about 250 packets, indexed in a few milliseconds */
const FIRST_READ = 64 * 1024;

let defaultEngineFactory: (() => Promise<StoreEngine>) | undefined;

/** Lets the dissect layer provide the engine without the store importing every module eagerly. */
export function setDefaultEngineFactory(factory: () => Promise<StoreEngine>): void {
  defaultEngineFactory = factory;
}

async function defaultEngine(): Promise<StoreEngine> {
  if (defaultEngineFactory) return defaultEngineFactory();
  const m = await import('./default-engine.js');
  return m.createStoreEngine();
}

export class PacketStore {
  private readonly index = new PacketIndex();
  private readonly interfaces: CaptureInterfaceInfo[] = [];
  private readonly comments = new Map<number, string[]>();
  private readonly rowCache = new LruCache<number, PacketSummary>(ROW_CACHE);
  private readonly detailCache = new LruCache<number, PacketDetail>(DETAIL_CACHE);
  private readonly reader: BlockReader;
  private fileBytes = 0;
  private loadError: unknown = null;
  private closed = false;
  private knownFields: Set<string> | undefined;
  /** resolves when the whole file is indexed (at once for a live store) */
  readonly loaded: Promise<void>;
  private resolveLoaded!: () => void;
  private rejectLoaded!: (e: unknown) => void;
  private listeners = new Set<(count: number) => void>();

  private constructor(
    readonly path: string,
    private readonly engine: StoreEngine,
  ) {
    this.reader = new BlockReader(path, () => this.fileBytes);
    this.loaded = new Promise<void>((res, rej) => {
      this.resolveLoaded = res;
      this.rejectLoaded = rej;
    });
    // a store whose background load fails keeps its good packets; callers that await `loaded` see the error
    this.loaded.catch(() => undefined);
    engine.setFrameFetcher((no) =>
      no >= 1 && no <= this.index.count ? this.rawPacket(no, false) : undefined,
    );
  }

  /**
   * Opens a capture file and indexes it in a streaming pass. Resolves as soon as the first chunk
   * is indexed (its rows can be shown); indexing goes on in the background — `count` grows,
   * `onProgress` reports, `loaded` resolves at the end (or rejects with the CaptureFileError
   * after the last good packet). Rejects at once when the file cannot be read or is not a capture.
   */
  static async openFile(path: string, options: OpenOptions = {}): Promise<PacketStore> {
    const engine = options.engine ?? (await defaultEngine());
    let size: number;
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = st.size;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const hint =
        err.code === 'ENOENT'
          ? 'Check the path.'
          : err.code === 'EISDIR'
            ? 'Pick a capture file, not a folder.'
            : undefined;
      throw new CaptureFileError('io', 0, `Cannot read ${path}: ${err.message}`, hint);
    }
    const store = new PacketStore(path, engine);
    store.fileBytes = size;
    const firstChunk = new Promise<void>((resolve, reject) => {
      store.load(size, options, resolve).then(
        () => {
          store.resolveLoaded();
          resolve();
        },
        (e: unknown) => {
          store.loadError = e;
          store.rejectLoaded(e);
          reject(e);
        },
      );
    });
    try {
      await firstChunk;
    } catch (e) {
      // an error after some packets were indexed leaves a usable store (the error is in `loaded`)
      if (store.index.count === 0) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  /**
   * A store for a live capture: the capture writes the pcapng at `path` and calls `append` with
   * each packet (its dataOffset as the writer returned it). `fileBytes` is how far the file is
   * known to be written (flushed) so reads never pass it.
   */
  static async forCapture(path: string, options: { engine?: StoreEngine } = {}): Promise<PacketStore> {
    const store = new PacketStore(path, options.engine ?? (await defaultEngine()));
    store.resolveLoaded();
    return store;
  }

  private async load(size: number, options: OpenOptions, firstChunkDone: () => void): Promise<void> {
    const parser = createCaptureParser({
      onPacket: (p) => this.indexPacket(p),
      onInterface: (info) => this.addInterface(info),
    });
    const chunk = Buffer.allocUnsafe(Math.max(4096, options.chunkSize ?? 1 << 20));
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      throw new CaptureFileError('io', 0, `Cannot read ${this.path}: ${(e as Error).message}`);
    }
    try {
      let position = 0;
      let first = true;
      for (;;) {
        options.signal?.throwIfAborted();
        if (this.closed) return;
        let n: number;
        try {
          // a small first read shows the first rows quickly; then large reads for throughput
          const want = first ? Math.min(FIRST_READ, chunk.length) : chunk.length;
          n = (await fh.read(chunk, 0, want, position)).bytesRead;
        } catch (e) {
          throw new CaptureFileError(
            'io',
            position,
            `Cannot read ${this.path} at byte ${position}: ${(e as Error).message}`,
          );
        }
        if (n === 0) break;
        position += n;
        parser.push(chunk.subarray(0, n));
        this.notify();
        options.onProgress?.({
          packets: this.index.count,
          bytes: position,
          totalBytes: size,
          done: false,
        });
        if (first) {
          first = false;
          firstChunkDone();
        }
      }
      parser.end();
      this.fileBytes = Math.max(this.fileBytes, position);
      options.onProgress?.({
        packets: this.index.count,
        bytes: position,
        totalBytes: size,
        done: true,
      });
    } finally {
      await fh.close();
    }
  }

  private addInterface(info: CaptureInterfaceInfo): void {
    this.interfaces[info.id] = info;
  }

  private indexPacket(p: RawPacket): number {
    const no = this.index.count + 1;
    if (no === 1) this.engine.setTimeOrigin?.(p.tsSec, p.tsNsec);
    const info = this.engine.index(p, no);
    if (p.comments && p.comments.length > 0) this.comments.set(no, p.comments.slice());
    return this.index.push({
      dataOffset: p.dataOffset,
      tsSec: p.tsSec,
      tsNsec: p.tsNsec,
      capturedLength: p.capturedLength,
      originalLength: p.originalLength,
      interfaceId: p.interfaceId,
      protocol: info.protocol,
      protoMask: info.protoMask,
      conversation: info.conversation,
      flags: info.flags,
      severity: info.severity,
    });
  }

  /** Live capture: declare an interface before its packets. */
  addCaptureInterface(info: CaptureInterfaceInfo): void {
    this.addInterface(info);
  }

  /**
   * Live capture: indexes one packet already written to the file at raw.dataOffset. `fileBytes`
   * is the file's flushed length after it. Returns the packet number.
   */
  append(raw: RawPacket, fileBytes?: number): number {
    if (this.closed) throw new Error('PacketStore: append after close');
    if (!this.interfaces[raw.interfaceId]) {
      this.addInterface({
        id: raw.interfaceId,
        linkType: raw.linkType,
        snapLength: 262144,
        tsUnitNs: 1000,
      });
    }
    this.fileBytes = Math.max(this.fileBytes, fileBytes ?? raw.dataOffset + raw.capturedLength);
    this.reader.invalidate();
    const no = this.indexPacket(raw);
    this.notify();
    return no;
  }

  /** Called with the new packet count whenever packets were indexed. Returns an unsubscribe. */
  onGrow(listener: (count: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l(this.index.count);
  }

  get count(): number {
    return this.index.count;
  }

  /** true once the file is wholly indexed */
  get complete(): Promise<void> {
    return this.loaded;
  }

  /** the error that stopped indexing early (the packets before it are usable), or null */
  get error(): unknown {
    return this.loadError;
  }

  /** Interfaces seen so far (pcapng IDBs; one for classic pcap). */
  get captureInterfaces(): readonly CaptureInterfaceInfo[] {
    return this.interfaces.filter(Boolean);
  }

  /** Digits after the decimal point of the Time column (6 for µs captures, 9 for ns), as tshark prints. */
  get timePrecision(): number {
    const first = this.interfaces.find(Boolean);
    return first && first.tsUnitNs < 1000 ? 9 : 6;
  }

  /** The packet as the engine takes it; `copy` false returns bytes through the scan window. */
  private rawPacket(no: number, sequential: boolean): RawPacket {
    const r = this.index.row(no);
    const iface = this.interfaces[r.interfaceId];
    const data = sequential
      ? this.reader.readSequential(r.dataOffset, r.capturedLength)
      : this.reader.read(r.dataOffset, r.capturedLength);
    const raw: RawPacket = {
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      capturedLength: r.capturedLength,
      originalLength: r.originalLength,
      interfaceId: r.interfaceId,
      linkType: iface ? iface.linkType : 1,
      data,
      dataOffset: r.dataOffset,
    };
    const c = this.comments.get(no);
    if (c) raw.comments = c;
    return raw;
  }

  /** The packet's stored bytes (a copy). */
  bytes(no: number): Uint8Array {
    const r = this.index.row(no);
    return this.reader.read(r.dataOffset, r.capturedLength);
  }

  /** One row of the packet list, built on demand and cached. */
  row(no: number): PacketSummary {
    let s = this.rowCache.get(no);
    if (!s) {
      s = this.engine.summary(this.rawPacket(no, false), no);
      this.rowCache.set(no, s);
    }
    return s;
  }

  /**
   * Rows `from` .. `from + count - 1` (0-based positions) of a view, or of the whole capture when
   * view is null. Positions past the end are left out.
   */
  rows(view: View | null, from: number, count: number): PacketSummary[] {
    const total = view ? view.packets.length : this.index.count;
    const start = Math.max(0, Math.floor(from));
    const end = Math.min(total, start + Math.max(0, Math.floor(count)));
    const out: PacketSummary[] = [];
    for (let i = start; i < end; i++) out.push(this.row(view ? view.packets[i] : i + 1));
    return out;
  }

  /** The details of one packet: tree, bytes, expert items (cached for the last few asked). */
  detail(no: number): PacketDetail {
    let d = this.detailCache.get(no);
    if (!d) {
      d = this.engine.dissect(this.rawPacket(no, false), no);
      this.detailCache.set(no, d);
    }
    return d;
  }

  /** Field and protocol names the dissectors declare (for filter suggestions and checks). */
  fieldNames(): ReadonlySet<string> {
    if (!this.knownFields) this.knownFields = new Set(this.engine.fieldNames());
    return this.knownFields;
  }

  /** Compiles a display filter against the engine's field names (throws FilterError). */
  compile(expr: string): CompiledFilter {
    return compileFilter(expr, { knownFields: this.fieldNames() });
  }

  /** Applies a display filter to every packet indexed so far. A blank filter gives null (= all). */
  filter(expr: string): View | null {
    if (isEmptyFilter(expr)) return null;
    const it = this.scan(this.compile(expr), 1);
    let r = it.next();
    while (!r.done) r = it.next();
    return r.value;
  }

  /** Like filter(), yielding to the event loop between slices so a UI stays responsive. */
  async filterAsync(expr: string, options: FilterOptions = {}): Promise<View | null> {
    if (isEmptyFilter(expr)) return null;
    const it = this.scan(this.compile(expr), 1);
    for (;;) {
      options.signal?.throwIfAborted();
      const r = it.next();
      if (r.done) {
        options.onProgress?.(1);
        return r.value;
      }
      options.onProgress?.(r.value);
      await new Promise<void>((res) => setImmediate(res));
    }
  }

  /** Packet numbers from `fromNo` on that pass an already compiled filter (for live views). */
  matchFrom(filter: CompiledFilter, fromNo: number): Uint32Array {
    const it = this.scan(filter, fromNo);
    let r = it.next();
    while (!r.done) r = it.next();
    return r.value.packets;
  }

  /**
   * The filter loop. Presence-only filters on protocols and analysis flags are answered from the
   * index; others dissect each packet, skipping packets that lack a protocol the filter needs.
   * Yields the fraction done every SCAN_SLICE packets.
   */
  private *scan(filter: CompiledFilter, fromNo: number): Generator<number, View, void> {
    const count = this.index.count;
    const out = new Uint32Array(Math.max(0, count - fromNo + 1));
    let n = 0;
    const fast = this.indexSource(filter);
    const required = this.requiredMask(filter.ast);
    // A protocol compared as bytes (`http contains "Proxy"`) needs the tree's byte ranges; any
    // other filter reads values only, so no tree, labels or columns are built for it.
    const valuesOnly =
      this.engine.fields !== undefined && ![...filter.valueNames].some((n) => this.engine.protocolId(n) > 0);
    for (let no = fromNo; no <= count; no++) {
      if ((no - fromNo) % SCAN_SLICE === SCAN_SLICE - 1)
        yield (no - fromNo) / Math.max(1, count - fromNo + 1);
      let pass: boolean;
      if (fast) {
        fast.no = no;
        pass = filter.test(fast);
      } else {
        if ((this.index.protoMask(no) & required) >>> 0 !== required) continue;
        const raw = this.rawPacket(no, true);
        if (valuesOnly) {
          pass = filter.test(this.engine.fields!(raw, no, filter.names));
        } else {
          const d = this.engine.dissect(raw, no);
          pass = filter.test(withProtocolBytes(d, d.fields));
        }
      }
      if (pass) out[n++] = no;
    }
    return { filter: filter.text, packets: out.slice(0, n) };
  }

  /**
   * A FieldSource over the index alone when every name the filter reads is in it: protocols,
   * tcp.analysis.flags, frame.number/len/cap_len and tcp.stream/udp.stream (so "follow stream"
   * filters never dissect). Undefined otherwise.
   */
  private indexSource(filter: CompiledFilter): (FieldSource & { no: number }) | undefined {
    const bits = new Map<string, number>();
    const analysis = this.engine.analysisFlagsMask;
    let streams = false;
    for (const name of filter.names) {
      if (INDEX_FIELDS.has(name)) {
        if (name === 'tcp.analysis.flags' && analysis === 0) return undefined;
        if (name === 'tcp.stream' || name === 'udp.stream') streams = true;
        continue;
      }
      // a protocol compared as bytes (`http contains "x"`) needs the packet itself
      if (filter.valueNames.has(name)) return undefined;
      if (name === 'frame') continue;
      const id = this.engine.protocolId(name);
      if (id < 1 || id > 30) return undefined;
      bits.set(name, 2 ** id);
    }
    // conversation id -> stream number, and whether it is TCP (1) or UDP (2)
    const streamOf: number[] = [];
    const transportOf: number[] = [];
    if (streams) {
      for (const c of this.engine.conversations()) {
        streamOf[c.id] = c.stream;
        transportOf[c.id] = c.transport === 'tcp' ? 1 : 2;
      }
    }
    const index = this.index;
    const TRUE: readonly FieldValue[] = [true];
    const NONE: readonly FieldValue[] = [];
    const src = {
      no: 0,
      hasProtocol(name: string): boolean {
        if (name === 'frame') return true;
        const b = bits.get(name);
        return b !== undefined && (index.protoMask(src.no) & b) >>> 0 !== 0;
      },
      values(name: string): readonly FieldValue[] {
        switch (name) {
          case 'tcp.analysis.flags':
            return (index.flags(src.no) & analysis) !== 0 ? TRUE : NONE;
          case 'frame.number':
            return [src.no];
          case 'frame.len':
            return [index.originalLength(src.no)];
          case 'frame.cap_len':
            return [index.capturedLength(src.no)];
          case 'tcp.stream':
          case 'udp.stream': {
            const c = index.conversation(src.no);
            return c >= 0 && transportOf[c] === (name === 'tcp.stream' ? 1 : 2) ? [streamOf[c]] : NONE;
          }
          default:
            return NONE;
        }
      },
    };
    return src;
  }

  /** Protocol mask bits a packet must have for the filter to possibly match it. */
  private requiredMask(node: FilterNode): number {
    switch (node.kind) {
      case 'and':
        return (this.requiredMask(node.left) | this.requiredMask(node.right)) >>> 0;
      case 'or':
      case 'xor':
        return node.kind === 'or' ? (this.requiredMask(node.left) & this.requiredMask(node.right)) >>> 0 : 0;
      case 'not':
        return 0;
      default: {
        // a test on field "proto.x" (or protocol "proto") fails when "proto" is absent
        const name = node.field.name;
        const dot = name.indexOf('.');
        const id = this.engine.protocolId(dot < 0 ? name : name.slice(0, dot));
        return id >= 1 && id <= 30 ? 2 ** id : 0;
      }
    }
  }

  conversations(): ConversationInfo[] {
    return this.engine.conversations();
  }

  /** Worst expert severity of a packet (0 none .. 4 error), from the index. */
  severity(no: number): number {
    return this.index.severity(no);
  }

  /** Conversation id of a packet (-1 for none), from the index. */
  conversationOf(no: number): number {
    return this.index.conversation(no);
  }

  memory(): StoreMemory {
    const packets = this.index.count;
    const engineBytes = this.engine.memoryBytes?.() ?? 0;
    return {
      packets,
      indexBytes: this.index.memoryBytes,
      engineBytes,
      bytesPerPacket:
        packets === 0
          ? 0
          : (Math.min(this.index.memoryBytes, packets * INDEX_BYTES_PER_PACKET) + engineBytes) / packets,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close();
    this.rowCache.clear();
    this.detailCache.clear();
    this.listeners.clear();
  }
}
