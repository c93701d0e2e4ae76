// `proxyscope capture`: live capture to pcapng with limits, progress and final stats.
import { forEachOption, positiveNumber, unknownOption } from '../options.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import {
  AUTO_ORDER,
  CaptureError,
  startCapture,
  type BackendName,
  type CaptureOptions,
  type CaptureStats,
} from '../../core/capture/index.js';
import type { RawPacket } from '../../core/pcap/types.js';

const usage = `Usage: proxyscope capture --interface IFACE [options]

Captures live packets to a pcapng file (flushed at least every 500 ms, so a crash loses at most that).

Options:
  -i, --interface IFACE     interface to capture on (see: proxyscope interfaces)
  -f, --filter BPF          capture filter, e.g. "host 192.0.2.10 and tcp port 3128 or icmp"
  -c, --count N             stop after N packets
  -d, --duration S          stop after S seconds
      --max-mb N            stop after N MB written
  -w, --write FILE.pcapng   write the packets here (ring mode: the base name)
      --ring N:MB           ring buffer: keep the last N files of MB megabytes each
  -b, --backend NAME        auto (default), dumpcap, tcpdump or cap
      --promisc             put the interface in promiscuous mode (cap always does)
  -v, --verbose             one Wireshark-like row per packet, live
  -q, --quiet               no progress lines (the start line and final stats remain)

Stop with Ctrl-C; the file is complete up to the last packet.`;

interface Parsed {
  opts: CaptureOptions;
  verbose: boolean;
  quiet: boolean;
}

/** --backend's value (capture and interfaces): auto or one of the capture backends. */
export function parseBackendChoice(v: string): BackendName | 'auto' {
  if (v === 'auto' || (AUTO_ORDER as readonly string[]).includes(v)) return v as BackendName | 'auto';
  throw new UsageError(`--backend is one of auto, dumpcap, tcpdump, cap (got ${v}).`);
}

export function parseCaptureArgs(args: string[]): Parsed {
  const opts: CaptureOptions = { interface: '', limits: {} };
  let verbose = false;
  let quiet = false;
  forEachOption(args, ({ flag, value }) => {
    switch (flag) {
      case '-i':
      case '--interface':
        opts.interface = value();
        break;
      case '-f':
      case '--filter':
        opts.filter = value();
        break;
      case '-c':
      case '--count':
        opts.limits!.count = Math.floor(positiveNumber(flag, value()));
        break;
      case '-d':
      case '--duration':
        opts.limits!.durationSec = positiveNumber(flag, value());
        break;
      case '--max-mb':
        opts.limits!.maxBytes = Math.floor(positiveNumber(flag, value()) * 1e6);
        break;
      case '-w':
      case '--write':
        opts.writePath = value();
        break;
      case '--ring': {
        const v = value();
        const m = /^(\d+):(\d+(?:\.\d+)?)$/.exec(v);
        if (!m) throw new UsageError(`--ring takes FILES:MB, e.g. --ring 5:100 (got ${v}).`);
        opts.ring = { files: Number(m[1]), fileBytes: Math.floor(Number(m[2]) * 1e6) };
        break;
      }
      case '-b':
      case '--backend': {
        opts.backend = parseBackendChoice(value());
        break;
      }
      case '--promisc':
        opts.promiscuous = true;
        break;
      case '-v':
      case '--verbose':
        verbose = true;
        break;
      case '-q':
      case '--quiet':
        quiet = true;
        break;
      default:
        throw unknownOption(flag);
    }
  });
  if (!opts.interface)
    throw new UsageError('--interface IFACE is required (list them with: proxyscope interfaces).');
  if (opts.ring && !opts.writePath)
    throw new UsageError('--ring needs --write FILE.pcapng (the base name of the ring files).');
  return { opts, verbose, quiet };
}

function fmtDrop(n: number | null): string {
  return n === null ? 'unknown' : String(n);
}

