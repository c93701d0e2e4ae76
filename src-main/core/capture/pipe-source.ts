// The tcpdump / dumpcap backend: the tool writes the capture to a pipe (`-w -`) and our push
// parser reads it. Packets carry the kernel's timestamps; the tool's own permissions apply
// (Wireshark's dumpcap group, a setcap'd tcpdump).
import { spawn, type ChildProcess } from 'node:child_process';
import { createCaptureParser } from '../pcap/parser.js';
import type { RawPacket } from '../pcap/types.js';
import { CaptureError, backendInstallHint, diagnoseCaptureFailure } from './errors.js';
import type { PacketSource, SourceOptions, SourceSink, SourceStats } from './source.js';
import { findExecutable } from './tools.js';

export type PipeTool = 'tcpdump' | 'dumpcap';

export function pipeToolArgs(tool: PipeTool, opts: SourceOptions): string[] {
  if (tool === 'tcpdump') {
    // -U and --immediate-mode or packets sit in buffers for seconds; -B in KiB
    const args = [
      '-U',
      '--immediate-mode',
      '-i',
      opts.interface,
      '-s',
      String(opts.snapLength),
      '-B',
      String(Math.ceil(opts.bufferBytes / 1024)),
      '-w',
      '-',
    ];
    if (!opts.promiscuous) args.push('-p');
    if (opts.filter) args.push('--', opts.filter);
    return args;
  }
  // dumpcap: pcapng on stdout; -B in MiB. It does not use immediate mode, so libpcap's ring has
  // variable-size frames and 32 MiB holds plenty even on lo
  const args = [
    '-q',
    '-i',
    opts.interface,
    '-s',
    String(opts.snapLength),
    '-B',
    String(Math.min(32, Math.ceil(opts.bufferBytes / (1024 * 1024)))),
    '-w',
    '-',
  ];
  if (!opts.promiscuous) args.push('-p');
  if (opts.filter) args.push('-f', opts.filter);
  return args;
}

/** counters the tool prints on stderr (on exit, and for tcpdump on SIGUSR1) */
export function parseToolStats(
  tool: PipeTool,
  text: string,
): { kernel: number | null; iface: number | null } {
  let kernel: number | null = null;
  let iface: number | null = null;
  if (tool === 'tcpdump') {
    for (const m of text.matchAll(/(\d+) packets? dropped by kernel/g)) kernel = Number(m[1]);
    for (const m of text.matchAll(/(\d+) packets? dropped by interface/g)) iface = Number(m[1]);
    if (kernel !== null && iface === null) iface = 0; // tcpdump prints the interface line only when non-zero
  } else {
    // Packets received/dropped on interface 'lo': 5/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)
    for (const m of text.matchAll(
      /received\/dropped on interface '.*?': *\d+\/\d+ \(pcap:(\d+)\/dumpcap:\d+\/flushed:\d+\/ps_ifdrop:(\d+)\)/g,
    )) {
      kernel = Number(m[1]);
      iface = Number(m[2]);
    }
  }
  return { kernel, iface };
}

/**
 * If ProxyScope dies (kill -9, crash), the tool would keep capturing until its next write fails
 * (SIGPIPE), i.e. until a packet matches the filter, holding its kernel buffer. A tiny shell
 * reads our end of a pipe and stops the tool when that pipe closes. The tool itself is spawned
 * directly, so its own file capabilities (setcap, wireshark group) still apply.
 */
