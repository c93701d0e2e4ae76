/**
 * Reads an HTTP/1.x response head (and a bounded body excerpt) from a raw socket, robust to
 * partial reads, long headers, early close and silence. Used for the proxy's answer to CONNECT,
 * where the bytes after the head belong to the tunnel and must be handed back.
 */
import type { Socket } from 'node:net';

export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  statusLine: string;
  /** in order, names as sent */
  headers: Array<[string, string]>;
  /** bytes received after the blank line (tunnel data or body start) */
  rest: Buffer;
  /** the raw head text, for the transcript */
  rawHead: string;
}

export class HeadReadError extends Error {
  constructor(
    readonly kind: 'timeout' | 'closed' | 'reset' | 'too-large' | 'malformed',
    message: string,
    /** bytes received before the failure */
    readonly received: number,
    /** the same message in Korean, for the UI */
    readonly messageKo: string,
  ) {
    super(message);
    this.name = 'HeadReadError';
  }
}

/** Any failure while reading a head, as a HeadReadError (an unexpected one counts as a close). */
export function asHeadReadError(e: unknown): HeadReadError {
  return e instanceof HeadReadError
    ? e
    : new HeadReadError('closed', String(e), 0, `연결 오류: ${String(e)}`);
}

export const MAX_HEAD_BYTES = 64 * 1024;

export function headerValues(headers: Array<[string, string]>, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

export function headerValue(headers: Array<[string, string]>, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

export function parseHead(text: string, rest: Buffer): ResponseHead {
  const lines = text.split(/\r?\n/);
  const statusLine = lines[0] ?? '';
  const m = /^(HTTP\/\d(?:\.\d)?)\s+(\d{3})(?:\s+(.*))?$/.exec(statusLine);
  if (!m)
    throw new HeadReadError(
      'malformed',
      `the proxy's answer does not start with an HTTP status line: ${JSON.stringify(statusLine.slice(0, 80))}`,
      text.length,
      `프록시 응답이 HTTP 상태 줄로 시작하지 않음: ${JSON.stringify(statusLine.slice(0, 80))}`,
    );
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && headers.length) {
      // obsolete line folding: continuation of the previous header
      const last = headers[headers.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue; // tolerate junk lines like curl does
    headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return {
    version: m[1]!,
    status: Number(m[2]),
    reason: m[3] ?? '',
    statusLine,
    headers,
    rest,
    rawHead: text,
  };
}

/** Waits for a complete response head on `socket`. Pauses the socket and leaves later bytes in `rest`. */
export function readResponseHead(socket: Socket, timeoutMs: number): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (err: Error | null, head?: ResponseHead) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.pause();
      if (err) reject(err);
      else resolve(head!);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      const buf = Buffer.concat(chunks);
      const end = findHeadEnd(buf);
      if (end) {
        try {
          finish(null, parseHead(buf.subarray(0, end.at).toString('latin1'), buf.subarray(end.at + end.len)));
        } catch (e) {
          finish(e as Error);
        }
      } else if (total > MAX_HEAD_BYTES) {
        finish(
          new HeadReadError(
            'too-large',
            `the response head exceeds ${MAX_HEAD_BYTES} bytes without an end`,
            total,
            `응답 헤더가 끝나지 않은 채 ${MAX_HEAD_BYTES}바이트를 넘음`,
          ),
        );
      }
    };
    const onEnd = () =>
      finish(
        new HeadReadError(
          'closed',
          total
            ? `the connection closed after ${total} bytes of an incomplete response`
            : 'the connection closed without any response',
          total,
          total ? `불완전한 응답 ${total}바이트 후 연결이 닫힘` : '응답 없이 연결이 닫힘',
        ),
      );
    const onError = (e: NodeJS.ErrnoException) =>
      finish(
        new HeadReadError(
          e.code === 'ECONNRESET' ? 'reset' : 'closed',
          e.code === 'ECONNRESET' ? 'the connection was reset (RST)' : e.message,
          total,
          e.code === 'ECONNRESET' ? '연결이 재설정됨(RST)' : `연결 오류: ${e.message}`,
        ),
      );
    const timer = setTimeout(
      () =>
        finish(
          new HeadReadError(
            'timeout',
            `no complete response within ${(timeoutMs / 1000).toFixed(1)} s (${total} bytes received)`,
            total,
            `${(timeoutMs / 1000).toFixed(1)}초 안에 완전한 응답이 없음(${total}바이트 수신)`,
          ),
        ),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.resume();
  });
}

