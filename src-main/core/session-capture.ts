// The session's live capture: one capture at a time into a pcapng under the config folder, with
// counters pushed every 250 ms; on stop, the file opens in the packet store like any capture.
// Each batch also goes to the live sink (the packet store) as soon as it is flushed to the file, so
// the packet list grows while the capture runs.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ApiError, type CaptureStatus } from './api.js';
import type { RawPacket } from './pcap/types.js';
import {
  buildProxyFilter,
  CaptureError,
  startCapture,
  type CaptureSession,
  type HelperLauncher,
} from './capture/index.js';

const PROGRESS_EVERY_MS = 250;

export interface CaptureStartArgs {
  interface: string;
  /** BPF; undefined → the Setup proxy's filter (host and port, plus ICMP), '' → everything */
  filter?: string;
  proxy?: { host: string; port: number };
}

/** Where the packets go while the capture runs (the session's packet store). */
export interface LiveSink {
  /** before the first packet: make `file` the open capture */
  begin(file: string): Promise<void>;
  /** a batch, already flushed to `file` */
  batch(file: string, packets: RawPacket[]): void;
  /** the capture ended (or never started: `failed`) */
  end(file: string, failed?: string): void;
}

function toApiError(e: unknown): unknown {
  if (e instanceof CaptureError) {
    return new ApiError('CAPTURE', e.message, e.fix.length ? e.fix.join('\n') : undefined);
  }
  return e;
}

export class SessionCapture {
  private session: CaptureSession | null = null;
  private last: CaptureStatus | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly onProgress: (status: CaptureStatus) => void,
    /** how the `cap` backend's helper starts (Electron: a utility process); default child_process.fork */
    private readonly helperLauncher?: HelperLauncher,
    private readonly sink?: LiveSink,
  ) {}

  status(): CaptureStatus | null {
    if (this.session) this.last = this.snapshot(this.session);
    return this.last ? { ...this.last } : null;
  }

  private snapshot(
    s: CaptureSession,
    filter = this.last?.filter ?? '',
    file = this.last?.file ?? '',
  ): CaptureStatus {
    const st = s.stats();
    const status: CaptureStatus = {
      running: st.running,
      interface: st.interface,
      backend: st.backend,
      filter,
      file,
      received: st.received,
      delivered: st.delivered,
      bytesWritten: st.bytesWritten,
      droppedByKernel: st.droppedByKernel,
      droppedByInterface: st.droppedByInterface,
      droppedByQueue: st.droppedByQueue,
      startedAt: st.startedAt,
    };
    if (st.stopReason) status.stopReason = st.stopReason;
    if (s.error) status.error = { message: s.error.message, fix: s.error.fix };
    return status;
  }

  async start(args: CaptureStartArgs): Promise<CaptureStatus> {
    if (this.session) throw new ApiError('BUSY', 'A capture is already running.', 'Stop it first.');
    let filter = args.filter;
    try {
      if (filter === undefined) {
        if (!args.proxy) {
          throw new ApiError(
            'NO_PROXY',
            'No capture filter given and no proxy in Setup to build one from.',
            'Fill in the proxy in Setup, or give a capture filter ("" captures everything).',
          );
        }
        filter = buildProxyFilter({ host: args.proxy.host, port: args.proxy.port });
      }
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(this.dir, `capture-${args.interface.replace(/[^\w.-]/g, '_')}-${stamp}.pcapng`);
      const sink = this.sink;
      await sink?.begin(file);
      let session: CaptureSession;
      try {
        session = await startCapture({
          interface: args.interface,
          filter,
          writePath: file,
          // called after the batch is flushed: every packet can be read back at its dataOffset
          ...(sink ? { onBatch: (packets: RawPacket[]) => sink.batch(file, packets) } : {}),
          ...(this.helperLauncher ? { helperLauncher: this.helperLauncher } : {}),
        });
      } catch (e) {
        sink?.end(file, e instanceof Error ? e.message : String(e));
        throw e;
      }
      this.session = session;
      this.last = this.snapshot(session, filter, file);
      this.timer = setInterval(() => {
        if (this.session) this.onProgress((this.last = this.snapshot(this.session)));
      }, PROGRESS_EVERY_MS);
      this.timer.unref?.();
      void session.done.then(() => this.ended(session));
      return { ...this.last };
    } catch (e) {
      throw toApiError(e);
    }
  }

  private ended(session: CaptureSession): void {
    if (this.session !== session) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = this.snapshot(session);
    this.session = null;
    this.sink?.end(this.last.file);
    this.onProgress({ ...this.last });
  }

  /** Stops and resolves once everything is on disk; the status names the file. */
  async stop(): Promise<CaptureStatus> {
    const session = this.session;
    if (!session) {
      if (this.last) return { ...this.last };
      throw new ApiError('NO_CAPTURE', 'No capture is running.');
    }
    try {
      await session.stop();
    } catch (e) {
      throw toApiError(e);
    }
    this.ended(session);
    return { ...(this.last as CaptureStatus) };
  }

  close(): void {
    clearInterval(this.timer);
    void this.session?.stop().catch(() => undefined);
    this.session = null;
  }
}