export function formatStats(s: CaptureStats): string {
  const secs = ((Date.now() - s.startedAt) / 1000).toFixed(1);
  return [
    `${s.delivered} packets captured in ${secs} s on ${s.interface} with ${s.backend} (${s.stopReason ?? 'running'})`,
    `  received ${s.received}; dropped by kernel ${fmtDrop(s.droppedByKernel)}, by interface ${fmtDrop(s.droppedByInterface)}, by ProxyScope's queue ${s.droppedByQueue}`,
    `  timestamps: ${s.timestampSource === 'kernel' ? 'kernel' : 'taken at dispatch (cap gives none)'}; promiscuous: ${s.promiscuous ? 'on' : 'off'}`,
    ...(s.files.length
      ? [`  file${s.files.length > 1 ? 's' : ''}: ${s.files.join(', ')} (${s.bytesWritten} bytes written)`]
      : []),
  ].join('\n');
}

function packetLine(n: number, p: RawPacket, t0: number): string {
  const t = p.tsSec + p.tsNsec / 1e9 - t0;
  return `${String(n).padStart(6)} ${t.toFixed(6).padStart(12)}  len=${p.originalLength}${p.capturedLength !== p.originalLength ? ` cap=${p.capturedLength}` : ''}`;
}

type RowPrinter = (packets: RawPacket[]) => void;

/** Wireshark-like rows from the packet engine; plain lines if the engine cannot be loaded */
async function rowPrinter(io: CliIo): Promise<RowPrinter> {
  let n = 0;
  let t0 = -1;
  try {
    const { PacketEngine } = await import('../../core/dissect/engine.js');
    const engine = new PacketEngine();
    return (packets) => {
      for (const p of packets) {
        const no = ++n;
        try {
          engine.index(p, no);
          const s = engine.summary(p, no);
          io.out(
            `${String(no).padStart(6)} ${s.time.toFixed(6).padStart(11)} ${s.src.padStart(15)} → ${s.dst.padEnd(15)} ${s.protocol.padEnd(6)} ${String(s.length).padStart(5)} ${s.info}`,
          );
        } catch (e) {
          io.out(`${String(no).padStart(6)} (not dissected: ${e instanceof Error ? e.message : String(e)})`);
        }
      }
    };
  } catch {
    return (packets) => {
      for (const p of packets) {
        if (t0 < 0) t0 = p.tsSec + p.tsNsec / 1e9;
        io.out(packetLine(++n, p, t0));
      }
    };
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { opts, verbose, quiet } = parseCaptureArgs(args);
  if (verbose) opts.onBatch = await rowPrinter(io);
  let session;
  try {
    session = await startCapture(opts);
  } catch (e) {
    if (e instanceof CaptureError) {
      io.err(`proxyscope capture: ${e.describe()}`);
      return 1;
    }
    throw e;
  }
  const s = session;
  {
    const skipped = s.skipped.length
      ? ` (not used: ${s.skipped.map((k) => `${k.backend}: ${k.reason.split('\n')[0]}`).join('; ')})`
      : '';
    io.err(
      `Capturing on ${s.interfaceName} with ${s.backend}, link type ${s.linkType}${opts.writePath ? `, writing ${opts.writePath}` : ''}${skipped}`,
    );
  }
  const onSignal = (): void => void s.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = quiet
    ? null
    : setInterval(() => {
        const st = s.stats();
        io.err(
          `  ${st.delivered} packets${st.files.length ? `, ${st.bytesWritten} bytes written` : ''}; drops: kernel ${fmtDrop(st.droppedByKernel)}, interface ${fmtDrop(st.droppedByInterface)}, queue ${st.droppedByQueue}`,
        );
      }, 2000);
  const final = await s.done;
  if (progress) clearInterval(progress);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  io.out(formatStats(final));
  if (s.error) {
    io.err(`proxyscope capture: ${s.error.describe()}`);
    return 1;
  }
  return 0;
}

export const captureCommand: CliCommand = {
  name: 'capture',
  summary: 'capture live packets to a pcapng file (count/duration/size limits, ring buffer)',
  usage,
  run,
};
