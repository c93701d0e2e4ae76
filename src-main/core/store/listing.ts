// The packet list of a capture file as text, in one streaming pass: what `proxyscope analyze`
// prints (tshark-like text, TSV or JSON rows), with display filtering and the findings (expert
// items of warn/error severity). A PacketLister can own only a part of the packets (see
// partition.ts) so several can run in parallel threads on one file.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { readChunkSync } from '../pcap/file-reader.js';
import { PacketEngine, type ConversationInfo } from '../dissect/engine.js';
import type { ExpertSeverity, PacketSummary } from '../dissect/types.js';
import { compileFilter, type CompiledFilter } from '../filter/index.js';
import { createCaptureParser } from '../pcap/parser.js';
import { CaptureFileError, type CaptureInterfaceInfo, type RawPacket } from '../pcap/types.js';
import { TCP_ANALYSIS_MASK } from './default-engine.js';
import { partitionKey } from './partition.js';
import { withProtocolBytes } from './protocol-bytes.js';
import type { RowBytes } from './row-bytes.js';

export type ListFormat = 'text' | 'tsv' | 'json';

/** An expert item of warn or error severity, as the JSON output lists it. */
export interface ListFinding {
  no: number;
  severity: ExpertSeverity;
  group: string;
  id: string;
  message: string;
}

export interface ListerOptions {
  format: ListFormat;
  /** display filter (already known to compile), or null for every packet */
  filter: string | null;
  /** collect findings (dissects the packets whose index says warn or worse) */
  findings: boolean;
  /** own only the packets whose partition key falls in this part */
  part?: { index: number; count: number };
}

/** The TSV header line. */
export const TSV_HEADER = 'no\ttime\tsrc\tdst\tprotocol\tlength\tinfo\n';

/** Info text with tabs and line breaks turned into spaces (addresses and protocol names never hold them). */
const BREAKS = /[\t\r\n]/;
function oneLine(s: string): string {
  return BREAKS.test(s) ? s.replace(/[\t\r\n]/g, ' ') : s;
}

/** tshark's one-line layout (print_columns): No. ≥5 and Time ≥10 right-aligned, Source ≥12 right-aligned, "→", Destination ≥12 left-aligned. */
export function textRow(s: PacketSummary, time: string): string {
  const no = String(s.no);
  return `${no.length < 5 ? no.padStart(5) : no} ${time.length < 10 ? time.padStart(10) : time} ${s.src.length < 12 ? s.src.padStart(12) : s.src} → ${s.dst.length < 12 ? s.dst.padEnd(12) : s.dst} ${s.protocol} ${s.length} ${oneLine(s.info)}\n`;
}

export function tsvRow(s: PacketSummary, time: string): string {
  return `${s.no}\t${time}\t${s.src}\t${s.dst}\t${s.protocol}\t${s.length}\t${oneLine(s.info)}\n`;
}

/** One packet as a JSON object (no separator; the caller joins them). */
export function jsonRow(s: PacketSummary, time: string): string {
  const o: Record<string, unknown> = {
    no: s.no,
    time: Number(time),
    src: s.src,
    dst: s.dst,
    protocol: s.protocol,
    length: s.length,
    info: s.info,
  };
  if (s.comment !== undefined) o.comment = s.comment;
  return JSON.stringify(o);
}

const TRUE = [true] as const;
const NONE = [] as const;

/** A filter evaluated from the first pass's numbers alone when it only asks about protocols. */
function fastTester(
  filter: CompiledFilter,
  engine: PacketEngine,
): ((mask: number, flags: number) => boolean) | null {
  if (!filter.presenceOnly) return null;
  const bits = new Map<string, number>();
  for (const name of filter.names) {
    if (name === 'tcp.analysis.flags' || name === 'frame') continue;
    const id = engine.registry.protocolId(name);
    if (id < 1 || id > 30) return null;
    bits.set(name, 1 << id);
  }
  let mask = 0;
  let flags = 0;
  const src = {
    hasProtocol: (n: string) => n === 'frame' || ((bits.get(n) ?? 0) & mask) !== 0,
    values: (n: string) => (n === 'tcp.analysis.flags' && (flags & TCP_ANALYSIS_MASK) !== 0 ? TRUE : NONE),
  };
  return (m, f) => {
    mask = m;
    flags = f;
    return filter.test(src);
  };
}

/** Field names for filter checks (unknown names are errors with a suggestion). */
export function knownFieldNames(engine: PacketEngine): string[] {
  return [...engine.registry.fields()].map((f) => f.name);
}

/** Frames a closed TCP conversation must stay quiet before its application state is let go. */
const RELEASE_IDLE_FRAMES = 20_000;
/** How often (in frames) the closed conversations are looked for. */
const RELEASE_EVERY = 8192;