function findHeadEnd(buf: Buffer): { at: number; len: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, len: 4 };
  if (lf >= 0) return { at: lf, len: 2 };
  return undefined;
}

export interface BodyExcerpt {
  excerpt: string;
  bytes: number;
  /** the proxy closed the connection after the body (Connection: close or close-delimited) */
  closed: boolean;
}

/**
 * Reads the body of a non-200 CONNECT answer: Content-Length bytes, or until close (bounded by
 * `timeoutMs`). Keeps at most `limit` bytes for the excerpt. Never rejects.
 */
export function readBodyExcerpt(
  socket: Socket,
  head: ResponseHead,
  timeoutMs: number,
  limit = 2048,
): Promise<BodyExcerpt> {
  const framing = BodyTracker.forHead(head);
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let keptLen = 0;
    let bytes = 0;
    let done = false;
    const add = (b: Buffer) => {
      bytes += b.length;
      framing.push(b);
      if (keptLen < limit) {
        kept.push(b.subarray(0, limit - keptLen));
        keptLen += Math.min(b.length, limit - keptLen);
      }
    };
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      resolve({ excerpt: Buffer.concat(kept).toString('utf8'), bytes, closed });
    };
    const onData = (b: Buffer) => {
      add(b);
      if (framing.complete) finish(false);
    };
    const onEnd = () => finish(true);
    const timer = setTimeout(() => finish(false), timeoutMs);
    if (head.rest.length) add(head.rest);
    if (framing.complete || (framing.length === undefined && !framing.chunked && socket.destroyed)) {
      finish(socket.destroyed);
      return;
    }
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onEnd);
    socket.resume();
  });
}

/**
 * Counts a response body's bytes, following its framing (Content-Length, chunked, else until
 * close), so a reader knows when the body is complete without keeping it.
 */
export class BodyTracker {
  /** body bytes (chunk payloads, without the chunked framing) */
  bytes = 0;
  complete = false;
  private chunkLeft = 0;
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line = '';
  constructor(
    /** Content-Length, when the head gave a valid one */
    readonly length: number | undefined,
    readonly chunked: boolean,
  ) {
    if (length === 0) this.complete = true;
  }

  static forHead(head: ResponseHead): BodyTracker {
    const len = headerValue(head.headers, 'content-length');
    const chunked = /chunked/i.test(headerValue(head.headers, 'transfer-encoding') ?? '');
    return new BodyTracker(len && /^\d+$/.test(len) ? Number(len) : undefined, chunked);
  }

  push(b: Buffer): void {
    if (!this.chunked) {
      this.bytes += b.length;
      if (this.length !== undefined && this.bytes >= this.length) this.complete = true;
      return;
    }
    let i = 0;
    while (i < b.length && !this.complete) {
      if (this.chunkState === 'data') {
        const n = Math.min(this.chunkLeft, b.length - i);
        this.bytes += n;
        this.chunkLeft -= n;
        i += n;
        if (this.chunkLeft === 0) this.chunkState = 'data-crlf';
        continue;
      }
      const c = String.fromCharCode(b[i]!);
      i++;
      if (c !== '\n') {
        this.line += c;
        continue;
      }
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.chunkState === 'data-crlf') this.chunkState = 'size';
      else if (this.chunkState === 'size') {
        const size = parseInt(line.split(';')[0] ?? '', 16);
        if (Number.isNaN(size)) continue;
        if (size === 0) this.chunkState = 'trailer';
        else {
          this.chunkLeft = size;
          this.chunkState = 'data';
        }
      } else if (this.chunkState === 'trailer' && line === '') this.complete = true;
    }
  }
}
