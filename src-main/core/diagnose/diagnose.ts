// The packet diagnosis: conversations to the proxy → stage ladders → findings → one verdict (the
// most severe known issue across the proxied conversations, `ok` when every one completed).
import type { ExpertItem } from '../dissect/types.js';
import { KNOWN_ISSUES, issueText } from './catalog.js';
import { groupConversations } from './conversations.js';
import type { Endpoint, PacketFacts } from './facts.js';
import type { KnownIssueId } from './issue-ids.js';
import { buildLadder, type Ladder } from './ladder.js';
import { conversationFindings, makeFinding, type Finding } from './rules.js';
import { buildTimeline } from './timeline.js';

export interface DiagnoseOptions {
  /** the proxy from the settings; without it, the proxy is inferred from CONNECT requests */
  proxy?: Endpoint;
  /** addresses the proxy name resolved to */
  proxyAddresses?: string[];
  /** the proxy the FMC's /etc/sf/iprep_proxy.conf names, when known */
  fmcConfig?: Endpoint;
  /** seconds of silence after data that count as a stalled transfer (default 3) */
  stallSeconds?: number;
  /** issuers (DN or CN) the user expects, e.g. the subjects of the CA given with --ca */
  trustedIssuers?: string[];
  /** for the commands in next steps (never a password) */
  user?: string;
}

export interface Verdict {
  issue: KnownIssueId;
  /** true when the issue is `ok`; false with `ok` as issue means nothing to judge (no proxy traffic) */
  ok: boolean;
  summary: string;
  summaryKo: string;
}

export interface DiagnosisResult {
  verdict: Verdict;
  ladders: Ladder[];
  findings: Finding[];
}

export function diagnosePackets(facts: readonly PacketFacts[], opts: DiagnoseOptions = {}): DiagnosisResult {
  const part = diagnoseConversations(facts, opts, facts.length ? facts[facts.length - 1]!.time : undefined);
  return combineDiagnosis([part], facts, opts);
}

/** The diagnosis of some conversations, before the capture-wide steps (a streaming reader makes
 * one part per finished conversation, see CaptureDiagnosis). */
export interface DiagnosisPart {
  ladders: Ladder[];
  findings: Finding[];
  /** first frame of each ladder's conversation (to number conversations across parts) */
  firstFrames: number[];
  tunnels: number[];
  credentialed: number[];
  otherProxies: { proxy: Endpoint; packets: number[] }[];
  /** proxies seen carrying CONNECT */
  proxies: Endpoint[];
}

function valuesOf(opts: DiagnoseOptions) {
  return opts.proxy
    ? { proxy: opts.proxy.host, port: opts.proxy.port, ...(opts.user ? { user: opts.user } : {}) }
    : undefined;
}

export function diagnoseConversations(
  facts: readonly PacketFacts[],
  opts: DiagnoseOptions = {},
  captureEnd?: number,
  knownProxies?: Endpoint[],
): DiagnosisPart {
  const ruleOpts = {
    stallSeconds: opts.stallSeconds ?? 3,
    captureEnd,
    trustedIssuers: opts.trustedIssuers ?? [],
    values: valuesOf(opts),
  };
  const grouped = groupConversations(facts, {
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    ...(opts.proxyAddresses ? { proxyAddresses: opts.proxyAddresses } : {}),
    ...(knownProxies ? { knownProxies } : {}),
  });
  const part: DiagnosisPart = {
    ladders: [],
    findings: [],
    firstFrames: [],
    tunnels: [],
    credentialed: [],
    otherProxies: grouped.otherProxies,
    proxies: [],
  };
  for (const c of grouped.conversations) {
    const t = buildTimeline(c);
    part.ladders.push(buildLadder(c, t));
    part.firstFrames.push(c.packets[0]?.f.no ?? 0);
    // without configured settings, the next steps' commands name the proxy the packets went to
    part.findings.push(
      ...conversationFindings(
        c,
        t,
        opts.proxy ? ruleOpts : { ...ruleOpts, values: { proxy: c.proxy.host, port: c.proxy.port } },
      ),
    );
    if (t.tunnel) part.tunnels.push(t.tunnel.response!.f.no);
    for (const e of t.exchanges)
      if (e.request.f.http?.request?.proxyAuthorization) part.credentialed.push(e.request.f.no);
    if (c.sawConnect) part.proxies.push(c.proxy);
  }
  return part;
}

