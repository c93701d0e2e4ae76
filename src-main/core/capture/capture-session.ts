// One live capture: picks a backend, writes every packet to pcapng as it arrives, hands batches to
// the consumer (the store), enforces limits, and keeps the stats (nothing dropped silently).
import type { RawPacket } from '../pcap/types.js';
import { assertFilterCompiles, guessLinkType } from './bpf.js';
import { BoundedBatchQueue } from './batch-queue.js';
import { startCapSource } from './cap-source.js';
import { CaptureFileOutput } from './capture-file.js';
import { AUTO_ORDER, detectBackends } from './backends.js';
import { CaptureError } from './errors.js';
import { startPipeSource } from './pipe-source.js';
import { kernelBufferBytes, type PacketSource, type SourceOptions, type SourceSink } from './source.js';
import type { BackendName, CaptureOptions, CaptureStats, StopReason } from './types.js';

export interface BatchInfo {
  /** the pcapng file the packets' dataOffset refers to (ring mode: changes over time), or null */
  file: string | null;
  /**
   * bytes of `file` already on disk when the consumer is called: the batch is flushed first, so a
   * reader (PacketStore.append's fileBytes) can read every packet of it at once
   */
  fileBytes: number;
}

export interface CaptureSession {
  readonly backend: BackendName;
  readonly interfaceName: string;
  readonly linkType: number;
  /** backends tried before this one, and why each was not used */
  readonly skipped: { backend: BackendName; reason: string }[];
  stats(): CaptureStats;
  /** stops (idempotent) and resolves with the final stats once everything is on disk */
  stop(): Promise<CaptureStats>;
  /** resolves when the capture ends for any reason (limit, stop, backend failure) */
  readonly done: Promise<CaptureStats>;
  /** the error that ended the capture, if any */
  readonly error: CaptureError | null;
  /** adds a consumer for batches (in addition to options.onBatch) */
  onBatch(cb: (packets: RawPacket[], info: BatchInfo) => void | Promise<void>): void;
}

function validate(opts: CaptureOptions): void {
  if (!opts.interface || typeof opts.interface !== 'string')
    throw new CaptureError('bad-options', 'No capture interface given.', [
      'List them with: proxyscope interfaces',
    ]);
  const l = opts.limits ?? {};
  for (const [k, v] of Object.entries(l)) {
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v)))
      throw new CaptureError(
        'bad-options',
        `The capture limit ${k} must be a positive number (got ${String(v)}).`,
      );
  }
  if (opts.ring) {
    if (!opts.writePath)
      throw new CaptureError('bad-options', 'Ring buffer mode needs a file to write (--write FILE.pcapng).');
    if (!(Number.isInteger(opts.ring.files) && opts.ring.files >= 1) || !(opts.ring.fileBytes >= 4096))
      throw new CaptureError(
        'bad-options',
        `Ring buffer: need at least 1 file of at least 4 KiB (got ${opts.ring.files} files of ${opts.ring.fileBytes} bytes).`,
      );
  }
}

async function openSource(name: BackendName, so: SourceOptions, sink: SourceSink): Promise<PacketSource> {
  if (name === 'cap') return startCapSource(so, sink);
  return startPipeSource(name, so, sink);
}

