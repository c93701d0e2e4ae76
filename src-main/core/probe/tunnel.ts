/**
 * One connection to the proxy and one CONNECT through it, answering 407 challenges with
 * Basic or Digest. Knows nothing about verdicts: it reports what happened and the caller judges.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseAllChallenges, type AuthChallenge } from './auth-challenge.js';
import { basicAuthorization, buildDigestAuthorization, pickDigestChallenge } from './digest.js';
import {
  asHeadReadError,
  HeadReadError,
  headerValue,
  headerValues,
  readBodyExcerpt,
  readResponseHead,
  type ResponseHead,
} from './http-head.js';
import type { Transcript } from './transcript.js';
import type { HostPort, ProxyCredentials } from './types.js';

export interface TunnelContext {
  proxyHost: string;
  /** resolved addresses, tried in order */
  addresses: string[];
  proxyPort: number;
  userAgent: string;
  transcript: Transcript;
  localPorts: number[];
  sockets: Set<net.Socket>;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  credentials?: ProxyCredentials;
  authPreference: 'basic' | 'digest' | 'any';
  /** auth learned by an earlier tunnel, sent preemptively */
  authState?: AuthState;
  /** once aborted, no new connection is opened */
  signal?: AbortSignal;
}

export type AuthState =
  { scheme: 'basic'; header: string } | { scheme: 'digest'; challenge: AuthChallenge; nc: number };

export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** the same message in Korean, for the UI */
    readonly messageKo: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** TCP connect to the first address that answers. */
export async function connectToProxy(
  ctx: TunnelContext,
): Promise<{ socket: net.Socket; address: string; ms: number }> {
  let last: ConnectError | undefined;
  for (const address of ctx.addresses) {
    if (ctx.signal?.aborted) throw new ConnectError('ABORTED', 'the probe was cancelled', '프로브가 취소됨');
    const hostLabel = ctx.proxyHost === address ? address : `${ctx.proxyHost} (${address})`;
    ctx.transcript.note(`Trying ${address.includes(':') ? `[${address}]` : address}:${ctx.proxyPort}...`);
    const t0 = performance.now();
    try {
      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: address, port: ctx.proxyPort });
        ctx.sockets.add(s);
        s.on('close', () => ctx.sockets.delete(s));
        const timer = setTimeout(() => {
          s.destroy();
          reject(
            new ConnectError(
              'ETIMEDOUT',
              `no answer to SYN from ${address}:${ctx.proxyPort} within ${(ctx.connectTimeoutMs / 1000).toFixed(1)} s`,
              `${(ctx.connectTimeoutMs / 1000).toFixed(1)}초 안에 ${address}:${ctx.proxyPort}에서 SYN에 대한 응답이 없음`,
            ),
          );
        }, ctx.connectTimeoutMs);
        s.once('connect', () => {
          clearTimeout(timer);
          s.removeAllListeners('error');
          s.on('error', () => undefined); // later errors are handled by the readers
          resolve(s);
        });
        s.once('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          const code = e.code ?? 'ERROR';
          const where = `${address}:${ctx.proxyPort}`;
          const [why, whyKo] =
            code === 'ECONNREFUSED'
              ? [
                  `connection refused by ${where} (RST to SYN: nothing listens on that port)`,
                  `${where}에서 연결을 거부함(SYN에 RST로 응답: 그 포트에서 수신 대기하는 서비스가 없음)`,
                ]
              : code === 'ECONNRESET'
                ? [`connection reset by ${where}`, `${where}에서 연결을 재설정함(RST)`]
                : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
                  ? [`no route to ${address} (${code})`, `${address}에 대한 경로가 없음(${code})`]
                  : [`${code}: ${e.message}`, `연결 오류 ${code}: ${e.message}`];
          reject(new ConnectError(code, why, whyKo));
        });
      });
      socket.setNoDelay(true);
      if (socket.localPort) ctx.localPorts.push(socket.localPort);
      ctx.transcript.note(
        `Connected to ${hostLabel} port ${ctx.proxyPort} from local port ${socket.localPort ?? '?'}`,
      );
      return { socket, address, ms: performance.now() - t0 };
    } catch (e) {
      last = e as ConnectError;
      ctx.transcript.note(`connect failed: ${last.message}`);
    }
  }
  throw last ?? new ConnectError('ENOADDR', 'no address to connect to', '연결할 주소가 없음');
}

