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
import { statusMeaningText, t, type Bilingual } from './texts.js';
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
import { readResponseHead, asHeadReadError } from './http-head.js';

export const DEFAULT_TARGET: HostPort = { host: 'tools.cisco.com', port: 443 };
export const DEFAULT_USER_AGENT = `ProxyScope/${APP_VERSION}`;

/** Squid (and look-alikes) mark policy refusals; any of these on a 403/502 means "the proxy's ACL". */
const POLICY_MARKERS =
  /^(ERR_ACCESS_DENIED|ERR_CACHE_ACCESS_DENIED|ERR_BLOCKED|ERR_FORWARDING_DENIED|ERR_ACL|ERR_POLICY)/i;

export function statusMeaning(status: number): string {
  return statusMeaningText(status).en;
}

/** Seconds with `digits` decimals, for "… within 15 s" / "15초 안에 …". */
function secs(ms: number, digits = 0): string {
  return (ms / 1000).toFixed(digits);
}

class Run {
  readonly stages: ProbeStage[] = [];
  readonly findings: ProbeFinding[] = [];
  issue: KnownIssueId | undefined;
  summary: Bilingual = t('', '');
  constructor(private readonly onStage?: (s: ProbeStage) => void) {}
  stage(name: StageName, status: ProbeStage['status'], ms: number, detail: Bilingual): void {
    const s = { name, status, ms: Math.round(ms * 10) / 10, detail: detail.en, detailKo: detail.ko };
    this.stages.push(s);
    this.onStage?.(s);
  }
  /** the first failing cause wins; later calls only add findings */
  fail(issue: KnownIssueId, stage: StageName, title: Bilingual, summary: Bilingual): void {
    this.note(issue, 'error', stage, title, summary);
    if (!this.issue) {
      this.issue = issue;
      this.summary = summary;
    }
  }
  note(
    issue: KnownIssueId,
    severity: ProbeFinding['severity'],
    stage: StageName,
    title: Bilingual,
    detail: Bilingual,
  ): void {
    this.findings.push({
      issue,
      severity,
      stage,
      title: title.en,
      detail: detail.en,
      titleKo: title.ko,
      detailKo: detail.ko,
    });
  }
  skip(names: StageName[], why: Bilingual): void {
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
      verdict: {
        issue: 'ok',
        ok: false,
        summary: 'The probe was cancelled before it finished; no verdict.',
        summaryKo: '프로브가 끝나기 전에 취소되어 판정이 없습니다.',
      },
      stages: run.stages,
      findings: run.findings,
      transcript: transcript.toString() + '\n* Probe cancelled',
      durationMs: Math.round(performance.now() - t0),
      ...result,
    };
  }
  const issue = run.issue ?? 'ok';
  const facts = `CONNECT ${target.host}:${target.port} → ${result.connect?.status ?? '?'}, TLS ${result.tls?.protocol ?? '?'}, HEAD / → ${result.http?.status ?? '?'}`;
  const summary =
    run.issue === undefined
      ? t(
          `The proxy ${opts.proxy.host}:${opts.proxy.port} works: ${facts}${result.download ? `, download ${result.download.bytes} bytes` : ''}.`,
          `프록시 ${opts.proxy.host}:${opts.proxy.port}에서 모든 단계가 정상입니다: ${facts}${result.download ? `, 다운로드 ${result.download.bytes}바이트` : ''}.`,
        )
      : run.summary;
  return {
    verdict: { issue, ok: issue === 'ok', summary: summary.en, summaryKo: summary.ko },
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
    run.stage(
      'dns',
      'skipped',
      0,
      t(`${opts.proxy.host} is an IP address`, `${opts.proxy.host}: IP 주소이므로 이름 조회 없음`),
    );
  } else {
    const d0 = performance.now();
    try {
      addresses = opts.lookup
        ? await opts.lookup(opts.proxy.host)
        : (await dns.lookup(opts.proxy.host, { all: true })).map((a) => a.address);
      const ms = performance.now() - d0;
      const resolved = `${opts.proxy.host} → ${addresses.join(', ')} (${ms.toFixed(0)} ms)`;
      run.stage('dns', 'ok', ms, t(resolved, `이름 조회 성공: ${resolved}`));
      transcript.note(`Resolved ${opts.proxy.host} to ${addresses.join(', ')}`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
      const ms = performance.now() - d0;
      const why =
        code === 'ENOTFOUND'
          ? t(
              'the name does not exist (NXDOMAIN) or has no address',
              '이름이 존재하지 않거나(NXDOMAIN) 주소가 없음',
            )
          : code === 'EAI_AGAIN'
            ? t(
                'the DNS server did not answer (timeout / SERVFAIL)',
                'DNS 서버가 응답하지 않음(시간 초과 / SERVFAIL)',
              )
            : t(code, `조회 오류 ${code}`);
      run.stage('dns', 'failed', ms, t(`${opts.proxy.host}: ${why.en}`, `${opts.proxy.host}: ${why.ko}`));
      transcript.note(`Could not resolve proxy: ${opts.proxy.host} (${code})`);
      run.fail(
        'proxy-dns-failure',
        'dns',
        t('The proxy name does not resolve', '프록시 이름을 확인할 수 없음'),
        t(
          `The proxy name ${opts.proxy.host} could not be resolved: ${why.en}. Check the FMC's DNS servers (System → Configuration → Management Interfaces) or use the proxy's IP address.`,
          `프록시 이름 ${opts.proxy.host}의 주소를 확인할 수 없습니다: ${why.ko}. FMC의 DNS 서버(System → Configuration → Management Interfaces)를 확인하거나 프록시의 IP 주소를 사용하십시오.`,
        ),
      );
      run.skip(later, t('the proxy name did not resolve', '프록시 이름을 확인하지 못함'));
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
    run.stage('connect', 'failed', 0, t(e.message, e.messageKo));
    run.fail(
      'proxy-unreachable',
      'connect',
      t('The proxy does not accept the connection', '프록시가 연결을 수락하지 않음'),
      t(
        `TCP connection to the proxy ${proxyLabel} failed: ${e.message}. Check the proxy address and port in the FMC settings, that the proxy service runs, and that no firewall between the FMC and the proxy drops or rejects TCP/${opts.proxy.port}.`,
        `프록시 ${proxyLabel}에 대한 TCP 연결 실패: ${e.messageKo}. FMC 설정의 프록시 주소와 포트, 프록시 서비스가 실행 중인지, FMC와 프록시 사이의 방화벽에서 TCP/${opts.proxy.port} 트래픽이 차단되거나 거부되지 않는지 확인하십시오.`,
      ),
    );
    run.skip(later, t('no TCP connection to the proxy', '프록시에 대한 TCP 연결 없음'));
    return;
  }
  run.stage(
    'connect',
    'ok',
    tunnel.connectMs,
    t(
      `TCP connected to ${proxyLabel} in ${tunnel.connectMs.toFixed(0)} ms`,
      `${proxyLabel}에 TCP 연결됨(${tunnel.connectMs.toFixed(0)} ms)`,
    ),
  );
  const smallAnswered = tunnel.kind !== 'no-answer';

  if (tunnel.kind === 'no-answer') {
    const err = tunnel.error;
    run.stage('connect-response', 'failed', tunnel.responseMs, t(err.message, err.messageKo));
    if (err.kind === 'timeout') {
      run.fail(
        'proxy-upstream-failure',
        'connect-response',
        t('The proxy does not answer CONNECT', '프록시가 CONNECT에 응답하지 않음'),
        t(
          `The proxy accepted the TCP connection but sent no answer to CONNECT ${target.host}:${target.port} within ${secs(timeouts.response)} s; it is probably stuck reaching or resolving the origin. Check the proxy's upstream connectivity and DNS.`,
          `프록시가 TCP 연결은 수락했지만 ${secs(timeouts.response)}초 안에 CONNECT ${target.host}:${target.port}에 응답하지 않았습니다. 프록시가 대상 서버에 연결하거나 이름을 확인하는 단계에서 멈춘 것으로 보입니다. 프록시의 업스트림 연결과 DNS를 확인하십시오.`,
        ),
      );
    } else {
      run.fail(
        'proxy-unreachable',
        'connect-response',
        t('The proxy dropped the connection', '프록시가 연결을 끊음'),
        t(
          `The proxy ${proxyLabel} accepted the TCP connection but ${err.kind === 'reset' ? 'reset it (RST)' : 'closed it'} without answering CONNECT. The port may belong to something that is not an HTTP proxy, or the proxy refuses this client.`,
          `프록시 ${proxyLabel}에서 TCP 연결은 수락했지만 CONNECT에 응답하지 않고 연결을 ${err.kind === 'reset' ? '재설정했습니다(RST)' : '닫았습니다'}. 이 포트가 HTTP 프록시가 아닌 다른 서비스의 포트이거나 프록시가 이 클라이언트를 거부합니다.`,
        ),
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
      t(
        `${tunnel.head.statusLine} (${tunnel.responseMs.toFixed(0)} ms)`,
        `프록시 응답: ${tunnel.head.statusLine} (${tunnel.responseMs.toFixed(0)} ms)`,
      ),
    );
    if (tunnel.responseMs > 1000 && tunnel.kind === 'open') {
      run.note(
        'ok',
        'warning',
        'connect-response',
        t('Slow CONNECT answer', '느린 CONNECT 응답'),
        t(
          `The proxy took ${secs(tunnel.responseMs, 1)} s to answer CONNECT (the reference capture shows 0.18 s). Long delays add up on every FMC update and can hit timeouts.`,
          `프록시가 CONNECT에 응답하는 데 ${secs(tunnel.responseMs, 1)}초가 걸렸습니다(참조 캡처에서는 0.18초). 지연이 길면 FMC 업데이트 때마다 누적되어 시간 초과가 발생할 수 있습니다.`,
        ),
      );
    }
    if (tunnel.kind === 'auth') {
      run.stage('proxy-auth', 'failed', 0, t(tunnel.message, tunnel.messageKo));
      const issue =
        tunnel.reason === 'unsupported'
          ? 'proxy-auth-unsupported'
          : tunnel.reason === 'required'
            ? 'proxy-auth-required'
            : 'proxy-auth-failed';
      const next =
        tunnel.reason === 'unsupported'
          ? t(
              ' Ask the proxy team for Basic or Digest authentication for the FMC, or an exemption by source address.',
              ' 프록시 담당 팀에 FMC용 Basic 또는 Digest 인증, 또는 출발지 주소 기준 예외를 요청하십시오.',
            )
          : tunnel.reason === 'required'
            ? t(
                ' Enable "Use Proxy Authentication" on the FMC with a user the proxy accepts (give --user and --password-env to the probe).',
                ' FMC에서 "Use Proxy Authentication"을 활성화하고 프록시가 허용하는 사용자를 입력하십시오(프로브에는 --user와 --password-env를 지정).',
              )
            : t(
                ' Check the user name and password on the FMC (re-type the password: allowed characters are A–Z, a–z, 0–9 and special characters) and that the account is not locked on the proxy.',
                ' FMC의 사용자 이름과 비밀번호를 확인하고(비밀번호를 다시 입력하십시오. 허용 문자: A–Z, a–z, 0–9 및 특수 문자) 프록시에서 계정이 잠기지 않았는지 확인하십시오.',
              );
      run.fail(
        issue,
        'proxy-auth',
        t('Proxy authentication', '프록시 인증'),
        t(
          `407 Proxy Authentication Required: ${tunnel.message}.${next.en}`,
          `407 Proxy Authentication Required: ${tunnel.messageKo}.${next.ko}`,
        ),
      );
    } else {
      if (tunnel.authUsed) {
        const scheme =
          tunnel.authUsed.scheme === 'digest'
            ? `Digest (${tunnel.authUsed.challenge.params.algorithm ?? 'MD5'})`
            : 'Basic';
        const user = opts.credentials?.username ?? '';
        run.stage(
          'proxy-auth',
          'ok',
          0,
          t(`accepted ${scheme} credentials of '${user}'`, `사용자 '${user}'의 ${scheme} 자격 증명이 허용됨`),
        );
      } else
        run.stage(
          'proxy-auth',
          'skipped',
          0,
          t('the proxy did not ask for authentication', '프록시가 인증을 요구하지 않음'),
        );
      if (tunnel.kind === 'refused') {
        const squidError = headerValue(tunnel.head.headers, 'x-squid-error') ?? '';
        const policy = POLICY_MARKERS.test(squidError);
        const marker = squidError ? ` (X-Squid-Error: ${squidError})` : '';
        // 401 is a misconfigured 407; a policy marker, any other 4xx, or a redirect (captive portal)
        // is the proxy refusing us; a 5xx without a marker is the proxy failing upstream
        const refusedByPolicy =
          policy || (status >= 400 && status < 500) || status < 200 || (status >= 300 && status < 400);
        const answer = `${status} ${tunnel.head.reason}${marker}`;
        const meaning = statusMeaningText(status);
        const dest = `${target.host}:${target.port}`;
        if (status === 401) {
          run.fail(
            'proxy-auth-required',
            'connect-response',
            t('The proxy wants credentials', '프록시가 자격 증명을 요구함'),
            t(
              `The proxy answered 401 instead of 407 to CONNECT; it wants credentials. Enable proxy authentication on the FMC.`,
              `프록시가 CONNECT에 407 대신 401로 응답했습니다. 자격 증명이 필요합니다. FMC에서 프록시 인증을 활성화하십시오.`,
            ),
          );
        } else if (refusedByPolicy) {
          run.fail(
            'proxy-denied',
            'connect-response',
            t('The proxy refuses the tunnel', '프록시가 터널을 거부함'),
            t(
              `The proxy answered CONNECT ${dest} with ${answer}: ${meaning.en}. An access rule on the proxy blocks this client or destination (the document's "proxy ACL"). Ask the proxy team to allow CONNECT from the FMC's management address to ${dest}.`,
              `CONNECT ${dest}에 대한 프록시 응답: ${answer} — ${meaning.ko}. 프록시의 액세스 규칙이 이 클라이언트 또는 대상을 차단합니다(문서의 "프록시 ACL"). FMC 관리 주소에서 ${dest}에 대한 CONNECT를 허용하도록 프록시 담당 팀에 요청하십시오.`,
            ),
          );
        } else {
          run.fail(
            'proxy-upstream-failure',
            'connect-response',
            t('The proxy could not reach the origin', '프록시가 대상 서버에 연결할 수 없음'),
            t(
              `The proxy answered CONNECT ${dest} with ${answer}: ${meaning.en}. The proxy itself could not reach or resolve ${target.host}; check the proxy's DNS and internet access, not the FMC.`,
              `CONNECT ${dest}에 대한 프록시 응답: ${answer} — ${meaning.ko}. 프록시 자체가 ${target.host}에 연결하거나 이름을 확인하지 못했습니다. FMC가 아니라 프록시의 DNS와 인터넷 연결을 확인하십시오.`,
            ),
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
      const e = tlsOut.error ?? { code: 'ERROR', message: 'unknown', messageKo: '알 수 없는 오류' };
      run.stage(
        'tls',
        'failed',
        tlsOut.ms,
        t(`${e.code}: ${e.message}`, `TLS 실패 ${e.code}: ${e.messageKo}`),
      );
      const reset = e.code === 'ECONNRESET';
      // the large-request test below may turn this into mtu-blackhole
      run.fail(
        'tls-handshake-failed',
        'tls',
        t('The TLS handshake through the tunnel failed', '터널을 통한 TLS 핸드셰이크 실패'),
        t(
          `The tunnel opened (200) but the TLS handshake with ${target.host} failed: ${reset ? 'the connection was reset (RST)' : e.message}. Something between the FMC and ${target.host} (the proxy's SSL inspection, a firewall, a path MTU problem) breaks TLS.`,
          `터널은 열렸지만(200) ${target.host}에 대한 TLS 핸드셰이크가 실패했습니다: ${reset ? '연결이 재설정됨(RST)' : e.messageKo}. FMC와 ${target.host} 사이의 무언가(프록시의 SSL 검사, 방화벽, 경로 MTU 문제)가 TLS를 방해합니다.`,
        ),
      );
      run.skip(['head'], t('no TLS session', 'TLS 세션 없음'));
    } else {
      result.tls = tlsOut.info;
      const tlsInfo = tlsOut.info;
      run.stage(
        'tls',
        'ok',
        tlsOut.ms,
        t(
          `${tlsInfo.protocol} ${tlsInfo.cipher}; ${tlsInfo.trusted ? 'chain trusted' : `not trusted: ${tlsInfo.verifyError}`}; issuer ${tlsInfo.chain[0]?.issuer ?? '?'}`,
          `${tlsInfo.protocol} ${tlsInfo.cipher}; ${tlsInfo.trusted ? '인증서 체인 신뢰됨' : `신뢰되지 않음: ${tlsInfo.verifyError}`}; 발급자 ${tlsInfo.chain[0]?.issuer ?? '?'}`,
        ),
      );
      if (!tlsInfo.trusted) {
        const code = (tlsInfo.verifyError ?? '').split(':')[0] ?? '';
        if (UNTRUSTED_ISSUER_ERRORS.has(code)) {
          const top = tlsInfo.chain[tlsInfo.chain.length - 1];
          const issuer = tlsInfo.chain[0]?.issuer ?? '?';
          const upTo = top && top !== tlsInfo.chain[0] ? top.subject : undefined;
          run.fail(
            'tls-intercepted',
            'tls',
            t('TLS is intercepted', '프록시가 TLS를 가로챔'),
            t(
              `The certificate presented for ${target.host} is issued by "${issuer}"${upTo ? ` (chain up to "${upTo}")` : ''}, a CA this machine does not trust (${code}): the proxy (or a device on the way) decrypts TLS and re-signs it with its own CA. Either exempt ${target.host} from SSL inspection on the proxy or import the proxy's CA into the FMC's trusted CAs.`,
              `${target.host}에 대해 제시된 인증서의 발급자는 "${issuer}"${upTo ? `(체인 최상위: "${upTo}")` : ''}이며, 이 컴퓨터가 신뢰하지 않는 CA입니다(${code}). 프록시(또는 경로상의 장비)가 TLS를 복호화한 뒤 자체 CA로 다시 서명합니다. 프록시에서 ${target.host}에 대한 SSL 검사를 제외하거나 프록시의 CA를 FMC의 신뢰할 수 있는 CA로 가져오십시오.`,
            ),
          );
        } else {
          run.fail(
            'tls-handshake-failed',
            'tls',
            t('The server certificate is not valid', '서버 인증서가 유효하지 않음'),
            t(
              `The certificate for ${target.host} does not verify: ${tlsInfo.verifyError}. Check the date/time on the FMC and that the name matches.`,
              `${target.host}의 인증서를 검증할 수 없습니다: ${tlsInfo.verifyError}. FMC의 날짜/시간과 인증서 이름이 일치하는지 확인하십시오.`,
            ),
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
        const { status, reason, location } = head.info;
        const line = `HTTP ${status} ${reason}${location ? ` → ${location}` : ''}`;
        run.stage('head', status < 400 ? 'ok' : 'failed', head.ms, t(line, `대상 서버 응답: ${line}`));
        if (status >= 300 && status < 400)
          run.note(
            'ok',
            'info',
            'head',
            t('Redirect', '리디렉션'),
            t(
              `The origin answers HEAD / with ${status} to ${location ?? '?'}; that is normal (the document shows 302 to /healthcheck).`,
              `대상 서버가 HEAD /에 ${status}(위치: ${location ?? '?'})로 응답합니다. 정상입니다(문서에도 /healthcheck로의 302가 나옵니다).`,
            ),
          );
        if (status >= 400) {
          const meaning = statusMeaningText(status);
          run.fail(
            'origin-http-error',
            'head',
            t('The origin answers with an error', '대상 서버가 오류로 응답함'),
            t(
              `The tunnel and TLS work, but ${target.host} answered HEAD / with ${status} ${reason}: ${meaning.en}. The proxy is not the problem; check the URL and the origin.`,
              `터널과 TLS는 정상이지만 ${target.host}의 HEAD / 응답은 ${status} ${reason}입니다: ${meaning.ko}. 프록시의 문제가 아닙니다. URL과 대상 서버를 확인하십시오.`,
            ),
          );
        }
      } else {
        const err = head.error!;
        run.stage('head', 'failed', head.ms, t(err.message, err.messageKo));
        run.fail(
          'transfer-stalled',
          'head',
          t('The request through the tunnel got no answer', '터널을 통한 요청에 응답이 없음'),
          t(
            `TLS completed but HEAD / through the tunnel ${err.kind === 'timeout' ? `got no answer within ${secs(timeouts.http)} s` : err.kind === 'reset' ? 'was reset' : 'was closed'} — the proxy stopped relaying.`,
            `TLS는 완료되었지만 터널을 통한 HEAD / 요청이 ${err.kind === 'timeout' ? `${secs(timeouts.http)}초 안에 응답을 받지 못했습니다` : err.kind === 'reset' ? '재설정되었습니다(RST)' : '닫혔습니다'}. 프록시가 중계를 멈췄습니다.`,
          ),
        );
      }
    }
  } else {
    run.skip(['tls', 'head'], t('no tunnel', '터널 없음'));
  }

  // 6. optional download through its own tunnel
  if (opts.download && tunnel.kind === 'open') {
    let url: URL | undefined;
    let bad: Bilingual | undefined;
    try {
      url = new URL(opts.download);
      if (url.protocol !== 'https:') bad = t('only https:// URLs are supported', 'https:// URL만 지원됨');
    } catch (e) {
      bad = t((e as Error).message, `URL 형식 오류: ${(e as Error).message}`);
    }
    if (bad) {
      run.stage(
        'download',
        'skipped',
        0,
        t(`bad download URL ${opts.download}: ${bad.en}`, `잘못된 다운로드 URL ${opts.download}: ${bad.ko}`),
      );
      url = undefined;
    }
    if (url) await downloadStage(url, opts, ctx, timeouts, transcript, run, sockets, result, authForLater());
  } else {
    run.skip(
      ['download'],
      opts.download
        ? t('no tunnel', '터널 없음')
        : t(
            'no download URL given (--download URL tests a long transfer)',
            '다운로드 URL이 지정되지 않음(--download URL로 긴 전송을 시험)',
          ),
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
        t(
          `a ${lr.bytes}-byte CONNECT got ${lr.status} like the small one`,
          `${lr.bytes}바이트 CONNECT도 작은 CONNECT와 같이 ${lr.status} 응답을 받음`,
        ),
      );
    } else {
      const got: Record<Exclude<LargeRequestInfo['outcome'], 'answered'>, Bilingual> = {
        timeout: t('no answer', '응답을 받지 못함'),
        reset: t('a RST', 'RST를 받음'),
        closed: t('closed', '연결이 닫힘'),
        'not-connected': t('not-connected', '프록시에 연결하지 못함'),
      };
      run.stage(
        'large-request',
        'failed',
        lr.ms,
        t(
          `a ${lr.bytes}-byte CONNECT (one full-size segment) got ${got[lr.outcome].en} while the small one was answered`,
          `작은 CONNECT는 응답을 받았지만 ${lr.bytes}바이트 CONNECT(최대 크기 세그먼트 1개)는 ${got[lr.outcome].ko}`,
        ),
      );
      const tlsBroke = run.issue === 'tls-handshake-failed' || run.issue === 'transfer-stalled';
      const mtuSummary = t(
        `Small packets pass but full-size ones do not: the small CONNECT was answered, a ${lr.bytes}-byte CONNECT ${lr.outcome === 'reset' ? 'was reset' : lr.outcome === 'timeout' ? 'got no answer' : 'was closed'}${tlsBroke ? ', and the TLS handshake / transfer (large certificate segments) broke' : ''}. The path MTU between the FMC and the proxy (or the proxy and the internet) is smaller than the interfaces think and ICMP "fragmentation needed" does not come back. Lower the MTU on the FMC management interface (e.g. 1400), fix MSS clamping on the firewall in between, or allow ICMP type 3 code 4.`,
        `작은 패킷은 통과하지만 최대 크기 패킷은 통과하지 못합니다. 작은 CONNECT는 응답을 받았지만 ${lr.bytes}바이트 CONNECT는 ${lr.outcome === 'reset' ? '재설정되었습니다(RST)' : lr.outcome === 'timeout' ? '응답을 받지 못했습니다' : '연결이 닫혔습니다'}.${tlsBroke ? ' TLS 핸드셰이크/전송(큰 인증서 세그먼트)도 중단되었습니다.' : ''} FMC와 프록시 사이(또는 프록시와 인터넷 사이)의 경로 MTU가 인터페이스에 설정된 값보다 작고 ICMP "fragmentation needed"가 돌아오지 않습니다. FMC 관리 인터페이스의 MTU를 낮추거나(예: 1400), 중간 방화벽의 MSS 클램핑을 바로잡거나, ICMP type 3 code 4를 허용하십시오.`,
      );
      if (run.issue === undefined || tlsBroke) {
        run.issue = undefined;
        run.fail(
          'mtu-blackhole',
          'large-request',
          t('Large segments are dropped (MTU black hole)', '큰 세그먼트가 삭제됨(MTU 블랙홀)'),
          mtuSummary,
        );
      } else
        run.note(
          'mtu-blackhole',
          'warning',
          'large-request',
          t('Large segments are dropped', '큰 세그먼트가 삭제됨'),
          mtuSummary,
        );
    }
  } else {
    run.skip(
      ['large-request'],
      opts.largeRequestTest === false
        ? t('disabled', '비활성화됨')
        : t('the proxy did not answer the small CONNECT', '프록시가 작은 CONNECT에 응답하지 않음'),
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
  let tun: TunnelOutcome;
  try {
    tun = await openTunnel({ ...ctx, authState }, dlTarget);
  } catch (e) {
    const why =
      e instanceof ConnectError ? t(e.message, e.messageKo) : t(String(e), `연결 오류: ${String(e)}`);
    run.stage('download', 'failed', performance.now() - d0, why);
    run.fail(
      'proxy-unreachable',
      'download',
      t('The proxy dropped the connection', '프록시가 연결을 끊음'),
      t(
        `A second connection to the proxy for the download failed: ${why.en}.`,
        `다운로드를 위한 두 번째 프록시 연결 실패: ${why.ko}.`,
      ),
    );
    return;
  }
  if (tun.kind !== 'open') {
    const answer = tun.kind === 'no-answer' ? '' : `${tun.head.status} ${tun.head.reason}`;
    const why = tun.kind === 'no-answer' ? t(tun.error.message, tun.error.messageKo) : t(answer, answer);
    run.stage(
      'download',
      'failed',
      performance.now() - d0,
      t(`CONNECT for the download: ${why.en}`, `다운로드용 CONNECT: ${why.ko}`),
    );
    run.fail(
      tun.kind === 'no-answer' ? 'transfer-stalled' : 'proxy-denied',
      'download',
      t('The download tunnel failed', '다운로드 터널 실패'),
      t(
        `CONNECT ${dlTarget.host}:${dlTarget.port} for the download failed: ${why.en}.`,
        `다운로드용 CONNECT ${dlTarget.host}:${dlTarget.port} 실패: ${why.ko}.`,
      ),
    );
    return;
  }
  if (tun.head.rest.length) tun.socket.unshift(tun.head.rest);
  const tl = await tlsThroughTunnel(
    tun.socket,
    dlTarget.host,
    opts.extraCa,
    timeouts.tls,
    transcript,
    sockets,
  );
  if (!tl.socket) {
    const why = t(tl.error?.message ?? '?', tl.error?.messageKo ?? '?');
    run.stage(
      'download',
      'failed',
      performance.now() - d0,
      t(`TLS for the download: ${why.en}`, `다운로드용 TLS 실패: ${why.ko}`),
    );
    run.fail(
      'tls-handshake-failed',
      'download',
      t('TLS for the download failed', '다운로드용 TLS 실패'),
      t(
        `The TLS handshake for the download failed: ${why.en}.`,
        `다운로드용 TLS 핸드셰이크 실패: ${why.ko}.`,
      ),
    );
    return;
  }
  const stallMs = (opts.stallSeconds ?? 10) * 1000;
  const info = await downloadThrough(tl.socket, url, ctx.userAgent, stallMs, timeouts.http, transcript);
  result.download = info;
  const ms = performance.now() - d0;
  if (info.status !== undefined && info.status >= 400) {
    const meaning = statusMeaningText(info.status);
    run.stage('download', 'failed', ms, t(`HTTP ${info.status}`, `대상 서버 응답: HTTP ${info.status}`));
    run.fail(
      'origin-http-error',
      'download',
      t('The origin answers the download with an error', '대상 서버가 다운로드에 오류로 응답함'),
      t(
        `GET ${url.href} answered ${info.status}: ${meaning.en}. The tunnel works; check the URL on the origin.`,
        `GET ${url.href}의 응답: ${info.status}: ${meaning.ko}. 터널은 정상입니다. 대상 서버의 URL을 확인하십시오.`,
      ),
    );
  } else if (!info.complete) {
    run.stage(
      'download',
      'failed',
      ms,
      t(
        `${info.bytes} bytes, then ${info.failure}`,
        `다운로드 중단(${info.bytes}바이트 수신): ${info.failureKo ?? info.failure ?? '?'}`,
      ),
    );
    const kind = info.failure?.split(':')[0];
    const stallSeconds = opts.stallSeconds ?? 10;
    run.fail(
      'transfer-stalled',
      'download',
      t('The download stalls', '다운로드가 중단됨'),
      t(
        `The download started (${info.bytes}${info.expectedBytes ? ` of ${info.expectedBytes}` : ''} bytes) and then ${kind === 'stall' ? `no more data came for ${stallSeconds} s` : kind === 'reset' ? 'the connection was reset' : 'the connection was closed early'}. Likely causes: proxy inspection delay or filtering, a proxy timeout for long transfers, a proxy file-size limit.`,
        `다운로드가 시작되었지만(${info.expectedBytes ? `${info.expectedBytes}바이트 중 ` : ''}${info.bytes}바이트) ${kind === 'stall' ? `${stallSeconds}초 동안 더 이상 데이터가 오지 않았습니다` : kind === 'reset' ? '연결이 재설정되었습니다(RST)' : '연결이 일찍 닫혔습니다'}. 가능한 원인: 프록시 검사 지연 또는 필터링, 긴 전송에 대한 프록시 시간 제한, 프록시 파일 크기 제한.`,
      ),
    );
  } else {
    const figures = `(${(info.bytesPerSecond / 1024).toFixed(0)} KiB/s)`;
    run.stage(
      'download',
      'ok',
      ms,
      t(
        `${info.bytes} bytes in ${(info.ms / 1000).toFixed(2)} s ${figures}`,
        `${info.bytes}바이트, ${(info.ms / 1000).toFixed(2)}초 ${figures}`,
      ),
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
    const err = asHeadReadError(e);
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