export async function startCapture(opts: CaptureOptions): Promise<CaptureSession> {
  validate(opts);
  const filter = opts.filter?.trim() ?? '';
  // Compile before anything opens: libpcap's message and where it failed.
  if (filter) await assertFilterCompiles(filter, await guessLinkType(opts.interface));

  const consumers: ((packets: RawPacket[], info: BatchInfo) => void | Promise<void>)[] = [];
  if (opts.onBatch) {
    const cb = opts.onBatch;
    consumers.push((p) => cb(p));
  }
  const queue = new BoundedBatchQueue(opts.maxQueuedBatches ?? 1024, opts.maxQueuedBytes ?? 64 * 1024 * 1024);
  let output: CaptureFileOutput | null = null;
  let delivered = 0;
  let running = true;
  let stopReason: StopReason | undefined;
  let endError: CaptureError | null = null;
  let draining: Promise<void> | null = null;
  /** a limit was reached: stop draining (finish() drains what the backend still delivers) */
  let limitStopped = false;
  /** the file is open and the session set up: packets may flow to the consumers */
  let ready = false;
  /** the backend ended before the session was set up */
  let endedEarly: { reason: StopReason; error?: CaptureError } | null = null;
  let stopRequested: ((r: StopReason, e?: CaptureError) => void) | null = null;
  const limits = opts.limits ?? {};

  const sink: SourceSink = {
    onPackets(packets, bytes) {
      if (!running) return;
      queue.push({ packets, bytes });
      kick();
    },
    onEnd(error) {
      const reason: StopReason = error ? 'error' : 'backend-exited';
      if (stopRequested) stopRequested(reason, error);
      else endedEarly = { reason, error };
    },
  };

  const so: SourceOptions = {
    interface: opts.interface,
    filter,
    snapLength: opts.snapLength ?? 262144,
    promiscuous: opts.promiscuous ?? false,
    bufferBytes: opts.bufferBytes ?? (await kernelBufferBytes(opts.interface)),
    helperPath: opts.helperPath,
    helperLauncher: opts.helperLauncher,
  };

  // Backend choice: the one asked for, or the first of AUTO_ORDER that is present and opens.
  const skipped: { backend: BackendName; reason: string }[] = [];
  let source: PacketSource | null = null;
  const wanted = opts.backend ?? 'auto';
  if (wanted !== 'auto') {
    source = await openSource(wanted, so, sink);
  } else {
    const avail = detectBackends();
    let firstError: CaptureError | null = null;
    for (const name of AUTO_ORDER) {
      const a = avail.find((x) => x.name === name)!;
      if (!a.present) {
        skipped.push({ backend: name, reason: a.missingReason ?? 'not present' });
        continue;
      }
      try {
        source = await openSource(name, so, sink);
        break;
      } catch (e) {
        const ce = e instanceof CaptureError ? e : new CaptureError('backend-failed', String(e), [], name);
        // the same interface or filter fails everywhere: no point trying the next backend
        if (ce.code === 'no-such-interface' || ce.code === 'bad-filter') throw ce;
        firstError ??= ce;
        skipped.push({ backend: name, reason: ce.detail ?? ce.message });
      }
    }
    if (!source) {
      if (firstError) {
        const tried = skipped.map((s) => `  - ${s.backend}: ${s.reason}`).join('\n');
        const message =
          firstError.code === 'not-permitted'
            ? `Capture on '${opts.interface}' is not permitted for this user. Backends tried:\n${tried}\n` +
              'ProxyScope never asks for your password; run one of these yourself, then try again:'
            : `${firstError.message}\nBackends tried:\n${tried}`;
        throw new CaptureError(
          firstError.code,
          message,
          firstError.fix,
          firstError.backend,
          undefined,
          firstError.detail,
        );
      }
      throw new CaptureError(
        'backend-missing',
        `No capture backend is available: ${skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}.`,
        avail.flatMap((a) => a.install ?? []),
      );
    }
  }
  const src = source;
  const startedAt = Date.now();

  try {
    if (opts.writePath) {
      output = new CaptureFileOutput(
        opts.writePath,
        {
          linkType: src.linkType,
          name: opts.interface,
          snapLength: src.backend === 'cap' ? 65535 : so.snapLength,
        },
        opts.ring,
        `Captured by ProxyScope (${src.backend}${src.timestampSource === 'dispatch' ? ', timestamps taken at dispatch, not by the kernel' : ''})`,
      );
    }
  } catch (e) {
    await src.stop();
    throw new CaptureError(
      'write-failed',
      `Cannot write the capture file: ${e instanceof Error ? e.message : String(e)}`,
      ['Choose a folder you can write to.'],
    );
  }

  // Flush at least every 500 ms (default 250): a crash loses at most that much.
  const flushTimer = setInterval(
    () => {
      try {
        output?.flush();
      } catch (e) {
        stopRequested?.(
          'error',
          new CaptureError('write-failed', e instanceof Error ? e.message : String(e)),
        );
      }
    },
    Math.min(opts.flushIntervalMs ?? 250, 500),
  );

  let resolveDone!: (s: CaptureStats) => void;
  const done = new Promise<CaptureStats>((r) => {
    resolveDone = r;
  });

  function stats(): CaptureStats {
    const s = src.stats();
    return {
      backend: src.backend,
      interface: opts.interface,
      linkType: src.linkType,
      received: s.received,
      delivered,
      bytesWritten: output?.totalBytes ?? 0,
      droppedByKernel: s.droppedByKernel,
      droppedByInterface: s.droppedByInterface,
      droppedByQueue: queue.droppedPackets + s.helperDropped,
      files: output?.files ?? [],
      startedAt,
      running,
      stopReason,
      timestampSource: src.timestampSource,
      promiscuous: src.promiscuous,
    };
  }

  function limitReached(): StopReason | null {
    if (limits.count !== undefined && delivered >= limits.count) return 'count';
    if (limits.maxBytes !== undefined && output && output.totalBytes >= limits.maxBytes) return 'size';
    return null;
  }

  function kick(): void {
    // packets can arrive while the backend is still starting: they wait until the file is open
    if (draining || !ready) return;
    // A batch can arrive after drain() emptied the queue but before this `finally` ran (several
    // IPC messages are delivered in one tick): look again once the drain is marked finished.
    draining = drain()
      .catch((e: unknown) =>
        stopRequested?.(
          'error',
          new CaptureError(
            'backend-failed',
            `Capture stopped: ${e instanceof Error ? e.message : String(e)}`,
          ),
        ),
      )
      .finally(() => {
        draining = null;
        if (queue.length > 0 && !limitStopped) kick();
      });
  }

  async function drain(): Promise<void> {
    for (let b = queue.shift(); b; b = queue.shift()) {
      let packets = b.packets;
      if (limits.count !== undefined) {
        const room = limits.count - delivered;
        if (room <= 0) continue; // past the limit: the stop is under way, the rest is not kept
        if (packets.length > room) packets = packets.slice(0, room);
      }
      if (limits.maxBytes !== undefined && output && output.totalBytes >= limits.maxBytes) continue;
      // a batch is delivered per file: in ring mode a rotation may fall inside it
      const groups: { file: string | null; packets: RawPacket[] }[] = [];
      if (output) {
        try {
          let group: { file: string | null; packets: RawPacket[] } | null = null;
          for (let i = 0; i < packets.length; i++) {
            const p = packets[i]!;
            p.dataOffset = output.write(p);
            if (!group || group.file !== output.currentFile)
              groups.push((group = { file: output.currentFile, packets: [] }));
            group.packets.push(p);
            // the size limit is exact to the packet: nothing after it is kept
            if (limits.maxBytes !== undefined && output.totalBytes >= limits.maxBytes) break;
          }
          // consumers may read the packets back from the file right away
          if (consumers.length > 0) output.flush();
        } catch (e) {
          stopRequested?.(
            'error',
            new CaptureError(
              'write-failed',
              `Writing the capture file failed: ${e instanceof Error ? e.message : String(e)}`,
              ['Check free disk space.'],
            ),
          );
          return;
        }
      } else groups.push({ file: null, packets });
      for (const g of groups) {
        delivered += g.packets.length;
        const info: BatchInfo = {
          file: g.file,
          fileBytes: g.file && output ? output.bytesOnDisk(g.file) : 0,
        };
        for (const c of consumers) {
          try {
            const r = c(g.packets, info);
            if (r && typeof (r as Promise<void>).then === 'function') await r;
          } catch {
            // a consumer's failure must not stop the capture or the file
          }
        }
      }
      const lim = limitReached();
      if (lim) {
        limitStopped = true;
        stopRequested?.(lim);
        return;
      }
    }
  }

  let finishing: Promise<CaptureStats> | null = null;
  function finish(reason: StopReason, error?: CaptureError): Promise<CaptureStats> {
    if (finishing) return finishing;
    finishing = (async () => {
      stopReason = reason;
      if (error) endError = error;
      clearTimeout(durationTimer);
      await src.stop();
      // every packet the backend delivered before stopping still goes to the file and the store
      while (queue.length > 0 || draining) {
        if (draining) await draining;
        else kick();
      }
      running = false;
      clearInterval(flushTimer);
      try {
        output?.close();
      } catch (e) {
        endError ??= new CaptureError('write-failed', e instanceof Error ? e.message : String(e));
      }
      const s = stats();
      resolveDone(s);
      return s;
    })();
    return finishing;
  }
  stopRequested = (r, e) => void finish(r, e);
  const durationTimer =
    limits.durationSec !== undefined
      ? setTimeout(() => void finish('duration'), limits.durationSec * 1000)
      : undefined;
  ready = true;
  kick();
  // (set from the sink callback, which TypeScript's flow analysis does not see)
  const early = endedEarly as { reason: StopReason; error?: CaptureError } | null;
  if (early) void finish(early.reason, early.error);

  return {
    backend: src.backend,
    interfaceName: opts.interface,
    linkType: src.linkType,
    skipped,
    stats,
    stop: () => finish('stopped'),
    done,
    get error() {
      return endError;
    },
    onBatch(cb) {
      consumers.push(cb);
    },
  };
}
