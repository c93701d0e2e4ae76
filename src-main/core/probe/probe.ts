/**
 * The active probe: what the FMC does through its proxy, step by step, timed, with a curl -v
 * style transcript and its own verdict (a KnownIssueId). See types.ts for the result shape.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { APP_VERSION } from '../version.js';
import type { KnownIssueId } from '../diagnose/issue-ids.js';
import { basicAuthorization } from './digest.js';
import { headerValue } from './http-head.js';
import { downloadThrough, headRequest, tlsThroughTunnel } from './tls-stage.js';
import { UNTRUSTED_ISSUER_ERRORS } from './certificates.js';
import { Transcript } from './transcript.js';
import {
  authHeaderFor,
  connectRequest,
  ConnectError,
  connectToProxy,
  nextAuthState,
  openTunnel,
  type AuthState,
  type TunnelContext,
  type TunnelOutcome,
} from './tunnel.js';
import type {
  HostPort,
  LargeRequestInfo,
  ProbeFinding,
  ProbeOptions,
  ProbeResult,
  ProbeStage,
  StageName,
} from './types.js';
import { readResponseHead, HeadReadError } from './http-head.js';

export const DEFAULT_TARGET: HostPort = { host: 'tools.cisco.com', port: 443 };
export const DEFAULT_USER_AGENT = `ProxyScope/${APP_VERSION}`;

/** Squid (and look-alikes) mark policy refusals; any of these on a 403/502 means "the proxy's ACL". */
const POLICY_MARKERS =
  /^(ERR_ACCESS_DENIED|ERR_CACHE_ACCESS_DENIED|ERR_BLOCKED|ERR_FORWARDING_DENIED|ERR_ACL|ERR_POLICY)/i;

const STATUS_MEANING: Record<number, string> = {
  400: 'Bad Request: malformed request syntax',
  401: 'Unauthorized: missing or wrong credentials',
  403: 'Forbidden: access denied',
  404: 'Not Found: resource not found',
  407: 'Proxy Authentication Required',
  500: 'Internal Server Error: server error',
  502: 'Bad Gateway: server communication error',
  503: 'Service Unavailable: server overloaded or in maintenance',
  504: 'Gateway Timeout: timeout between servers',
};

export function statusMeaning(status: number): string {
  return STATUS_MEANING[status] ?? `HTTP ${status}`;
}

class Run {
  readonly stages: ProbeStage[] = [];
  readonly findings: ProbeFinding[] = [];
  issue: KnownIssueId | undefined;
  summary = '';
  constructor(private readonly onStage?: (s: ProbeStage) => void) {}
  stage(name: StageName, status: ProbeStage['status'], ms: number, detail: string): void {
    const s = { name, status, ms: Math.round(ms * 10) / 10, detail };
    this.stages.push(s);
    this.onStage?.(s);
  }
  /** the first failing cause wins; later calls only add findings */
  fail(issue: KnownIssueId, stage: StageName, title: string, summary: string): void {
    this.findings.push({ issue, severity: 'error', stage, title, detail: summary });
    if (!this.issue) {
      this.issue = issue;
      this.summary = summary;
    }
  }
  note(
    issue: KnownIssueId,
    severity: ProbeFinding['severity'],
    stage: StageName,
    title: string,
    detail: string,
  ): void {
    this.findings.push({ issue, severity, stage, title, detail });
  }
  skip(names: StageName[], why: string): void {
    for (const n of names) if (!this.stages.some((s) => s.name === n)) this.stage(n, 'skipped', 0, why);
  }
}

