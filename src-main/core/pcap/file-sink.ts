// A buffered, synchronous append-only file writer that knows the absolute offset of every byte it
// was given. flush() uses fs.writeSync, so once it returns the bytes are in the kernel and survive a
// kill -9 of this process.
import { closeSync, openSync, writeSync } from 'node:fs';
import { CaptureFileError } from './types.js';

/** flush automatically once this much is buffered */
export const SINK_FLUSH_THRESHOLD = 256 * 1024;

export class FileSink {
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private buf = Buffer.allocUnsafe(SINK_FLUSH_THRESHOLD * 2);
  private used = 0;
  /** bytes already handed to the kernel */
  private written = 0;
  private closed = false;

  /** `target`: a path (created or truncated) or an open file descriptor (left open by close()). */
  constructor(
    target: string | number,
    private readonly label = typeof target === 'string' ? target : `fd ${target}`,
  ) {
    if (typeof target === 'number') {
      this.fd = target;
      this.ownsFd = false;
    } else {
      try {
        // owner-only, as dumpcap does: packets can carry credentials (Basic proxy auth, cookies)
        this.fd = openSync(target, 'w', 0o600);
      } catch (e) {
        throw new CaptureFileError(
          'io',
          0,
          `Cannot create capture file ${target}: ${(e as Error).message}`,
          'Check that the folder exists and is writable.',
        );
      }
      this.ownsFd = true;
    }
  }

  /** absolute file offset of the next byte to be appended */
  get offset(): number {
    return this.written + this.used;
  }

  /** Returns a region of `length` writable bytes at the end of the buffer (valid until the next call). */
  reserve(length: number): { buf: Buffer; at: number } {
    if (this.closed)
      throw new CaptureFileError('io', this.offset, `Capture file ${this.label} is already closed.`);
    if (this.used + length > this.buf.length) {
      this.flush();
      if (length > this.buf.length) this.buf = Buffer.allocUnsafe(length);
    }
    const at = this.used;
    this.used += length;
    return { buf: this.buf, at };
  }

  /** Flushes when the buffer passed the threshold; called after each complete record. */
  maybeFlush(): void {
    if (this.used >= SINK_FLUSH_THRESHOLD) this.flush();
  }

  flush(): void {
    let done = 0;
    try {
      while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done);
    } catch (e) {
      // keep what was not written at the front of the buffer so a later flush can retry
      this.buf.copy(this.buf, 0, done, this.used);
      this.used -= done;
      this.written += done;
      throw new CaptureFileError(
        'io',
        this.written,
        `Cannot write capture file ${this.label}: ${(e as Error).message}`,
        'Check free disk space and permissions.',
      );
    }
    this.written += this.used;
    this.used = 0;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      if (this.ownsFd) closeSync(this.fd);
    }
  }
}
