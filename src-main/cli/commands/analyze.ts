// `proxyscope analyze FILE [--filter EXPR] [--format text|tsv|json]`: reads a capture in one
// streaming pass and prints the packet list the way `tshark -r` does (or as TSV / JSON). Output is
// written in chunks as the file is read, so a million-packet file never becomes a million strings.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import { createCaptureParser } from '../../core/pcap/parser.js';
import { CaptureFileError, type CaptureInterfaceInfo, type RawPacket } from '../../core/pcap/types.js';
import { PacketEngine, type ConversationInfo } from '../../core/dissect/engine.js';
import type { ExpertSeverity, PacketSummary } from '../../core/dissect/types.js';
import { TCP_ANALYSIS_MASK } from '../../core/store/default-engine.js';
import { compileFilter, FilterError, isEmptyFilter, type CompiledFilter } from '../../core/filter/index.js';

type Format = 'text' | 'tsv' | 'json';

const USAGE = `Usage: proxyscope analyze FILE [--filter EXPR] [--format text|tsv|json]

Reads a pcap or pcapng file and prints its packet list.

  FILE              capture file (.pcap or .pcapng, e.g. written by tcpdump -w)
  -Y, --filter EXPR display filter in Wireshark syntax, e.g. 'tcp.port == 3128 && http'
  -T, --format FMT  text (default; like tshark -r), tsv (no, time, src, dst, protocol,
                    length, info), or json (packets, conversations, findings)

Exit status: 0 on success, 1 on a bad option, filter or file.`;

/** An expert item of warn or error severity, as the JSON output lists it. */
export interface AnalyzeFinding {
  no: number;
  severity: ExpertSeverity;
  group: string;
  id: string;
  message: string;
}

/**
 * The JSON document's tail, built after the pass. Seam for the diagnosis: a function from
 * core/diagnose that turns conversations + findings into verdicts/ladders can be called in
 * `buildReport` below and its result added as further keys.
 */
export interface AnalyzeReport {
  conversations: ConversationInfo[];
  findings: AnalyzeFinding[];
}

interface Options {
  file: string;
  filter: string | null;
  format: Format;
}

function parseArgs(args: string[]): Options {
  let file: string | undefined;
  let filter: string | null = null;
  let format: Format = 'text';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--filter' || a === '-Y' || a === '-f') filter = value();
    else if (a.startsWith('--filter=')) filter = a.slice('--filter='.length);
    else if (a === '--format' || a === '-T') format = checkFormat(value());
    else if (a.startsWith('--format=')) format = checkFormat(a.slice('--format='.length));
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`one capture file at a time (got "${file}" and "${a}")`);
  }
  if (file === undefined) throw new UsageError('which capture file? Give its path.');
  return { file, filter: isEmptyFilter(filter) ? null : filter, format };
}

function checkFormat(v: string): Format {
  if (v === 'text' || v === 'tsv' || v === 'json') return v;
  throw new UsageError(`--format must be text, tsv or json (got "${v}")`);
}

/**
 * Output encoded straight into a reused buffer and written in large chunks, waiting for a slow
 * reader (a pipe) instead of buffering everything: no per-row joins, no million-string arrays.
 */