function startWatchdog(pid: number | undefined): ChildProcess | null {
  if (pid === undefined || process.platform === 'win32') return null;
  try {
    const w = spawn('/bin/sh', ['-c', 'read _ ; kill -TERM "$0" 2>/dev/null', String(pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    w.on('error', () => undefined);
    w.stdin?.on('error', () => undefined);
    // neither the watchdog nor its pipe may keep ProxyScope's event loop alive
    w.unref();
    (w.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return w;
  } catch {
    return null;
  }
}

export async function startPipeSource(
  tool: PipeTool,
  opts: SourceOptions,
  sink: SourceSink,
  executable?: string,
): Promise<PacketSource> {
  const exe = executable ?? findExecutable(tool);
  if (!exe) {
    throw new CaptureError('backend-missing', `${tool} is not installed.`, backendInstallHint(tool), tool);
  }
  const child = spawn(exe, pipeToolArgs(tool, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const watchdog = startWatchdog(child.pid);
  let stderr = '';
  let linkType = -1;
  let received = 0;
  let stopping = false;
  let endedReported = false;
  let listening = false;
  let sawInterface = false;
  let kernelDrops: number | null = null;
  let ifDrops: number | null = null;
  let parseError: Error | null = null;
  let startResolve: (() => void) | null = null;
  let startReject: ((e: Error) => void) | null = null;

  let batch: RawPacket[] = [];
  let batchBytes = 0;
  const parser = createCaptureParser({
    onInterface(info) {
      if (info.id === 0) linkType = info.linkType;
      sawInterface = true;
      maybeStarted();
    },
    onPacket(p) {
      // the parser's data view dies with this call: keep a copy
      const data = new Uint8Array(p.data);
      batch.push({ ...p, data, dataOffset: -1 });
      batchBytes += data.length + 32;
      received++;
    },
  });

  function maybeStarted(): void {
    if (listening && sawInterface && startResolve) {
      startResolve();
      startResolve = startReject = null;
    }
  }

  child.stdout.on('data', (chunk: Buffer) => {
    if (parseError) return;
    try {
      parser.push(chunk);
    } catch (e) {
      parseError = e instanceof Error ? e : new Error(String(e));
      child.kill('SIGTERM');
    }
    // tcpdump -U writes every packet on its own: gather them for up to 10 ms (or 256 packets)
    // so the session handles (and flushes) batches, not single packets, at high rates
    if (batch.length >= 256) emitBatch();
    else if (batch.length > 0 && !batchTimer) batchTimer = setTimeout(emitBatch, 10);
  });
  let batchTimer: NodeJS.Timeout | null = null;
  function emitBatch(): void {
    if (batchTimer) clearTimeout(batchTimer);
    batchTimer = null;
    if (batch.length === 0) return;
    const b = batch;
    const bytes = batchBytes;
    batch = [];
    batchBytes = 0;
    sink.onPackets(b, bytes);
  }
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
    if (!listening && (/listening on /.test(stderr) || /Capturing on /.test(stderr))) {
      listening = true;
      maybeStarted();
    }
    const s = parseToolStats(tool, stderr);
    if (s.kernel !== null) kernelDrops = s.kernel;
    if (s.iface !== null) ifDrops = s.iface;
  });

  const stdoutDone = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('close', (code, signal) => {
      watchdog?.kill();
      resolve({ code, signal });
    }),
  );
  child.once('error', (e) => {
    startReject?.(
      new CaptureError(
        'backend-failed',
        `${tool} could not be started: ${e.message}`,
        backendInstallHint(tool),
        tool,
      ),
    );
  });

  const toolMessage = (): string =>
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^Running as user|^listening on|^Capturing on|^File: /.test(l))
      .join(' ')
      .replace(/^(tcpdump|dumpcap): /, '');

  void exited.then(({ code, signal }) => {
    if (startReject) {
      startReject(
        diagnoseCaptureFailure({
          backend: tool,
          interface: opts.interface,
          executable: exe,
          detail: toolMessage() || `exited with ${signal ?? `code ${code}`}`,
        }),
      );
      startResolve = startReject = null;
      return;
    }
    if (!stopping && !endedReported) {
      endedReported = true;
      emitBatch();
      const detail = parseError
        ? parseError.message
        : toolMessage() || `exited with ${signal ?? `code ${code}`}`;
      sink.onEnd(
        diagnoseCaptureFailure({ backend: tool, interface: opts.interface, executable: exe, detail }),
      );
    }
  });

  await new Promise<void>((resolve, reject) => {
    startResolve = resolve;
    startReject = reject;
    maybeStarted();
  });

  // tcpdump prints its counters on SIGUSR1 on Linux and SIGINFO on macOS (elsewhere an unhandled
  // signal would kill it): ask once a second
  const statsSignal: NodeJS.Signals | null =
    tool !== 'tcpdump'
      ? null
      : process.platform === 'linux'
        ? 'SIGUSR1'
        : process.platform === 'darwin'
          ? ('SIGINFO' as NodeJS.Signals)
          : null;
  const statsTimer = statsSignal
    ? setInterval(() => {
        if (child.exitCode === null && !stopping) child.kill(statsSignal);
      }, 1000)
    : null;
  statsTimer?.unref();

  return {
    backend: tool,
    interfaceName: opts.interface,
    linkType,
    timestampSource: 'kernel',
    promiscuous: opts.promiscuous,
    stats(): SourceStats {
      return { received, droppedByKernel: kernelDrops, droppedByInterface: ifDrops, helperDropped: 0 };
    },
    async stop(): Promise<void> {
      if (stopping) {
        await exited;
        return;
      }
      stopping = true;
      if (statsTimer) clearInterval(statsTimer);
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT: the tool flushes what it has, prints its counters and exits
        child.kill('SIGINT');
        const guard = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(guard);
      }
      await stdoutDone;
      try {
        parser.end();
      } catch {
        // a record cut by the stop; every complete packet was delivered
      }
      emitBatch();
    },
  };
}
