/** TLS through an open tunnel, HEAD / like `curl -I`, and the download with stall detection. */
import type net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { peerChain } from './certificates.js';
import {
  asHeadReadError,
  BodyTracker,
  headerValue,
  readResponseHead,
  type HeadReadError,
  type ResponseHead,
} from './http-head.js';
import type { Transcript } from './transcript.js';
import type { DownloadInfo, HttpInfo, TlsInfo } from './types.js';

export interface TlsOutcome {
  socket?: tls.TLSSocket;
  info?: TlsInfo;
  /** message: Node's / OpenSSL's words; messageKo: Korean where we know the cause, else the same words */
  error?: { code: string; message: string; messageKo: string };
  ms: number;
}

export function tlsThroughTunnel(
  raw: net.Socket,
  servername: string,
  extraCa: string | undefined,
  timeoutMs: number,
  transcript: Transcript,
  sockets: Set<net.Socket>,
): Promise<TlsOutcome> {
  const t0 = performance.now();
  const isIp = net_isIP(servername);
  return new Promise((resolve) => {
    const ca = extraCa ? [...tls.rootCertificates, extraCa] : undefined;
    const s = tls.connect({
      socket: raw,
      servername: isIp ? undefined : servername,
      ca,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    transcript.note(`TLS handshake, Client hello (SNI=${isIp ? '(none: IP address)' : servername})`);
    let settled = false;
    const done = (o: TlsOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => {
      s.destroy();
      transcript.note(`TLS handshake: no progress within ${(timeoutMs / 1000).toFixed(1)} s`);
      done({
        error: {
          code: 'ETIMEDOUT',
          message: `the TLS handshake did not complete within ${(timeoutMs / 1000).toFixed(1)} s`,
          messageKo: `${(timeoutMs / 1000).toFixed(1)}초 안에 TLS 핸드셰이크가 완료되지 않음`,
        },
        ms: performance.now() - t0,
      });
    }, timeoutMs);
    s.once('secureConnect', () => {
      const chain = peerChain(s);
      let verifyError = s.authorizationError
        ? String((s.authorizationError as Error & { code?: string }).code ?? s.authorizationError)
        : undefined;
      if (!verifyError && !isIp) {
        const idErr = tls.checkServerIdentity(servername, s.getPeerCertificate());
        if (idErr) verifyError = `ERR_TLS_CERT_ALTNAME_INVALID: ${idErr.message}`;
      }
      const cipher = s.getCipher();
      const info: TlsInfo = {
        servername,
        protocol: s.getProtocol() ?? 'unknown',
        cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
        alpn: s.alpnProtocol || undefined,
        trusted: !verifyError,
        verifyError,
        chain,
      };
      transcript.note(
        `SSL connection using ${info.protocol} / ${info.cipher}${info.alpn ? ` / ALPN ${info.alpn}` : ''}`,
      );
      transcript.note('Server certificate:');
      for (const c of chain)
        transcript.note(
          `  subject: ${c.subject}\n   issuer: ${c.issuer}\n   valid: ${c.notBefore} .. ${c.notAfter}\n   sha256: ${c.fingerprint256}`,
        );
      transcript.note(
        info.trusted ? 'SSL certificate verify ok.' : `SSL certificate problem: ${verifyError}`,
      );
      done({ socket: s, info, ms: performance.now() - t0 });
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? 'ERROR';
      transcript.note(`TLS handshake failed: ${code}: ${e.message}`);
      const messageKo = code === 'ECONNRESET' ? '연결이 재설정됨(RST)' : e.message;
      done({ error: { code, message: e.message, messageKo }, ms: performance.now() - t0 });
    });
  });
}

function net_isIP(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':');
}

export async function headRequest(
  s: tls.TLSSocket,
  host: string,
  port: number,
  userAgent: string,
  timeoutMs: number,
  transcript: Transcript,
): Promise<{ info?: HttpInfo; error?: HeadReadError; ms: number }> {
  const hostHeader = `${host.includes(':') ? `[${host}]` : host}${port === 443 ? '' : `:${port}`}`;
  const req = `HEAD / HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\n\r\n`;
  transcript.sent(req);
  const t0 = performance.now();
  s.write(req);
  try {
    const head = await readResponseHead(s, timeoutMs);
    transcript.received(head.rawHead);
    return { info: httpInfo(head), ms: performance.now() - t0 };
  } catch (e) {
    const err = asHeadReadError(e);
    transcript.note(`HEAD / failed: ${err.message}`);
    return { error: err, ms: performance.now() - t0 };
  }
}

function httpInfo(head: ResponseHead): HttpInfo {
  return {
    status: head.status,
    reason: head.reason,
    location: headerValue(head.headers, 'location'),
    headers: head.headers,
  };
}

export async function downloadThrough(
  s: tls.TLSSocket,
  url: URL,
  userAgent: string,
  stallMs: number,
  responseTimeoutMs: number,
  transcript: Transcript,
): Promise<DownloadInfo> {
  const path = url.pathname + url.search;
  const req = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
  transcript.sent(req);
  const t0 = performance.now();
  s.write(req);
  const info: DownloadInfo = {
    url: url.href,
    bytes: 0,
    ms: 0,
    complete: false,
    samples: [],
    bytesPerSecond: 0,
  };
  let head: ResponseHead;
  try {
    head = await readResponseHead(s, responseTimeoutMs);
  } catch (e) {
    const err = asHeadReadError(e);
    const secs = (responseTimeoutMs / 1000).toFixed(1);
    info.failure =
      err.kind === 'timeout' ? `stall: no response to GET within ${secs} s` : `${err.kind}: ${err.message}`;
    info.failureKo = err.kind === 'timeout' ? `${secs}초 안에 GET에 대한 응답이 없음` : err.messageKo;
    info.ms = performance.now() - t0;
    transcript.note(`download failed: ${info.failure}`);
    return info;
  }
  transcript.received(head.rawHead);
  info.status = head.status;
  const tracker = BodyTracker.forHead(head);
  info.expectedBytes = tracker.length;
  if (head.rest.length) tracker.push(head.rest);
  await new Promise<void>((resolve) => {
    let lastData = performance.now();
    let finished = false;
    const finish = (failure?: string, failureKo?: string) => {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('close', onEnd);
      s.off('error', onError);
      info.failure = failure;
      info.failureKo = failureKo;
      s.destroy();
      resolve();
    };
    const sample = () => info.samples.push({ ms: Math.round(performance.now() - t0), bytes: tracker.bytes });
    const onData = (b: Buffer) => {
      lastData = performance.now();
      tracker.push(b);
      if (tracker.complete) {
        sample();
        finish();
      }
    };
    const onEnd = () => {
      sample();
      if (
        tracker.complete ||
        (info.expectedBytes === undefined &&
          !/chunked/i.test(headerValue(head.headers, 'transfer-encoding') ?? ''))
      ) {
        tracker.complete = true;
        finish();
      } else
        finish(
          `close: the connection ended after ${tracker.bytes} of ${info.expectedBytes ?? '?'} bytes`,
          `${info.expectedBytes ?? '?'}바이트 중 ${tracker.bytes}바이트 후 연결이 끝남`,
        );
    };
    const onError = (e: NodeJS.ErrnoException) => {
      sample();
      if (e.code === 'ECONNRESET')
        finish(
          `reset: the connection was reset after ${tracker.bytes} bytes`,
          `${tracker.bytes}바이트 후 연결이 재설정됨(RST)`,
        );
      else
        finish(
          `close: ${e.code ?? ''} ${e.message} after ${tracker.bytes} bytes`,
          `${tracker.bytes}바이트 후 연결 오류: ${e.code ?? ''} ${e.message}`,
        );
    };
    const ticker = setInterval(
      () => {
        sample();
        const idle = performance.now() - lastData;
        if (idle >= stallMs)
          finish(
            `stall: no data for ${(idle / 1000).toFixed(1)} s after ${tracker.bytes} bytes`,
            `${tracker.bytes}바이트 후 ${(idle / 1000).toFixed(1)}초 동안 데이터가 없음`,
          );
      },
      Math.min(250, Math.max(50, stallMs / 4)),
    );
    if (tracker.complete) {
      sample();
      finish();
      return;
    }
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('close', onEnd);
    s.on('error', onError);
    s.resume();
  });
  info.bytes = tracker.bytes;
  info.complete = tracker.complete;
  info.ms = performance.now() - t0;
  info.bytesPerSecond = info.ms > 0 ? Math.round((info.bytes * 1000) / info.ms) : 0;
  transcript.note(
    info.complete
      ? `download complete: ${info.bytes} bytes in ${(info.ms / 1000).toFixed(2)} s (${(info.bytesPerSecond / 1024).toFixed(0)} KiB/s)`
      : `download incomplete: ${info.failure}`,
  );
  return info;
}