/** Numbers the conversations of all parts in capture order, then the capture-wide steps. */
export function combineDiagnosis(
  parts: readonly DiagnosisPart[],
  sideFacts: readonly PacketFacts[],
  opts: DiagnoseOptions = {},
): DiagnosisResult {
  const values = valuesOf(opts);
  const convs: { first: number; ladder: Ladder; findings: Finding[] }[] = [];
  const findings: Finding[] = [];
  for (const p of parts) {
    const local = p.ladders.map((ladder, i) => ({
      first: p.firstFrames[i] ?? 0,
      ladder,
      findings: [] as Finding[],
    }));
    for (const f of p.findings) {
      if (f.conversation !== undefined && local[f.conversation]) local[f.conversation]!.findings.push(f);
      else findings.push(f);
    }
    // loops, not push(...array): a big capture's arrays spread as arguments overflow the stack
    for (const c of local) convs.push(c);
  }
  convs.sort((a, b) => a.first - b.first);
  const ladders: Ladder[] = [];
  convs.forEach((c, i) => {
    c.ladder.conversation = i;
    ladders.push(c.ladder);
    for (const f of c.findings) {
      f.conversation = i;
      findings.push(f);
    }
  });
  // A 407 challenge the client answered later (another request with credentials, or a tunnel
  // that came up) is the normal start of proxy authentication, not the problem.
  const credentialed = parts.reduce((n, p) => n + p.credentialed.length, 0);
  const lastTunnel = parts.reduce((m, p) => p.tunnels.reduce((a, b) => (b > a ? b : a), m), 0);
  for (const f of findings) {
    const at = f.packets[0] ?? 0;
    // (a request without credentials from a client that does send them elsewhere is its first try)
    if (f.id === 'proxy-auth-required' && (credentialed > 0 || lastTunnel > at))
      demote(f, 'the client does answer the challenge with credentials');
    if (f.id === 'proxy-auth-failed' && lastTunnel > at) demote(f, 'a later attempt was accepted');
  }

  // Capture-wide findings
  const dnsFinding = proxyDnsFinding(sideFacts, opts, ladders.length, values);
  if (dnsFinding) findings.push(dnsFinding);
  if (opts.proxy) {
    const others = new Map<string, { proxy: Endpoint; packets: number[] }>();
    for (const o of parts.flatMap((p) => p.otherProxies)) {
      const k = `${o.proxy.host}:${o.proxy.port}`;
      const e = others.get(k) ?? { proxy: o.proxy, packets: [] };
      for (const no of o.packets) e.packets.push(no);
      others.set(k, e);
    }
    for (const o of others.values()) {
      o.packets.sort((a, b) => a - b);
      findings.push(
        makeFinding(
          'config-mismatch',
          o.packets,
          `CONNECT requests go to ${o.proxy.host}:${o.proxy.port} (frame ${o.packets[0]}), not to the configured proxy ${opts.proxy.host}:${opts.proxy.port}.`,
          `CONNECT 요청이 설정된 프록시 ${opts.proxy.host}:${opts.proxy.port}가 아닌 ${o.proxy.host}:${o.proxy.port}(프레임 ${o.packets[0]})로 전송됨.`,
          { values },
        ),
      );
    }
    if (
      opts.fmcConfig &&
      (opts.fmcConfig.host.toLowerCase() !== opts.proxy.host.toLowerCase() ||
        opts.fmcConfig.port !== opts.proxy.port)
    ) {
      findings.push(
        makeFinding(
          'config-mismatch',
          [],
          `/etc/sf/iprep_proxy.conf names ${opts.fmcConfig.host}:${opts.fmcConfig.port}, the settings say ${opts.proxy.host}:${opts.proxy.port}.`,
          `/etc/sf/iprep_proxy.conf에는 ${opts.fmcConfig.host}:${opts.fmcConfig.port}, 설정에는 ${opts.proxy.host}:${opts.proxy.port}로 되어 있음.`,
          { values },
        ),
      );
    }
  }
  return { verdict: verdictOf(findings, ladders.length), ladders, findings };
}

function demote(f: Finding, why: string): void {
  f.decisive = false;
  f.severity = 'note';
  f.detail += ` Not the problem: ${why}.`;
}

