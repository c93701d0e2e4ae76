// The capture's pcapng on disk: one file, or a ring of N files of about M bytes each (the oldest
// deleted as a new one starts). Writes are buffered; the session flushes at least every 500 ms so a
// crash or kill -9 loses at most that much.
import { unlinkSync } from 'node:fs';
import path from 'node:path';
import { PcapngWriter } from '../pcap/pcapng-writer.js';
import type { RawPacket } from '../pcap/types.js';
import type { RingBufferOptions } from './types.js';

export interface CaptureFileInterface {
  linkType: number;
  name: string;
  description?: string;
  snapLength?: number;
}

function stamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** dumpcap's ring naming: capture.pcapng → capture_00001_20261127031500.pcapng */
export function ringFileName(base: string, seq: number, at: Date): string {
  const ext = path.extname(base) || '.pcapng';
  const stem = path.extname(base) ? base.slice(0, -ext.length) : base;
  return `${stem}_${String(seq).padStart(5, '0')}_${stamp(at)}${ext}`;
}

export class CaptureFileOutput {
  private writer: PcapngWriter;
  private current: string;
  private seq = 1;
  private readonly kept: string[] = [];
  /** bytes in files already closed (ring rotation) */
  private closedBytes = 0;
  private dirty = false;
  /** writer.bytesWritten at the last flush of the current file */
  private flushedAt = 0;
  private readonly closedSizes = new Map<string, number>();

  constructor(
    private readonly base: string,
    private readonly iface: CaptureFileInterface,
    private readonly ring?: RingBufferOptions,
    private readonly comment?: string,
  ) {
    this.current = ring ? ringFileName(base, this.seq, new Date()) : base;
    this.writer = this.open(this.current);
  }

  private open(file: string): PcapngWriter {
    const w = new PcapngWriter(file, { comment: this.comment });
    w.addInterface({
      linkType: this.iface.linkType,
      name: this.iface.name,
      description: this.iface.description,
      snapLength: this.iface.snapLength,
    });
    w.flush();
    this.flushedAt = w.bytesWritten;
    this.kept.push(file);
    return w;
  }

  /** the file the last packet went to (dataOffset is relative to it) */
  get currentFile(): string {
    return this.current;
  }

  /** files on disk now, oldest first */
  get files(): string[] {
    return [...this.kept];
  }

  /** bytes written to every file of this capture, including deleted ring files */
  get totalBytes(): number {
    return this.closedBytes + this.writer.bytesWritten;
  }

  /** writes one packet and returns the offset of its data in currentFile */
  write(p: RawPacket): number {
    if (this.ring && this.writer.bytesWritten >= this.ring.fileBytes) this.rotate();
    this.dirty = true;
    return this.writer.writePacket({
      interfaceId: 0,
      tsSec: p.tsSec,
      tsNsec: p.tsNsec,
      data: p.data.length === p.capturedLength ? p.data : p.data.subarray(0, p.capturedLength),
      originalLength: p.originalLength,
      comments: p.comments,
    });
  }

  /** bytes of `file` on disk (a closed ring file: all of it; the current one: up to the last flush) */
  bytesOnDisk(file: string): number {
    // (the writer may also have flushed by itself since: an underestimate is safe for readers)
    if (file === this.current) return this.flushedAt;
    return this.closedSizes.get(file) ?? 0;
  }

  private rotate(): void {
    this.writer.close();
    this.closedSizes.set(this.current, this.writer.bytesWritten);
    this.closedBytes += this.writer.bytesWritten;
    this.seq++;
    this.current = ringFileName(this.base, this.seq, new Date());
    this.writer = this.open(this.current);
    while (this.ring && this.kept.length > this.ring.files) {
      const old = this.kept.shift()!;
      this.closedSizes.delete(old);
      try {
        unlinkSync(old);
      } catch {
        // already gone (the user moved it): nothing to keep bounded
      }
    }
  }

  flush(): void {
    if (!this.dirty) return;
    this.writer.flush();
    this.flushedAt = this.writer.bytesWritten;
    this.dirty = false;
  }

  close(): void {
    this.writer.close();
  }
}