export function connectRequest(
  target: HostPort,
  userAgent: string,
  extraHeaders: Array<[string, string]> = [],
): string {
  const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const lines = [
    `CONNECT ${authority} HTTP/1.1`,
    `Host: ${authority}`,
    `User-Agent: ${userAgent}`,
    'Proxy-Connection: Keep-Alive',
    ...extraHeaders.map(([k, v]) => `${k}: ${v}`),
  ];
  return lines.join('\r\n') + '\r\n\r\n';
}

export type TunnelOutcome =
  | {
      kind: 'open';
      socket: net.Socket;
      head: ResponseHead;
      connectMs: number;
      responseMs: number;
      authUsed?: AuthState;
      offered: string[];
    }
  | {
      kind: 'refused';
      head: ResponseHead;
      body: string;
      connectMs: number;
      responseMs: number;
      authUsed?: AuthState;
      offered: string[];
    }
  | {
      kind: 'auth';
      reason: 'required' | 'failed' | 'unsupported';
      message: string;
      messageKo: string;
      head: ResponseHead;
      body: string;
      connectMs: number;
      responseMs: number;
      offered: string[];
      authUsed?: AuthState;
    }
  | { kind: 'no-answer'; error: HeadReadError; connectMs: number; responseMs: number };

function authority(target: HostPort): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

/** The Proxy-Authorization value for `state` (Digest: computed for CONNECT to `target` with its nonce count). */
export function authHeaderFor(state: AuthState, creds: ProxyCredentials, target: HostPort): string {
  if (state.scheme === 'basic') return state.header;
  return buildDigestAuthorization(state.challenge, creds, 'CONNECT', authority(target), state.nc).header;
}

/** Chooses how to answer a 407; undefined with a reason when we cannot. */
function chooseAuth(
  challenges: AuthChallenge[],
  ctx: TunnelContext,
): { state?: AuthState; unsupported?: string; unsupportedKo?: string } {
  const creds = ctx.credentials!;
  const digest = pickDigestChallenge(challenges);
  const basic = challenges.find((c) => c.scheme.toLowerCase() === 'basic');
  if (ctx.authPreference !== 'basic' && digest)
    return { state: { scheme: 'digest', challenge: digest, nc: 1 } };
  if (ctx.authPreference !== 'digest' && basic)
    return { state: { scheme: 'basic', header: basicAuthorization(creds) } };
  const schemes = [...new Set(challenges.map((c) => c.scheme))].join(', ');
  const offered = schemes || 'nothing usable';
  const offeredKo = schemes
    ? `프록시는 ${schemes} 방식을 제공함`
    : '프록시가 사용할 수 있는 방식을 제공하지 않음';
  if (ctx.authPreference !== 'any')
    return {
      unsupported: `--auth ${ctx.authPreference} was asked for, but the proxy offers ${offered}`,
      unsupportedKo: `--auth ${ctx.authPreference} 옵션이 지정되었지만 ${offeredKo}`,
    };
  return {
    unsupported: `the proxy offers ${offered}; the FMC supports only Basic and Digest (MD5 / SHA-256, qop=auth)`,
    unsupportedKo: `${offeredKo}. FMC는 Basic과 Digest(MD5 / SHA-256, qop=auth)만 지원함`,
  };
}

/**
 * Connects (possibly several times: a proxy may close after 407) and sends CONNECT until the
 * proxy answers with something other than a 407 we can answer.
 */
