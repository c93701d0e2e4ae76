// The session's open capture: the packet store behind packets.open/filter/rows/detail, its
// filtered views, and progress events no more often than every 100 ms.
import path from 'node:path';
import {
  ApiError,
  type CaptureInfo,
  type FilterResult,
  type LocateResult,
  type PacketDetail,
  type RowsPage,
} from './api.js';
import { FilterError } from './filter/index.js';
import { CaptureFileError } from './pcap/types.js';
import type { RawPacket } from './pcap/types.js';
import { PacketStore, type View } from './store/index.js';

const PROGRESS_EVERY_MS = 100;
const VIEW_CACHE = 8;

interface CachedView {
  view: View | null;
  /** packets indexed when the view was made; a grown store makes it stale */
  atCount: number;
}

export class SessionPackets {
  private store: PacketStore | null = null;
  private info: CaptureInfo | null = null;
  private views = new Map<string, CachedView>();
  private lastProgress = 0;
  private progressTimer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly onProgress: (info: CaptureInfo) => void) {}

  status(): CaptureInfo | null {
    return this.info ? { ...this.info } : null;
  }

  async open(file: string): Promise<CaptureInfo> {
    this.close();
    const generation = ++this.generation;
    const resolved = path.resolve(file);
    let store: PacketStore;
    try {
      store = await PacketStore.openFile(resolved, {
        onProgress: (p) => {
          if (generation !== this.generation || !this.info) return;
          this.info.packets = p.packets;
          this.info.fileBytes = p.totalBytes;
          this.progress();
        },
      });
    } catch (e) {
      if (e instanceof CaptureFileError) {
        throw new ApiError(
          e.code === 'io' ? 'IO' : 'BAD_FILE',
          e.message,
          e.hint ?? 'Open a pcap or pcapng file (tcpdump -w, Wireshark, dumpcap).',
        );
      }
      throw e;
    }
    const info = this.adopt(store, resolved, generation, { packets: store.count, error: undefined });
    store.loaded.then(
      () => this.finish(generation),
      (e: unknown) => this.finish(generation, e instanceof Error ? e.message : String(e)),
    );
    return { ...info };
  }

  /**
   * A live capture becomes the open capture at once: an empty store over the pcapng the capture
   * writes, grown by `appendLive` as batches arrive (not read back when the capture stops).
   */
  async openLive(file: string): Promise<CaptureInfo> {
    this.close();
    const generation = ++this.generation;
    const resolved = path.resolve(file);
    const store = await PacketStore.forCapture(resolved);
    const info = this.adopt(store, resolved, generation, { packets: 0, live: true });
    this.progress(true);
    return { ...info };
  }

  /** Makes a just-opened store the open capture, unless another open came after it. */
  private adopt(
    store: PacketStore,
    resolved: string,
    generation: number,
    extra: Pick<CaptureInfo, 'packets' | 'live' | 'error'>,
  ): CaptureInfo {
    if (generation !== this.generation) {
      store.close();
      throw new ApiError('IO', `Opening ${resolved} was superseded by another open.`);
    }
    this.store = store;
    this.info = { path: resolved, name: path.basename(resolved), fileBytes: 0, complete: false, ...extra };
    return this.info;
  }

  /** One batch of a live capture, already flushed to `file` up to `fileBytes`. */
  appendLive(file: string, packets: readonly RawPacket[], fileBytes?: number): void {
    if (!this.store || !this.info || this.info.complete) return;
    if (path.resolve(file) !== this.info.path) return;
    for (const p of packets) {
      const end = fileBytes ?? p.dataOffset + p.capturedLength;
      this.store.append(p, end);
      this.info.fileBytes = Math.max(this.info.fileBytes, end);
    }
    this.info.packets = this.store.count;
    this.progress();
  }

  /** The live capture ended: what was appended is the whole capture. */
  finishLive(file: string, error?: string): void {
    if (!this.info || this.info.path !== path.resolve(file)) return;
    this.finish(this.generation, error);
  }

  /** true while `file` is the open capture, still growing */
  isLive(file: string): boolean {
    return !!this.info && !this.info.complete && this.info.path === path.resolve(file);
  }

  private finish(generation: number, error?: string): void {
    if (generation !== this.generation || !this.info || !this.store) return;
    this.info.packets = this.store.count;
    this.info.complete = true;
    if (this.info.live) this.info.live = false;
    if (error) this.info.error = error;
    this.progress(true);
  }

  /** Emits now, or schedules one emit so listeners hear at most every 100 ms. */
  private progress(force = false): void {
    const now = Date.now();
    if (force || now - this.lastProgress >= PROGRESS_EVERY_MS) {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.lastProgress = now;
      if (this.info) this.onProgress({ ...this.info });
    } else if (!this.progressTimer) {
      this.progressTimer = setTimeout(
        () => this.progress(true),
        PROGRESS_EVERY_MS - (now - this.lastProgress),
      );
      this.progressTimer.unref?.();
    }
  }

  private need(): PacketStore {
    if (!this.store) {
      throw new ApiError(
        'NO_CAPTURE',
        'No capture is open.',
        'Open a capture file first (File → Open capture…).',
      );
    }
    return this.store;
  }

  private async view(filter: string): Promise<View | null> {
    const store = this.need();
    const key = filter.trim();
    const cached = this.views.get(key);
    if (cached && cached.atCount === store.count) return cached.view;
    let view: View | null;
    try {
      const atCount = store.count;
      view = await store.filterAsync(key);
      this.views.delete(key);
      this.views.set(key, { view, atCount });
      while (this.views.size > VIEW_CACHE) this.views.delete(this.views.keys().next().value as string);
    } catch (e) {
      if (e instanceof FilterError) {
        throw new ApiError(
          'BAD_FILTER',
          `Display filter: ${e.message}`,
          'Check the filter near that column.',
        );
      }
      throw e;
    }
    return view;
  }

  async filter(filter: string): Promise<FilterResult> {
    const view = await this.view(filter);
    const total = this.need().count;
    return { filter: filter.trim(), matched: view ? view.packets.length : total, total };
  }

  async rows(filter: string, from: number, count: number): Promise<RowsPage> {
    const store = this.need();
    const view = await this.view(filter);
    const total = view ? view.packets.length : store.count;
    const rows = from >= total ? [] : store.rows(view, from, Math.min(count, total - from));
    return { filter: filter.trim(), total, from, rows };
  }

  /** The row index of packet `no` in the view of `filter` (null: hidden, or no such packet). */
  async locate(filter: string, no: number): Promise<LocateResult> {
    const store = this.need();
    const view = await this.view(filter);
    if (no > store.count) return { no, index: null };
    if (!view) return { no, index: no - 1 };
    // a view lists packet numbers in ascending order
    const packets = view.packets;
    let lo = 0;
    let hi = packets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (packets[mid] === no) return { no, index: mid };
      if (packets[mid] < no) lo = mid + 1;
      else hi = mid - 1;
    }
    return { no, index: null };
  }

  detail(no: number): PacketDetail {
    const store = this.need();
    if (no > store.count) {
      throw new ApiError(
        'BAD_ARGS',
        `packets.detail: invalid argument 'no': the capture has ${store.count} packets.`,
      );
    }
    // only the data: the engine's detail also carries a field index with methods, which no
    // transport can (or should) carry
    const { summary, tree, bytes, extraSources, expert } = store.detail(no);
    return { summary, tree, bytes, extraSources, expert };
  }

  close(): void {
    this.generation++;
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.store?.close();
    this.store = null;
    this.info = null;
    this.views.clear();
  }
}