export async function runProbe(opts: ProbeOptions): Promise<ProbeResult> {
  const started = new Date();
  const t0 = performance.now();
  const target = opts.target ?? DEFAULT_TARGET;
  const timeouts = { connect: 10_000, response: 15_000, tls: 15_000, http: 15_000, ...opts.timeouts };
  // (the transcript masks a short password only where credentials are, not in all text)
  const secrets = opts.credentials?.password
    ? [opts.credentials.password, basicAuthorization(opts.credentials).slice(6)]
    : [];
  const transcript = new Transcript(secrets);
  const run = new Run(opts.onStage);
  const sockets = new Set<net.Socket>();
  const localPorts: number[] = [];
  const onAbort = () => {
    for (const s of sockets) s.destroy();
  };
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.signal?.aborted) onAbort();
  const result: Omit<ProbeResult, 'verdict' | 'stages' | 'findings' | 'transcript' | 'durationMs'> = {
    localPorts,
    proxy: { ...opts.proxy, addresses: [] },
    target,
    startedAt: started.toISOString(),
  };
  try {
    if (!opts.signal?.aborted) await probeSteps(opts, target, timeouts, transcript, run, sockets, result);
  } catch (e) {
    if (!opts.signal?.aborted) throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const s of sockets) s.destroy();
  }
  if (opts.signal?.aborted) {
    // no verdict from a half-run probe: `ok` with ok=false means "nothing to judge", as in the diagnosis
    return {
      verdict: { issue: 'ok', ok: false, summary: 'The probe was cancelled before it finished; no verdict.' },
      stages: run.stages,
      findings: run.findings,
      transcript: transcript.toString() + '\n* Probe cancelled',
      durationMs: Math.round(performance.now() - t0),
      ...result,
    };
  }
  const issue = run.issue ?? 'ok';
  const summary =
    run.issue === undefined
      ? `The proxy ${opts.proxy.host}:${opts.proxy.port} works: CONNECT ${target.host}:${target.port} → ${result.connect?.status ?? '?'}, TLS ${result.tls?.protocol ?? '?'}, HEAD / → ${result.http?.status ?? '?'}${result.download ? `, download ${result.download.bytes} bytes` : ''}.`
      : run.summary;
  return {
    verdict: { issue, ok: issue === 'ok', summary },
    stages: run.stages,
    findings: run.findings,
    transcript: transcript.toString(),
    durationMs: Math.round(performance.now() - t0),
    ...result,
  };
}

/** every phase's timeout in ms, the defaults filled in */
type Timeouts = Required<NonNullable<ProbeOptions['timeouts']>>;

type Mutable = Omit<ProbeResult, 'verdict' | 'stages' | 'findings' | 'transcript' | 'durationMs'>;

