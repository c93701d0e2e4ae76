// Reading capture files from disk: streaming through a fixed-size buffer (a 1 GB file is never held
// in memory), synchronously or asynchronously, and random access to one packet's bytes by offset.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createCaptureParser, type CaptureParser } from './parser.js';
import { CaptureFileError, type CaptureInterfaceInfo, type RawPacket } from './types.js';

export interface ReadCaptureOptions {
  onInterface?(info: CaptureInterfaceInfo): void;
  onSectionComment?(comment: string): void;
  signal?: AbortSignal;
  /** read size in bytes; default 1 MiB */
  chunkSize?: number;
}

export interface ReadCaptureResult {
  packets: number;
  interfaces: CaptureInterfaceInfo[];
  format: 'pcap' | 'pcapng';
  bytes: number;
}

const DEFAULT_CHUNK = 1 << 20;

function ioError(path: string, offset: number, e: unknown): CaptureFileError {
  if (e instanceof CaptureFileError) return e;
  const err = e as NodeJS.ErrnoException;
  const hint =
    err.code === 'ENOENT'
      ? 'Check the path.'
      : err.code === 'EACCES' || err.code === 'EPERM'
        ? 'Check the file permissions.'
        : err.code === 'EISDIR'
          ? 'Pick a capture file, not a folder.'
          : undefined;
  const where = offset > 0 ? ` at byte ${offset}` : '';
  return new CaptureFileError('io', offset, `Cannot read ${path}${where}: ${err.message}`, hint);
}

/**
 * Reads up to chunk.length bytes of an open capture at `position` (0 at its end); a failed read
 * is a CaptureFileError naming the offset.
 */
export function readChunkSync(fd: number, path: string, chunk: Uint8Array, position: number): number {
  try {
    return readSync(fd, chunk, 0, chunk.length, position);
  } catch (e) {
    throw ioError(path, position, e);
  }
}

function setup(onPacket: (p: RawPacket) => void, opts: ReadCaptureOptions) {
  const interfaces: CaptureInterfaceInfo[] = [];
  const parser = createCaptureParser({
    onPacket,
    onInterface(info) {
      interfaces.push(info);
      opts.onInterface?.(info);
    },
    onSectionComment: opts.onSectionComment,
  });
  const finish = (p: CaptureParser): ReadCaptureResult => {
    p.end();
    return { packets: p.packets, interfaces, format: p.format!, bytes: p.bytesConsumed };
  };
  return { parser, finish, chunk: Buffer.allocUnsafe(Math.max(4096, opts.chunkSize ?? DEFAULT_CHUNK)) };
}

/**
 * Streams a capture file through onPacket. Packet data is a view into a reused buffer, valid only
 * during the callback. Rejects with CaptureFileError (after delivering every good packet before the
 * problem), or with the signal's reason when aborted.
 */
export async function readCaptureFile(
  path: string,
  onPacket: (p: RawPacket) => void,
  opts: ReadCaptureOptions = {},
): Promise<ReadCaptureResult> {
  const { parser, finish, chunk } = setup(onPacket, opts);
  opts.signal?.throwIfAborted();
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw ioError(path, 0, e);
  }
  try {
    let position = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      let n: number;
      try {
        n = (await fh.read(chunk, 0, chunk.length, position)).bytesRead;
      } catch (e) {
        throw ioError(path, position, e);
      }
      if (n === 0) break;
      position += n;
      parser.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return finish(parser);
  } finally {
    await fh.close();
  }
}

/** Synchronous twin of readCaptureFile (for the CLI and tests). */
export function readCaptureFileSync(
  path: string,
  onPacket: (p: RawPacket) => void,
  opts: Omit<ReadCaptureOptions, 'signal'> = {},
): ReadCaptureResult {
  const { parser, finish, chunk } = setup(onPacket, opts);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, 0, e);
  }
  try {
    let position = 0;
    for (;;) {
      const n = readChunkSync(fd, path, chunk, position);
      if (n === 0) break;
      position += n;
      parser.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return finish(parser);
  } finally {
    closeSync(fd);
  }
}

/** Random access to packet bytes by the dataOffset the parser or a writer reported. */
export class CaptureFileReader {
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly path: string,
  ) {}

  static open(path: string): CaptureFileReader {
    try {
      const fd = openSync(path, 'r');
      if (fstatSync(fd).isDirectory()) {
        closeSync(fd);
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
      return new CaptureFileReader(fd, path);
    } catch (e) {
      throw ioError(path, 0, e);
    }
  }

  /** Returns a fresh copy of `length` bytes at `dataOffset`; throws CaptureFileError if the file is shorter. */
  readBytes(dataOffset: number, length: number): Uint8Array {
    const out = Buffer.allocUnsafe(length);
    this.readInto(dataOffset, out);
    return out;
  }

  /** Fills `target` from `dataOffset` (no allocation). */
  readInto(dataOffset: number, target: Uint8Array): void {
    if (this.closed) throw new CaptureFileError('io', dataOffset, `Capture file ${this.path} is closed.`);
    if (!Number.isSafeInteger(dataOffset) || dataOffset < 0)
      throw new CaptureFileError('io', 0, `Bad offset ${dataOffset} for ${this.path}.`);
    let done = 0;
    while (done < target.length) {
      let n: number;
      try {
        n = readSync(this.fd, target, done, target.length - done, dataOffset + done);
      } catch (e) {
        throw ioError(this.path, dataOffset + done, e);
      }
      if (n === 0) {
        throw new CaptureFileError(
          'truncated',
          dataOffset + done,
          `${this.path} ends at byte ${dataOffset + done}, before the ${target.length} bytes asked for at offset ${dataOffset}.`,
          'The file was truncated or replaced after it was opened.',
        );
      }
      done += n;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