export async function openTunnel(
  ctx: TunnelContext,
  target: HostPort,
  extraHeaders: Array<[string, string]> = [],
): Promise<TunnelOutcome> {
  let { socket, ms: connectMs } = await connectToProxy(ctx);
  let authUsed: AuthState | undefined = ctx.authState && ctx.credentials ? ctx.authState : undefined;
  let answeredWithCreds = false;
  let offered: string[] = [];
  let responseMs = 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    const headers: Array<[string, string]> = [...extraHeaders];
    if (authUsed && ctx.credentials) {
      headers.unshift(['Proxy-Authorization', authHeaderFor(authUsed, ctx.credentials, target)]);
      answeredWithCreds = true;
    }
    const request = connectRequest(target, ctx.userAgent, headers);
    ctx.transcript.note(`Establish HTTP proxy tunnel to ${authority(target)}`);
    ctx.transcript.sent(request);
    const t0 = performance.now();
    socket.write(request);
    let head: ResponseHead;
    try {
      head = await readResponseHead(socket, ctx.responseTimeoutMs);
    } catch (e) {
      responseMs = performance.now() - t0;
      socket.destroy();
      const err = asHeadReadError(e);
      ctx.transcript.note(`no answer to CONNECT: ${err.message}`);
      return { kind: 'no-answer', error: err, connectMs, responseMs };
    }
    responseMs = performance.now() - t0;
    ctx.transcript.received(head.rawHead);
    if (head.status >= 200 && head.status < 300) {
      ctx.transcript.note(`CONNECT phase completed in ${responseMs.toFixed(0)} ms`);
      return { kind: 'open', socket, head, connectMs, responseMs, authUsed, offered };
    }
    const body = await readBodyExcerpt(socket, head, Math.min(2000, ctx.responseTimeoutMs));
    if (body.excerpt) ctx.transcript.body(body.excerpt.slice(0, 600));
    const proxyClosed =
      body.closed ||
      /close/i.test(
        headerValue(head.headers, 'connection') ?? headerValue(head.headers, 'proxy-connection') ?? '',
      ) ||
      head.version === 'HTTP/1.0';
    if (head.status !== 407) {
      socket.destroy();
      if (proxyClosed) ctx.transcript.note('Closing connection (the proxy asked for it)');
      return { kind: 'refused', head, body: body.excerpt, connectMs, responseMs, authUsed, offered };
    }
    const challenges = parseAllChallenges(headerValues(head.headers, 'proxy-authenticate'));
    offered = [...new Set(challenges.map((c) => c.scheme))];
    const base = { head, body: body.excerpt, connectMs, responseMs, offered };
    const onlyWindows =
      challenges.length > 0 && challenges.every((c) => /^(ntlm|negotiate|kerberos)$/i.test(c.scheme));
    if (onlyWindows) {
      socket.destroy();
      return {
        kind: 'auth',
        reason: 'unsupported',
        message: `the FMC cannot authenticate to this proxy: it supports Basic/Digest, the proxy offers only ${offered.join('/')}`,
        messageKo: `FMC는 이 프록시에 인증할 수 없음: FMC는 Basic/Digest를 지원하지만 프록시는 ${offered.join('/')}만 제공함`,
        ...base,
      };
    }
    if (!ctx.credentials) {
      socket.destroy();
      return {
        kind: 'auth',
        reason: 'required',
        message: `the proxy requires authentication (offers ${offered.join(', ') || 'no scheme'}) and no credentials were given`,
        messageKo: `프록시가 인증을 요구하지만(제공 방식: ${offered.join(', ') || '없음'}) 자격 증명이 주어지지 않음`,
        ...base,
      };
    }
    const stale = challenges.some(
      (c) => c.scheme.toLowerCase() === 'digest' && /^true$/i.test(c.params.stale ?? ''),
    );
    if (answeredWithCreds && !(stale && authUsed?.scheme === 'digest')) {
      socket.destroy();
      return {
        kind: 'auth',
        reason: 'failed',
        message: `the proxy rejected the credentials of user '${ctx.credentials.username}' (407 again after ${authUsed?.scheme === 'digest' ? 'Digest' : 'Basic'} authentication)`,
        messageKo: `프록시가 사용자 '${ctx.credentials.username}'의 자격 증명을 거부함(${authUsed?.scheme === 'digest' ? 'Digest' : 'Basic'} 인증 후 다시 407)`,
        ...base,
        authUsed,
      };
    }
    const choice = chooseAuth(challenges, ctx);
    if (!choice.state) {
      socket.destroy();
      // a scheme the user forced with --auth but the proxy does not offer is a failed login, not an FMC limit
      return {
        kind: 'auth',
        reason: ctx.authPreference === 'any' ? 'unsupported' : 'failed',
        message: choice.unsupported ?? 'no usable challenge',
        messageKo: choice.unsupportedKo ?? '사용할 수 있는 인증 요청(challenge)이 없음',
        ...base,
      };
    }
    authUsed = choice.state;
    ctx.transcript.note(
      `Proxy auth using ${authUsed.scheme === 'digest' ? `Digest (${authUsed.challenge.params.algorithm ?? 'MD5'})` : 'Basic'} with user '${ctx.credentials.username}'`,
    );
    if (proxyClosed || socket.destroyed) {
      socket.destroy();
      ctx.transcript.note('The proxy closed the connection after 407: opening a fresh one');
      const again = await connectToProxy(ctx);
      socket = again.socket;
      connectMs += again.ms;
    }
  }
  socket.destroy();
  return {
    kind: 'no-answer',
    error: new HeadReadError('malformed', 'too many authentication rounds', 0, '인증 왕복이 너무 많음'),
    connectMs,
    responseMs,
  };
}

/** The auth to send preemptively on the next tunnel (Digest: same nonce, next nonce count). */
export function nextAuthState(s: AuthState | undefined): AuthState | undefined {
  if (!s) return undefined;
  return s.scheme === 'digest' ? { ...s, nc: s.nc + 1 } : s;
}