async function probeSteps(
  opts: ProbeOptions,
  target: HostPort,
  timeouts: Timeouts,
  transcript: Transcript,
  run: Run,
  sockets: Set<net.Socket>,
  result: Mutable,
): Promise<void> {
  const proxyLabel = `${opts.proxy.host}:${opts.proxy.port}`;
  const later: StageName[] = [
    'connect',
    'connect-response',
    'proxy-auth',
    'tls',
    'head',
    'download',
    'large-request',
  ];

  // 1. DNS
  let addresses: string[];
  if (net.isIP(opts.proxy.host)) {
    addresses = [opts.proxy.host];
    run.stage('dns', 'skipped', 0, `${opts.proxy.host} is an IP address`);
  } else {
    const d0 = performance.now();
    try {
      const found = await dns.lookup(opts.proxy.host, { all: true });
      addresses = found.map((a) => a.address);
      const ms = performance.now() - d0;
      run.stage('dns', 'ok', ms, `${opts.proxy.host} → ${addresses.join(', ')} (${ms.toFixed(0)} ms)`);
      transcript.note(`Resolved ${opts.proxy.host} to ${addresses.join(', ')}`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
      const ms = performance.now() - d0;
      const why =
        code === 'ENOTFOUND'
          ? 'the name does not exist (NXDOMAIN) or has no address'
          : code === 'EAI_AGAIN'
            ? 'the DNS server did not answer (timeout / SERVFAIL)'
            : code;
      run.stage('dns', 'failed', ms, `${opts.proxy.host}: ${why}`);
      transcript.note(`Could not resolve proxy: ${opts.proxy.host} (${code})`);
      run.fail(
        'proxy-dns-failure',
        'dns',
        'The proxy name does not resolve',
        `The proxy name ${opts.proxy.host} could not be resolved: ${why}. Check the FMC's DNS servers (System → Configuration → Management Interfaces) or use the proxy's IP address.`,
      );
      run.skip(later, 'the proxy name did not resolve');
      return;
    }
  }
  result.proxy.addresses = addresses;

  const ctx: TunnelContext = {
    proxyHost: opts.proxy.host,
    addresses,
    proxyPort: opts.proxy.port,
    userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    transcript,
    localPorts: result.localPorts,
    sockets,
    connectTimeoutMs: timeouts.connect,
    responseTimeoutMs: timeouts.response,
    credentials: opts.credentials,
    authPreference: opts.auth ?? 'any',
    signal: opts.signal,
  };

  // 2-3. TCP connect + CONNECT (+ 407 rounds)
  let tunnel: TunnelOutcome;
  try {
    tunnel = await openTunnel(ctx, target);
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    run.stage('connect', 'failed', 0, e.message);
    run.fail(
      'proxy-unreachable',
      'connect',
      'The proxy does not accept the connection',
      `TCP connection to the proxy ${proxyLabel} failed: ${e.message}. Check the proxy address and port in the FMC settings, that the proxy service runs, and that no firewall between the FMC and the proxy drops or rejects TCP/${opts.proxy.port}.`,
    );
    run.skip(later, 'no TCP connection to the proxy');
    return;
  }
  run.stage(
    'connect',
    'ok',
    tunnel.connectMs,
    `TCP connected to ${proxyLabel} in ${tunnel.connectMs.toFixed(0)} ms`,
  );
  const smallAnswered = tunnel.kind !== 'no-answer';

  if (tunnel.kind === 'no-answer') {
    const err = tunnel.error;
    run.stage('connect-response', 'failed', tunnel.responseMs, err.message);
    if (err.kind === 'timeout') {
      run.fail(
        'proxy-upstream-failure',
        'connect-response',
        'The proxy does not answer CONNECT',
        `The proxy accepted the TCP connection but sent no answer to CONNECT ${target.host}:${target.port} within ${(timeouts.response / 1000).toFixed(0)} s; it is probably stuck reaching or resolving the origin. Check the proxy's upstream connectivity and DNS.`,
      );
    } else {
      run.fail(
        'proxy-unreachable',
        'connect-response',
        'The proxy dropped the connection',
        `The proxy ${proxyLabel} accepted the TCP connection but ${err.kind === 'reset' ? 'reset it (RST)' : 'closed it'} without answering CONNECT. The port may belong to something that is not an HTTP proxy, or the proxy refuses this client.`,
      );
    }
  } else {
    result.connect = {
      status: tunnel.head.status,
      reason: tunnel.head.reason,
      headers: tunnel.head.headers,
      bodyExcerpt: tunnel.kind === 'open' ? '' : tunnel.body.slice(0, 2048),
      offeredSchemes: tunnel.offered,
      auth: tunnel.authUsed
        ? {
            scheme: tunnel.authUsed.scheme,
            algorithm:
              tunnel.authUsed.scheme === 'digest'
                ? (tunnel.authUsed.challenge.params.algorithm ?? 'MD5')
                : undefined,
          }
        : undefined,
    };
    const status = tunnel.head.status;
    run.stage(
      'connect-response',
      tunnel.kind === 'open' ? 'ok' : 'failed',
      tunnel.responseMs,
      `${tunnel.head.statusLine} (${tunnel.responseMs.toFixed(0)} ms)`,
    );
    if (tunnel.responseMs > 1000 && tunnel.kind === 'open') {
      run.note(
        'ok',
        'warning',
        'connect-response',
        'Slow CONNECT answer',
        `The proxy took ${(tunnel.responseMs / 1000).toFixed(1)} s to answer CONNECT (the reference capture shows 0.18 s). Long delays add up on every FMC update and can hit timeouts.`,
      );
    }
    if (tunnel.kind === 'auth') {
      run.stage('proxy-auth', 'failed', 0, tunnel.message);
      const issue =
        tunnel.reason === 'unsupported'
          ? 'proxy-auth-unsupported'
          : tunnel.reason === 'required'
            ? 'proxy-auth-required'
            : 'proxy-auth-failed';
      const next =
        tunnel.reason === 'unsupported'
          ? ' Ask the proxy team for Basic or Digest authentication for the FMC, or an exemption by source address.'
          : tunnel.reason === 'required'
            ? ' Enable "Use Proxy Authentication" on the FMC with a user the proxy accepts (give --user and --password-env to the probe).'
            : ' Check the user name and password on the FMC (re-type the password: allowed characters are A–Z, a–z, 0–9 and special characters) and that the account is not locked on the proxy.';
      run.fail(
        issue,
        'proxy-auth',
        'Proxy authentication',
        `407 Proxy Authentication Required: ${tunnel.message}.${next}`,
      );
    } else {
      if (tunnel.authUsed)
        run.stage(
          'proxy-auth',
          'ok',
          0,
          `accepted ${tunnel.authUsed.scheme === 'digest' ? `Digest (${tunnel.authUsed.challenge.params.algorithm ?? 'MD5'})` : 'Basic'} credentials of '${opts.credentials?.username ?? ''}'`,
        );
      else run.stage('proxy-auth', 'skipped', 0, 'the proxy did not ask for authentication');
      if (tunnel.kind === 'refused') {
        const squidError = headerValue(tunnel.head.headers, 'x-squid-error') ?? '';
        const policy = POLICY_MARKERS.test(squidError);
        const marker = squidError ? ` (X-Squid-Error: ${squidError})` : '';
        // 401 is a misconfigured 407; a policy marker, any other 4xx, or a redirect (captive portal)
        // is the proxy refusing us; a 5xx without a marker is the proxy failing upstream
        const refusedByPolicy =
          policy || (status >= 400 && status < 500) || status < 200 || (status >= 300 && status < 400);
        if (status === 401) {
          run.fail(
            'proxy-auth-required',
            'connect-response',
            'The proxy wants credentials',
            `The proxy answered 401 instead of 407 to CONNECT; it wants credentials. Enable proxy authentication on the FMC.`,
          );
        } else if (refusedByPolicy) {
          run.fail(
            'proxy-denied',
            'connect-response',
            'The proxy refuses the tunnel',
            `The proxy answered CONNECT ${target.host}:${target.port} with ${status} ${tunnel.head.reason}${marker}: ${statusMeaning(status)}. An access rule on the proxy blocks this client or destination (the document's "proxy ACL"). Ask the proxy team to allow CONNECT from the FMC's management address to ${target.host}:${target.port}.`,
          );
        } else {
          run.fail(
            'proxy-upstream-failure',
            'connect-response',
            'The proxy could not reach the origin',
            `The proxy answered CONNECT ${target.host}:${target.port} with ${status} ${tunnel.head.reason}${marker}: ${statusMeaning(status)}. The proxy itself could not reach or resolve ${target.host}; check the proxy's DNS and internet access, not the FMC.`,
          );
        }
      }
    }
  }

  // each later request with the accepted credentials gets its own Digest nonce count
  let laterAuth = tunnel.kind !== 'no-answer' ? tunnel.authUsed : undefined;
  const authForLater = () => (laterAuth = nextAuthState(laterAuth));

  // 4-5. TLS + HEAD through the tunnel
  if (tunnel.kind === 'open') {
    ctx.authState = tunnel.authUsed;
    const raw = tunnel.socket;
    if (tunnel.head.rest.length) raw.unshift(tunnel.head.rest);
    const tlsOut = await tlsThroughTunnel(raw, target.host, opts.extraCa, timeouts.tls, transcript, sockets);
    if (tlsOut.error || !tlsOut.socket || !tlsOut.info) {
      const e = tlsOut.error ?? { code: 'ERROR', message: 'unknown' };
      run.stage('tls', 'failed', tlsOut.ms, `${e.code}: ${e.message}`);
      // the large-request test below may turn this into mtu-blackhole
      run.fail(
        'tls-handshake-failed',
        'tls',
        'The TLS handshake through the tunnel failed',
        `The tunnel opened (200) but the TLS handshake with ${target.host} failed: ${e.code === 'ECONNRESET' ? 'the connection was reset (RST)' : e.message}. Something between the FMC and ${target.host} (the proxy's SSL inspection, a firewall, a path MTU problem) breaks TLS.`,
      );
      run.skip(['head'], 'no TLS session');
    } else {
      result.tls = tlsOut.info;
      const tlsInfo = tlsOut.info;
      run.stage(
        'tls',
        'ok',
        tlsOut.ms,
        `${tlsInfo.protocol} ${tlsInfo.cipher}; ${tlsInfo.trusted ? 'chain trusted' : `not trusted: ${tlsInfo.verifyError}`}; issuer ${tlsInfo.chain[0]?.issuer ?? '?'}`,
      );
      if (!tlsInfo.trusted) {
        const code = (tlsInfo.verifyError ?? '').split(':')[0] ?? '';
        if (UNTRUSTED_ISSUER_ERRORS.has(code)) {
          const top = tlsInfo.chain[tlsInfo.chain.length - 1];
          run.fail(
            'tls-intercepted',
            'tls',
            'TLS is intercepted',
            `The certificate presented for ${target.host} is issued by "${tlsInfo.chain[0]?.issuer ?? '?'}"${top && top !== tlsInfo.chain[0] ? ` (chain up to "${top.subject}")` : ''}, a CA this machine does not trust (${code}): the proxy (or a device on the way) decrypts TLS and re-signs it with its own CA. Either exempt ${target.host} from SSL inspection on the proxy or import the proxy's CA into the FMC's trusted CAs.`,
          );
        } else {
          run.fail(
            'tls-handshake-failed',
            'tls',
            'The server certificate is not valid',
            `The certificate for ${target.host} does not verify: ${tlsInfo.verifyError}. Check the date/time on the FMC and that the name matches.`,
          );
        }
      }
      const head = await headRequest(
        tlsOut.socket,
        target.host,
        target.port,
        ctx.userAgent,
        timeouts.http,
        transcript,
      );
      tlsOut.socket.destroy();
      if (head.info) {
        result.http = head.info;
        run.stage(
          'head',
          head.info.status < 400 ? 'ok' : 'failed',
          head.ms,
          `HTTP ${head.info.status} ${head.info.reason}${head.info.location ? ` → ${head.info.location}` : ''}`,
        );
        if (head.info.status >= 300 && head.info.status < 400)
          run.note(
            'ok',
            'info',
            'head',
            'Redirect',
            `The origin answers HEAD / with ${head.info.status} to ${head.info.location ?? '?'}; that is normal (the document shows 302 to /healthcheck).`,
          );
        if (head.info.status >= 400)
          run.fail(
            'origin-http-error',
            'head',
            'The origin answers with an error',
            `The tunnel and TLS work, but ${target.host} answered HEAD / with ${head.info.status} ${head.info.reason}: ${statusMeaning(head.info.status)}. The proxy is not the problem; check the URL and the origin.`,
          );
      } else {
        const err = head.error!;
        run.stage('head', 'failed', head.ms, err.message);
        run.fail(
          'transfer-stalled',
          'head',
          'The request through the tunnel got no answer',
          `TLS completed but HEAD / through the tunnel ${err.kind === 'timeout' ? `got no answer within ${(timeouts.http / 1000).toFixed(0)} s` : err.kind === 'reset' ? 'was reset' : 'was closed'} — the proxy stopped relaying.`,
        );
      }
    }
  } else {
    run.skip(['tls', 'head'], 'no tunnel');
  }

  // 6. optional download through its own tunnel
  if (opts.download && tunnel.kind === 'open') {
    let url: URL | undefined;
    try {
      url = new URL(opts.download);
      if (url.protocol !== 'https:') throw new Error('only https:// URLs are supported');
    } catch (e) {
      run.stage('download', 'skipped', 0, `bad download URL ${opts.download}: ${(e as Error).message}`);
      url = undefined;
    }
    if (url) await downloadStage(url, opts, ctx, timeouts, transcript, run, sockets, result, authForLater());
  } else {
    run.skip(
      ['download'],
      opts.download ? 'no tunnel' : 'no download URL given (--download URL tests a long transfer)',
    );
  }

  // 7. the padded CONNECT: a full-size segment
  if (opts.largeRequestTest !== false && smallAnswered) {
    ctx.authState = undefined;
    // the same credentials as the small CONNECT: behind an authenticating proxy a bare one only gets a 407
    const lr = await largeRequest(
      ctx,
      target,
      opts.largeRequestBytes ?? 1460,
      Math.min(timeouts.response, 5000),
      transcript,
      authForLater(),
    );
    result.largeRequest = lr;
    if (lr.outcome === 'answered') {
      run.stage(
        'large-request',
        'ok',
        lr.ms,
        `a ${lr.bytes}-byte CONNECT got ${lr.status} like the small one`,
      );
    } else {
      run.stage(
        'large-request',
        'failed',
        lr.ms,
        `a ${lr.bytes}-byte CONNECT (one full-size segment) got ${lr.outcome === 'timeout' ? 'no answer' : lr.outcome === 'reset' ? 'a RST' : lr.outcome} while the small one was answered`,
      );
      const mtuSummary = `Small packets pass but full-size ones do not: the small CONNECT was answered, a ${lr.bytes}-byte CONNECT ${lr.outcome === 'reset' ? 'was reset' : lr.outcome === 'timeout' ? 'got no answer' : 'was closed'}${run.issue === 'tls-handshake-failed' || run.issue === 'transfer-stalled' ? ', and the TLS handshake / transfer (large certificate segments) broke' : ''}. The path MTU between the FMC and the proxy (or the proxy and the internet) is smaller than the interfaces think and ICMP "fragmentation needed" does not come back. Lower the MTU on the FMC management interface (e.g. 1400), fix MSS clamping on the firewall in between, or allow ICMP type 3 code 4.`;
      if (
        run.issue === undefined ||
        run.issue === 'tls-handshake-failed' ||
        run.issue === 'transfer-stalled'
      ) {
        run.issue = undefined;
        run.fail('mtu-blackhole', 'large-request', 'Large segments are dropped (MTU black hole)', mtuSummary);
      } else run.note('mtu-blackhole', 'warning', 'large-request', 'Large segments are dropped', mtuSummary);
    }
  } else {
    run.skip(
      ['large-request'],
      opts.largeRequestTest === false ? 'disabled' : 'the proxy did not answer the small CONNECT',
    );
  }
}

async function downloadStage(
  url: URL,
  opts: ProbeOptions,
  ctx: TunnelContext,
  timeouts: Timeouts,
  transcript: Transcript,
  run: Run,
  sockets: Set<net.Socket>,
  result: Mutable,
  authState: TunnelContext['authState'],
): Promise<void> {
  const dlTarget = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443) };
  transcript.note(`Download ${url.href} through a new tunnel`);
  const d0 = performance.now();
  let t: TunnelOutcome;
  try {
    t = await openTunnel({ ...ctx, authState }, dlTarget);
  } catch (e) {
    run.stage('download', 'failed', performance.now() - d0, (e as Error).message);
    run.fail(
      'proxy-unreachable',
      'download',
      'The proxy dropped the connection',
      `A second connection to the proxy for the download failed: ${(e as Error).message}.`,
    );
    return;
  }
  if (t.kind !== 'open') {
    const why = t.kind === 'no-answer' ? t.error.message : `${t.head.status} ${t.head.reason}`;
    run.stage('download', 'failed', performance.now() - d0, `CONNECT for the download: ${why}`);
    run.fail(
      t.kind === 'no-answer' ? 'transfer-stalled' : 'proxy-denied',
      'download',
      'The download tunnel failed',
      `CONNECT ${dlTarget.host}:${dlTarget.port} for the download failed: ${why}.`,
    );
    return;
  }
  if (t.head.rest.length) t.socket.unshift(t.head.rest);
  const tl = await tlsThroughTunnel(t.socket, dlTarget.host, opts.extraCa, timeouts.tls, transcript, sockets);
  if (!tl.socket) {
    run.stage(
      'download',
      'failed',
      performance.now() - d0,
      `TLS for the download: ${tl.error?.message ?? '?'}`,
    );
    run.fail(
      'tls-handshake-failed',
      'download',
      'TLS for the download failed',
      `The TLS handshake for the download failed: ${tl.error?.message ?? '?'}.`,
    );
    return;
  }
  const stallMs = (opts.stallSeconds ?? 10) * 1000;
  const info = await downloadThrough(tl.socket, url, ctx.userAgent, stallMs, timeouts.http, transcript);
  result.download = info;
  const ms = performance.now() - d0;
  if (info.status !== undefined && info.status >= 400) {
    run.stage('download', 'failed', ms, `HTTP ${info.status}`);
    run.fail(
      'origin-http-error',
      'download',
      'The origin answers the download with an error',
      `GET ${url.href} answered ${info.status}: ${statusMeaning(info.status)}. The tunnel works; check the URL on the origin.`,
    );
  } else if (!info.complete) {
    run.stage('download', 'failed', ms, `${info.bytes} bytes, then ${info.failure}`);
    const kind = info.failure?.split(':')[0];
    run.fail(
      'transfer-stalled',
      'download',
      'The download stalls',
      `The download started (${info.bytes}${info.expectedBytes ? ` of ${info.expectedBytes}` : ''} bytes) and then ${kind === 'stall' ? `no more data came for ${opts.stallSeconds ?? 10} s` : kind === 'reset' ? 'the connection was reset' : 'the connection was closed early'}. Likely causes: proxy inspection delay or filtering, a proxy timeout for long transfers, a proxy file-size limit.`,
    );
  } else {
    run.stage(
      'download',
      'ok',
      ms,
      `${info.bytes} bytes in ${(info.ms / 1000).toFixed(2)} s (${(info.bytesPerSecond / 1024).toFixed(0)} KiB/s)`,
    );
  }
}