function proxyDnsFinding(
  facts: readonly PacketFacts[],
  opts: DiagnoseOptions,
  conversations: number,
  values: Record<string, string | number> | undefined,
): Finding | undefined {
  const host = opts.proxy?.host.toLowerCase().replace(/\.$/, '');
  if (!host || /^[\d.]+$/.test(host) || host.includes(':')) return undefined;
  const forName = facts.filter(
    (f) => f.dns?.queryName && f.dns.queryName.toLowerCase().replace(/\.$/, '') === host,
  );
  if (!forName.length) return undefined;
  const answered = forName.filter(
    (f) => f.dns!.isResponse && f.dns!.rcode === 0 && (f.dns!.answerCount ?? 1) > 0,
  );
  if (answered.length) return undefined;
  const bad = forName.filter((f) => f.dns!.isResponse);
  const rcodes: Record<number, string> = { 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };
  const what = bad.length
    ? `answered ${rcodes[bad[0]!.dns!.rcode ?? -1] ?? (bad[0]!.dns!.rcode ? `rcode ${bad[0]!.dns!.rcode}` : 'with no address')} (frame ${bad[0]!.no})`
    : `got no answer (${forName.length} quer${forName.length > 1 ? 'ies' : 'y'})`;
  const whatKo = bad.length
    ? `${rcodes[bad[0]!.dns!.rcode ?? -1] ?? '주소 없음'} 응답(프레임 ${bad[0]!.no})`
    : `응답 없음(쿼리 ${forName.length}개)`;
  return makeFinding(
    'proxy-dns-failure',
    forName.map((f) => f.no),
    `The DNS lookup of the proxy name ${host} ${what}.`,
    `프록시 이름 ${host}의 DNS 조회: ${whatKo}.`,
    { decisive: conversations === 0, ...(values ? { values } : {}) },
  );
}

export function verdictOf(findings: readonly Finding[], conversations: number): Verdict {
  const decisive = findings.filter((f) => f.decisive && f.id !== 'ok');
  if (!decisive.length) {
    if (conversations === 0)
      return {
        issue: 'ok',
        ok: false,
        summary:
          'No TCP conversation to the proxy was found in the packets: nothing to diagnose (give --proxy HOST:PORT, or capture while the client uses the proxy).',
        summaryKo: '패킷에서 프록시에 대한 TCP 연결을 찾을 수 없어 진단할 내용이 없습니다.',
      };
    const en = issueText('ok', 'en');
    const ko = issueText('ok', 'ko');
    return {
      issue: 'ok',
      ok: true,
      summary: `${en.title}: all ${conversations} conversation(s) to the proxy completed.`,
      summaryKo: `${ko.title}: 프록시에 대한 연결 ${conversations}개가 모두 완료되었습니다.`,
    };
  }
  const top = [...decisive].sort(
    (a, b) => KNOWN_ISSUES[b.id].rank - KNOWN_ISSUES[a.id].rank || (a.packets[0] ?? 0) - (b.packets[0] ?? 0),
  )[0]!;
  const same = decisive.filter((f) => f.id === top.id && f.conversation !== undefined).length;
  const scope = conversations > 1 && same > 0 ? ` (${same} of ${conversations} conversations)` : '';
  const scopeKo = conversations > 1 && same > 0 ? ` (연결 ${conversations}개 중 ${same}개)` : '';
  return {
    issue: top.id,
    ok: false,
    summary: `${top.title}: ${top.detail}${scope}`,
    summaryKo: `${top.ko.title}: ${top.ko.detail}${scopeKo}`,
  };
}

/** Findings as expert items on their evidence packets (group 'diagnosis', id = known issue id). */
export function findingExpertItems(findings: readonly Finding[]): Map<number, ExpertItem[]> {
  const out = new Map<number, ExpertItem[]>();
  for (const f of findings) {
    const item: ExpertItem = {
      id: f.id,
      severity: f.severity,
      group: 'diagnosis',
      message: `${f.title}: ${f.detail}`,
    };
    for (const no of f.packets) {
      const list = out.get(no) ?? [];
      list.push(item);
      out.set(no, list);
    }
  }
  return out;
}

/** One short note per packet naming its stage and the findings it proves (packet comments). */
export function packetNotes(result: DiagnosisResult): Map<number, string> {
  const notes = new Map<number, string[]>();
  const add = (no: number, s: string) => {
    const l = notes.get(no) ?? [];
    if (!l.includes(s)) l.push(s);
    notes.set(no, l);
  };
  for (const l of result.ladders)
    for (const s of l.stages)
      for (const no of s.packets) add(no, `stage ${s.label}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`);
  for (const f of result.findings)
    for (const no of f.packets) add(no, `finding ${f.id}${f.decisive ? '' : ' (note)'}: ${f.title}`);
  return new Map([...notes].map(([k, v]) => [k, v.join('; ')]));
}