/**
 * Lets go of the application-protocol state (HTTP requests, TLS handshake, …) of TCP conversations
 * that have ended (a FIN each way, or a RST) and seen no packet for RELEASE_IDLE_FRAMES frames: a
 * listing never revisits them, and a million-packet capture holds tens of thousands. The TCP
 * state stays (a late retransmission is still analysed as tshark would), and so do the counters
 * and the protocols the conversation carried (the JSON conversation list).
 */
class ClosedConversationReleaser {
  /** ids of conversations whose state is still held */
  private held: number[] = [];
  private nextId = 0;
  private nextSweep = RELEASE_EVERY;

  constructor(private readonly engine: PacketEngine) {}

  /** Called for every packet (in frame order) with its conversation id. */
  seen(conv: number, no: number): void {
    while (conv >= this.nextId) this.held.push(this.nextId++);
    if (no >= this.nextSweep) {
      this.nextSweep = no + RELEASE_EVERY;
      this.sweep(no);
    }
  }

  private sweep(no: number): void {
    const keep: number[] = [];
    for (const id of this.held) {
      const c = this.engine.conversation(id);
      const t = c?.tcp;
      if (!c || c.transport !== 6) continue; // UDP keeps its (small) state; nothing ends it
      if (
        !t ||
        !(t.rstSeen || (t.dirs[0].finSeen && t.dirs[1].finSeen)) ||
        no - c.lastFrame < RELEASE_IDLE_FRAMES
      ) {
        keep.push(id);
        continue;
      }
      this.engine.releaseConversation(id, true);
    }
    this.held = keep;
  }
}

export class PacketLister {
  // a listing asks for rows and details only of the frame it has just indexed: the engine keeps
  // no reassembled PDUs nor per-frame records for frames behind it
  readonly engine = new PacketEngine({ keepReassembled: false, sequential: true });
  readonly findings: ListFinding[] = [];
  private readonly filter: CompiledFilter | null;
  private readonly fast: ((mask: number, flags: number) => boolean) | null;
  private readonly valuesOnly: boolean;
  private readonly row: (s: PacketSummary, time: string) => string;
  private readonly interfaces: CaptureInterfaceInfo[] = [];
  private originSec = 0;
  private originNsec = 0;
  private digits = -1;
  private readonly releaser = new ClosedConversationReleaser(this.engine);

  constructor(private readonly options: ListerOptions) {
    this.filter =
      options.filter === null
        ? null
        : compileFilter(options.filter, { knownFields: knownFieldNames(this.engine) });
    this.fast = this.filter ? fastTester(this.filter, this.engine) : null;
    // a protocol compared as bytes (`http contains "x"`) needs the tree's byte ranges
    this.valuesOnly =
      this.filter !== null &&
      ![...this.filter.valueNames].some((n) => this.engine.registry.protocolId(n) > 0);
    this.row = options.format === 'text' ? textRow : options.format === 'tsv' ? tsvRow : jsonRow;
    // a deferred Info must be written before the engine dissects anything else: not when the
    // filter or the findings dissect the packet again
    this.canDeferInfo =
      options.format !== 'json' && !options.findings && (this.filter === null || this.fast !== null);
  }
  private readonly canDeferInfo: boolean;

  addInterface(info: CaptureInterfaceInfo): void {
    this.interfaces[info.id] = info;
  }

  /**
   * Takes every packet of the file in order; returns its row (text/TSV with a newline, JSON
   * without separator), or null when it is filtered out or belongs to another part.
   */
  packet(raw: RawPacket, no: number): string | null {
    const summary = this.select(raw, no, false);
    if (summary === null) return null;
    return this.row(summary, this.timeText(raw));
  }

  /**
   * packet() for text and TSV, with the row written as UTF-8 into `out` (the same bytes as
   * encoding packet()'s string). Returns whether the packet was listed.
   */
  packetInto(raw: RawPacket, no: number, out: RowBytes): boolean {
    const summary = this.select(raw, no, this.canDeferInfo);
    if (summary === null) return false;
    const format = this.options.format;
    if (format === 'json' || !this.splitTime(raw)) {
      if (this.engine.infoDeferred) summary.info = this.engine.lastInfo();
      out.text(this.row(summary, this.timeText(raw)));
      return true;
    }
    if (format === 'tsv') out.tsvRowHead(summary, this.whole, this.fraction, this.digits);
    else out.textRowHead(summary, this.whole, this.fraction, this.digits);
    // TCP's Info goes from its numbers straight into the bytes
    if (this.engine.infoDeferred) this.engine.writeInfo(out.infoSink);
    else out.text(summary.info, true);
    out.newline();
    return true;
  }