class ChunkedOutput {
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  write(s: string): void {
    // a UTF-8 character takes at most 3 bytes per UTF-16 unit
    if (this.used + s.length * 3 > this.buf.length) {
      this.spill();
      if (s.length * 3 > this.buf.length) this.buf = Buffer.allocUnsafe(s.length * 3);
    }
    this.used += this.buf.write(s, this.used);
  }
  get pending(): number {
    return this.used;
  }
  private queued: Buffer[] = [];
  /** moves the filled part aside (a copy) so the buffer can be reused */
  private spill(): void {
    if (this.used === 0) return;
    this.queued.push(Buffer.from(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
  async flush(): Promise<void> {
    this.spill();
    const parts = this.queued;
    this.queued = [];
    for (const p of parts) {
      if (!this.stream.write(p)) await new Promise<void>((res) => this.stream.once('drain', () => res()));
    }
  }
}

/** The Time column as tshark prints it: seconds since the first packet, 6 or 9 decimals. */
function formatTime(t: number, digits: number): string {
  return t.toFixed(digits);
}

function oneLine(s: string): string {
  return s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
    ? s.replace(/[\t\r\n]/g, ' ')
    : s;
}

/** tshark's default one-line layout (print_columns): padded No., Time, Source; "→"; padded Destination. */
export function textRow(s: PacketSummary, digits: number): string {
  const no = String(s.no);
  const time = formatTime(s.time, digits);
  return `${no.length < 5 ? no.padStart(5) : no} ${time.length < 10 ? time.padStart(10) : time} ${s.src.length < 12 ? s.src.padStart(12) : s.src} → ${s.dst.length < 12 ? s.dst.padEnd(12) : s.dst} ${s.protocol} ${s.length} ${oneLine(s.info)}\n`;
}

export function tsvRow(s: PacketSummary, digits: number): string {
  return `${s.no}\t${formatTime(s.time, digits)}\t${oneLine(s.src)}\t${oneLine(s.dst)}\t${oneLine(s.protocol)}\t${s.length}\t${oneLine(s.info)}\n`;
}

function jsonRow(s: PacketSummary, digits: number): string {
  const o: Record<string, unknown> = {
    no: s.no,
    time: Number(formatTime(s.time, digits)),
    src: s.src,
    dst: s.dst,
    protocol: s.protocol,
    length: s.length,
    info: s.info,
  };
  if (s.comment !== undefined) o.comment = s.comment;
  return JSON.stringify(o);
}

/** How a compiled filter is evaluated: from the first pass's small numbers when it only asks about protocols. */
function fastTester(
  filter: CompiledFilter,
  engine: PacketEngine,
): ((protoMask: number, flags: number) => boolean) | null {
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

const TRUE = [true] as const;
const NONE = [] as const;

function buildReport(engine: PacketEngine, findings: AnalyzeFinding[]): AnalyzeReport {
  return { conversations: engine.conversations(), findings };
}

export async function analyzeFile(opts: Options, out: NodeJS.WritableStream, io: CliIo): Promise<number> {
  const engine = new PacketEngine();
  let filter: CompiledFilter | null = null;
  if (opts.filter !== null) {
    try {
      filter = compileFilter(opts.filter, { knownFields: [...engine.registry.fields()].map((f) => f.name) });
    } catch (e) {
      if (e instanceof FilterError) {
        io.err(
          `proxyscope analyze: bad filter: ${e.message}\n  ${opts.filter}\n  ${' '.repeat(e.position)}${'^'.repeat(Math.min(e.length, Math.max(1, opts.filter.length - e.position)))}`,
        );
        return 1;
      }
      throw e;
    }
  }
  const fast = filter ? fastTester(filter, engine) : null;

  let fd: number;
  try {
    fd = openSync(opts.file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      io.err(`proxyscope analyze: ${opts.file} is a folder; give a .pcap or .pcapng file.`);
      return 1;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    io.err(`proxyscope analyze: cannot read ${opts.file}: ${why}.`);
    return 1;
  }

  const output = new ChunkedOutput(out);
  const interfaces: CaptureInterfaceInfo[] = [];
  let digits = -1;
  const findings: AnalyzeFinding[] = [];
  let first = true;
  let count = 0;
  const wantFindings = opts.format === 'json';
  const row = opts.format === 'text' ? textRow : opts.format === 'tsv' ? tsvRow : null;

  if (opts.format === 'json') output.write(`{"file":${JSON.stringify(opts.file)},"packets":[`);
  if (opts.format === 'tsv') output.write('no\ttime\tsrc\tdst\tprotocol\tlength\tinfo\n');

  const onPacket = (raw: RawPacket): void => {
    const no = ++count;
    if (digits < 0) digits = (interfaces[raw.interfaceId]?.tsUnitNs ?? 1000) < 1000 ? 9 : 6;
    const fi = engine.index(raw, no);
    const severity = fi.severity;
    let summary: PacketSummary | null = null;
    if (filter) {
      if (fast) {
        if (!fast(fi.protoMask, fi.flags)) return;
      } else {
        const d = engine.dissect(raw, no);
        if (!filter.test(d.fields)) return;
        summary = d.summary;
        if (wantFindings && severity >= 3) collectFindings(no, d.expert, findings);
      }
    }
    if (wantFindings && severity >= 3 && summary === null) {
      const d = engine.dissect(raw, no);
      summary = d.summary;
      collectFindings(no, d.expert, findings);
    }
    if (summary === null) summary = engine.summary(raw, no);
    if (row) output.write(row(summary, digits));
    else {
      output.write(first ? '\n' : ',\n');
      output.write(jsonRow(summary, digits));
    }
    first = false;
  };
  const parser = createCaptureParser({ onPacket, onInterface: (i) => (interfaces[i.id] = i) });

  let failure: CaptureFileError | null = null;
  const chunk = Buffer.allocUnsafe(1 << 20);
  try {
    let position = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, position);
      } catch (e) {
        throw new CaptureFileError(
          'io',
          position,
          `cannot read ${opts.file} at byte ${position}: ${(e as Error).message}`,
        );
      }
      if (n === 0) break;
      position += n;
      parser.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      await output.flush();
    }
    parser.end();
  } catch (e) {
    if (!(e instanceof CaptureFileError)) throw e;
    failure = e;
  } finally {
    closeSync(fd);
  }

  if (opts.format === 'json') {
    const report = buildReport(engine, findings);
    output.write(
      `${first ? '' : '\n'}],\n"conversations":${JSON.stringify(report.conversations)},\n"findings":${JSON.stringify(report.findings)}}\n`,
    );
  }
  await output.flush();
  if (failure) {
    const where = count > 0 ? ` after packet ${count}` : '';
    io.err(
      `proxyscope analyze: ${opts.file}: ${failure.message}${where ? ` (stopped${where})` : ''}${failure.hint ? `\n${failure.hint}` : ''}`,
    );
    return 1;
  }
  return 0;
}

function collectFindings(
  no: number,
  expert: { id: string; severity: ExpertSeverity; group: string; message: string }[],
  into: AnalyzeFinding[],
): void {
  for (const x of expert) {
    if (x.severity === 'warn' || x.severity === 'error')
      into.push({ no, severity: x.severity, group: x.group, id: x.id, message: x.message });
  }
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'print the packet list of a pcap/pcapng file (like tshark -r), optionally filtered',
  usage: USAGE,
  async run(args, io) {
    const opts = parseArgs(args);
    return analyzeFile(opts, process.stdout, io);
  },
};
