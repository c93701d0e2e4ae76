// The verdict of a probe run joins two views: what the probe itself saw (statuses, certificates,
// the HTTP answer inside the tunnel) and what the packets captured during it show (which TCP/TLS
// step broke, retransmissions, resets). The packets are tied to the probe by its local ports.
// When the views name different issues, the verdict says so.
import type { ProbeResult } from '../probe/types.js';
import { KNOWN_ISSUES } from './catalog.js';
import { diagnosePackets, type DiagnoseOptions, type DiagnosisResult, type Verdict } from './diagnose.js';
import type { PacketFacts } from './facts.js';
import type { KnownIssueId } from './issue-ids.js';

export interface JoinedVerdict extends Verdict {
  agreement: 'agree' | 'disagree';
  /** why they agree or not, in plain words */
  agreementText: string;
  agreementTextKo: string;
  /** which view the chosen issue comes from */
  source: 'both' | 'probe' | 'packets';
  probe: { issue: KnownIssueId; ok: boolean; summary: string };
  packets: Verdict;
}

export interface JoinedResult {
  verdict: JoinedVerdict;
  /** the packet diagnosis restricted to the probe's connections */
  diagnosis: DiagnosisResult;
}

type ProbeView = Pick<ProbeResult, 'verdict' | 'localPorts'> & Partial<Pick<ProbeResult, 'tls' | 'proxy'>>;

/** Issues a capture cannot show, and why. */
function blindSpot(
  issue: KnownIssueId,
  probe: ProbeView,
  diag: DiagnosisResult,
): { en: string; ko: string } | undefined {
  if (issue === 'origin-http-error')
    return {
      en: "the origin's HTTP answer travels inside the TLS tunnel, so only the probe can see it",
      ko: '서버의 HTTP 응답은 TLS 터널 안에서 암호화되므로 프로브만 확인할 수 있습니다',
    };
  if (issue === 'tls-intercepted') {
    const certSeen = diag.ladders.some((l) =>
      l.stages.some(
        (s) => s.name === 'certificate' && s.status === 'ok' && !/encrypted/.test(s.detail ?? ''),
      ),
    );
    if (!certSeen || probe.tls?.protocol === 'TLSv1.3')
      return {
        en: 'TLS 1.3 encrypts the certificate, so only the probe can see who issued it',
        ko: 'TLS 1.3은 인증서를 암호화하므로 발급자는 프로브만 확인할 수 있습니다',
      };
  }
  if (issue === 'proxy-dns-failure')
    return {
      en: 'the name lookup happens before any packet to the proxy (and the capture only holds traffic to the proxy)',
      ko: '이름 조회는 프록시로 가는 패킷보다 먼저 일어나며 캡처에는 프록시 트래픽만 있습니다',
    };
  return undefined;
}

/** One verdict from a probe result and the packets captured while it ran. */
export function joinVerdict(
  probe: ProbeView,
  facts: readonly PacketFacts[],
  opts: DiagnoseOptions = {},
): JoinedResult {
  const ports = new Set(probe.localPorts);
  const mine = facts.filter((f) => !f.tcp || ports.has(f.srcPort ?? -1) || ports.has(f.dstPort ?? -1));
  const proxy = opts.proxy ?? (probe.proxy ? { host: probe.proxy.host, port: probe.proxy.port } : undefined);
  const diag = diagnosePackets(mine, {
    ...opts,
    ...(proxy ? { proxy } : {}),
    ...(probe.proxy?.addresses?.length && !opts.proxyAddresses
      ? { proxyAddresses: probe.proxy.addresses }
      : {}),
  });
  const p = probe.verdict;
  const k = diag.verdict;
  const base = { probe: { issue: p.issue, ok: p.ok, summary: p.summary }, packets: k };
  const pick = (
    issue: KnownIssueId,
    source: JoinedVerdict['source'],
    agreement: JoinedVerdict['agreement'],
    en: string,
    ko: string,
  ): JoinedResult => {
    const fromPackets = source === 'packets';
    const summary = fromPackets ? k.summary : p.summary;
    const summaryKo = fromPackets
      ? k.summaryKo
      : `${KNOWN_ISSUES[issue].ko.title}: ${p.summaryKo ?? p.summary}`;
    return {
      verdict: {
        issue,
        ok: issue === 'ok',
        summary,
        summaryKo,
        agreement,
        agreementText: en,
        agreementTextKo: ko,
        source,
        ...base,
      },
      diagnosis: diag,
    };
  };

  if (diag.ladders.length === 0)
    return pick(
      p.issue,
      'probe',
      'disagree',
      "No packets of the probe's connections were captured, so the packets cannot confirm the probe's verdict.",
      '프로브 연결의 패킷이 캡처되지 않아 패킷으로 프로브의 판정을 확인할 수 없습니다.',
    );
  if (p.issue === k.issue) {
    const ev = diag.findings.find((f) => f.id === k.issue && f.decisive);
    return pick(
      p.issue,
      'both',
      'agree',
      ev
        ? `The probe and the packets agree; frames ${ev.packets.join(', ')} prove it.`
        : 'The probe and the packets agree.',
      ev
        ? `프로브와 패킷의 판정이 일치합니다. 프레임 ${ev.packets.join(', ')}이(가) 이를 증명합니다.`
        : '프로브와 패킷의 판정이 일치합니다.',
    );
  }
  const blind = k.issue === 'ok' ? blindSpot(p.issue, probe, diag) : undefined;
  if (blind)
    return pick(
      p.issue,
      'probe',
      'agree',
      `The packets show a working proxy path, which fits: ${blind.en}.`,
      `패킷은 정상적인 프록시 경로를 보여 주며 이는 프로브 판정과 일치합니다: ${blind.ko}.`,
    );
  // They name different issues: keep the more severe one and say what the other view saw.
  const packetsWin = KNOWN_ISSUES[k.issue].rank > KNOWN_ISSUES[p.issue].rank;
  const en = `The probe says "${p.issue}" but the packets say "${k.issue}"; the verdict takes ${packetsWin ? "the packets' view" : "the probe's view"}, the more severe.`;
  const ko = `프로브 판정은 "${p.issue}", 패킷 판정은 "${k.issue}"로 서로 다릅니다. 더 심각한 ${packetsWin ? '패킷' : '프로브'}의 판정을 따릅니다.`;
  return pick(packetsWin ? k.issue : p.issue, packetsWin ? 'packets' : 'probe', 'disagree', en, ko);
}