  /** The packet's summary when it is listed (first pass, filter, findings), else null. */
  private select(raw: RawPacket, no: number, deferInfo: boolean): PacketSummary | null {
    if (no === 1) {
      // times count from the file's first packet, whichever part owns it
      this.originSec = raw.tsSec;
      this.originNsec = raw.tsNsec;
      this.digits = (this.interfaces[raw.interfaceId]?.tsUnitNs ?? 1000) < 1000 ? 9 : 6;
    }
    const part = this.options.part;
    if (part && part.count > 1 && partitionKey(raw.linkType, raw.data) % part.count !== part.index)
      return null;
    const engine = this.engine;
    // one dissection gives the index numbers and the row as a single pass (tshark -r) shows it
    const { fast: fi, summary } = deferInfo
      ? engine.indexWithSummaryDeferred(raw, no)
      : engine.indexWithSummary(raw, no);
    if (fi.conv >= 0) this.releaser.seen(fi.conv, no);
    const severity = fi.severity;
    const findings = this.options.findings && severity >= 3;
    const filter = this.filter;
    if (filter) {
      if (this.fast) {
        if (!this.fast(fi.protoMask, fi.flags)) return null;
      } else {
        if (this.valuesOnly && !findings) {
          // field values without a tree (of this frame, right after its first pass)
          if (!filter.test(engine.fields(raw, no, filter.names))) return null;
        } else {
          const d = engine.dissect(raw, no);
          if (!filter.test(withProtocolBytes(d, d.fields))) return null;
          if (findings) this.collect(no, d.expert);
        }
      }
    }
    if (findings && (!filter || this.fast)) this.collect(no, engine.dissect(raw, no).expert);
    return summary;
  }

  /** Seconds since the first packet, with `digits` fraction digits. */
  private timeText(raw: RawPacket): string {
    if (this.splitTime(raw)) return `${this.whole}.${String(this.fraction).padStart(this.digits, '0')}`;
    return (raw.tsSec - this.originSec + (raw.tsNsec - this.originNsec) / 1e9).toFixed(this.digits);
  }

  /**
   * The time since the first packet as whole seconds and `digits` fraction digits, in integers
   * (as tshark prints it: exact, no binary rounding); false when it is negative or has more
   * precision than `digits` shows (the caller rounds with toFixed then).
   */
  private splitTime(raw: RawPacket): boolean {
    let whole = raw.tsSec - this.originSec;
    let ns = raw.tsNsec - this.originNsec;
    if (ns < 0) {
      ns += 1e9;
      whole--;
    }
    const unit = this.digits === 9 ? 1 : 1000;
    if (whole < 0 || ns % unit !== 0) return false;
    this.whole = whole;
    this.fraction = ns / unit;
    return true;
  }
  private whole = 0;
  private fraction = 0;

  private collect(
    no: number,
    expert: { id: string; severity: ExpertSeverity; group: string; message: string }[],
  ): void {
    for (const x of expert) {
      if (x.severity === 'warn' || x.severity === 'error') {
        this.findings.push({ no, severity: x.severity, group: x.group, id: x.id, message: x.message });
      }
    }
  }

  conversations(): ConversationInfo[] {
    return this.engine.conversations();
  }
}

/** Opens a capture for reading; throws CaptureFileError('io') with a plain reason. */
export function openCapture(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new CaptureFileError('io', 0, `cannot read ${path}: ${why}.`);
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new CaptureFileError('io', 0, `${path} is a folder; give a .pcap or .pcapng file.`);
  }
  return fd;
}

export interface StreamResult {
  packets: number;
  /** the problem that stopped reading early (packets before it were delivered), or null */
  failure: CaptureFileError | null;
}

/**
 * Reads the capture in 1 MiB chunks through the parser; `afterChunk` runs between chunks (to
 * flush output or wait for a consumer). Closes the file. `onPacket` gets one reused RawPacket
 * object, valid during the call only: copy what you keep.
 */
export async function streamCapture(
  fd: number,
  path: string,
  onPacket: (raw: RawPacket, no: number) => void,
  onInterface: (info: CaptureInterfaceInfo) => void,
  afterChunk: () => Promise<void> | void,
): Promise<StreamResult> {
  let count = 0;
  const parser = createCaptureParser({
    onPacket: (raw) => onPacket(raw, ++count),
    onInterface,
    // the callback keeps nothing of a packet: one object serves them all
    reusePacket: true,
  });
  const chunk = Buffer.allocUnsafe(1 << 20);
  let failure: CaptureFileError | null = null;
  try {
    let position = 0;
    for (;;) {
      const n = readChunkSync(fd, path, chunk, position);
      if (n === 0) break;
      position += n;
      parser.push(chunk.subarray(0, n));
      await afterChunk();
    }
    parser.end();
  } catch (e) {
    if (!(e instanceof CaptureFileError)) throw e;
    failure = e;
  } finally {
    closeSync(fd);
  }
  return { packets: count, failure };
}