/** Sends one CONNECT padded to `bytes` of TCP payload in a single write, on a fresh connection. */
async function largeRequest(
  ctx: TunnelContext,
  target: HostPort,
  bytes: number,
  timeoutMs: number,
  transcript: Transcript,
  auth?: AuthState,
): Promise<LargeRequestInfo> {
  const t0 = performance.now();
  transcript.note(`Large-request test: CONNECT padded to ${bytes} bytes (one full-size TCP segment)`);
  let socket: net.Socket;
  try {
    socket = (await connectToProxy(ctx)).socket;
  } catch {
    return { bytes, outcome: 'not-connected', ms: performance.now() - t0 };
  }
  const creds: Array<[string, string]> =
    auth && ctx.credentials ? [['Proxy-Authorization', authHeaderFor(auth, ctx.credentials, target)]] : [];
  const base = connectRequest(target, ctx.userAgent, [...creds, ['X-ProxyScope-Padding', '']]);
  const pad = Math.max(0, bytes - Buffer.byteLength(base));
  const request = connectRequest(target, ctx.userAgent, [
    ...creds,
    ['X-ProxyScope-Padding', 'x'.repeat(pad)],
  ]);
  transcript.sent(request.replace(/x{40,}/, (m) => `x…(${m.length} bytes of padding)`));
  socket.write(request);
  try {
    const head = await readResponseHead(socket, timeoutMs);
    transcript.received(head.rawHead);
    return {
      bytes: Buffer.byteLength(request),
      outcome: 'answered',
      status: head.status,
      ms: performance.now() - t0,
    };
  } catch (e) {
    const err = e instanceof HeadReadError ? e : new HeadReadError('closed', String(e), 0);
    transcript.note(`large CONNECT: ${err.message}`);
    return {
      bytes: Buffer.byteLength(request),
      outcome: err.kind === 'reset' ? 'reset' : err.kind === 'timeout' ? 'timeout' : 'closed',
      ms: performance.now() - t0,
    };
  } finally {
    socket.destroy();
  }
}
