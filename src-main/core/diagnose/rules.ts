// The rules: what in a proxied conversation proves a known issue, and which packets prove it.
// Each rule reads the conversation's timeline and yields findings with evidence packets.
import type { ExpertSeverity } from '../dissect/types.js';
import { describeHttpCode, issueText, type NextStep } from './catalog.js';
import type { Conversation, ConvPacket, Dir } from './conversations.js';
import type { KnownIssueId } from './issue-ids.js';
import { firstClose, handshakeDone, type Timeline } from './timeline.js';
import { isPublicRootIssuer, issuerMatches } from './trust.js';

export interface Finding {
  id: KnownIssueId;
  severity: ExpertSeverity;
  title: string;
  /** evidence: the frames that prove it, in order */
  packets: number[];
  explanation: string;
  /** what exactly was seen, naming frames */
  detail: string;
  causes: string[];
  nextSteps: NextStep[];
  ko: { title: string; explanation: string; detail: string; causes: string[]; nextSteps: NextStep[] };
  /** index of the conversation (ladders[i]); absent for capture-wide findings */
  conversation?: number;
  /** false when it does not decide the verdict (supporting evidence, a challenge later answered) */
  decisive: boolean;
}

export interface RuleOptions {
  /** seconds without data after which a started transfer counts as stalled */
  stallSeconds: number;
  /** time of the last packet of the capture (an idle tail up to it counts as a gap) */
  captureEnd?: number;
  /** issuers (full DN or CN) of CAs the user expects, e.g. the CA given with --ca */
  trustedIssuers: string[];
  /** values for the commands in next steps */
  values?: { proxy?: string; port?: number | string; user?: string };
}

// A capture with thousands of failing conversations shares one copy of each catalog text.
const textCache = new Map<string, ReturnType<typeof issueText>>();
function cachedText(
  id: KnownIssueId,
  lang: 'en' | 'ko',
  values: RuleOptions['values'],
): ReturnType<typeof issueText> {
  const k = `${id}|${lang}|${values?.proxy ?? ''}|${values?.port ?? ''}|${values?.user ?? ''}`;
  let t = textCache.get(k);
  if (!t) {
    if (textCache.size > 500) textCache.clear();
    t = issueText(id, lang, values);
    textCache.set(k, t);
  }
  return t;
}

export function makeFinding(
  id: KnownIssueId,
  packets: (ConvPacket | number | undefined)[],
  detail: string,
  detailKo: string,
  opts: {
    conversation?: number;
    decisive?: boolean;
    severity?: ExpertSeverity;
    values?: RuleOptions['values'];
  } = {},
): Finding {
  const en = cachedText(id, 'en', opts.values);
  const ko = cachedText(id, 'ko', opts.values);
  const nos = [
    ...new Set(packets.filter((p) => p !== undefined).map((p) => (typeof p === 'number' ? p : p!.f.no))),
  ].sort((a, b) => a - b);
  const severity = opts.severity ?? en.severity;
  const koText = {
    title: ko.title,
    explanation: ko.explanation,
    detail: detailKo,
    causes: ko.causes,
    nextSteps: ko.nextSteps,
  };
  const decisive = opts.decisive ?? true;
  const { title, explanation, causes, nextSteps } = en;
  // one literal per shape: a property added later would need a property store per finding
  return opts.conversation !== undefined
    ? {
        id,
        severity,
        title,
        packets: nos,
        explanation,
        detail,
        causes,
        nextSteps,
        ko: koText,
        decisive,
        conversation: opts.conversation,
      }
    : { id, severity, title, packets: nos, explanation, detail, causes, nextSteps, ko: koText, decisive };
}

const other = (d: Dir): Dir => (d === 'c2p' ? 'p2c' : 'c2p');
const who = (d: Dir) => (d === 'c2p' ? 'client' : 'proxy');
const whoKo = (d: Dir) => (d === 'c2p' ? '클라이언트' : '프록시');
const POLICY_MARKER = /DENIED|FORBIDDEN|BLOCK|POLICY|ACL/i;
const UNSUPPORTED_AUTH = new Set(['ntlm', 'negotiate']);

/** Full-size threshold of one direction: the receiver's MSS, and at most an Ethernet-size payload. */
function largeThreshold(c: Conversation, dir: Dir): number {
  const mss = dir === 'c2p' ? c.synAckMss : c.synMss;
  return Math.min(1200, mss ? Math.floor(mss * 0.9) : 1200);
}

/** mtu-blackhole: full-size segments lost while small ones pass. */
export function mtuRule(c: Conversation, t: Timeline, o: RuleOptions): Finding | undefined {
  const evidence: ConvPacket[] = [];
  const reasons: string[] = [];
  const reasonsKo: string[] = [];
  for (const dir of ['c2p', 'p2c'] as Dir[]) {
    const th = largeThreshold(c, dir);
    const acked = c.maxAck[other(dir)];
    // (loops rather than filters over every packet: this runs for every conversation)
    const lostBig: ConvPacket[] = [];
    for (const p of c.packets)
      if (p.dir === dir && p.len > 0 && !p.retransmission && p.len >= th && p.relSeq + p.len > acked)
        lostBig.push(p);
    const retrans: ConvPacket[] = [];
    if (lostBig.length)
      for (const p of c.packets)
        if (
          p.dir === dir &&
          p.len > 0 &&
          p.retransmission &&
          lostBig.some((b) => p.relSeq < b.relSeq + b.len && p.relSeq + p.len > b.relSeq)
        )
          retrans.push(p);
    // A. the sender keeps retransmitting full-size segments nobody acknowledges
    if (lostBig.length && retrans.length) {
      evidence.push(...lostBig.slice(0, 3), ...retrans.slice(0, 6));
      reasons.push(
        `${lostBig.length} full-size segment(s) from the ${who(dir)} (${lostBig[0]!.len} bytes, frame ${lostBig[0]!.f.no}) retransmitted ${retrans.length} time(s) and never acknowledged`,
      );
      reasonsKo.push(
        `${whoKo(dir)}의 대용량 세그먼트 ${lostBig.length}개(${lostBig[0]!.len}바이트, 프레임 ${lostBig[0]!.f.no})가 ${retrans.length}회 재전송되었지만 승인(ACK)되지 않음`,
      );
    }
    // B. the other side resets right after a full-size segment (the document's 1440-byte + RST);
    // a bare ACK in between does not count, data or a FIN does. Only the proxy resetting counts:
    // a client that aborts after a large download segment is ordinary.
    if (dir === 'c2p') {
      // one pass: the latest full-size client segment, and what the proxy sent next
      let pending: ConvPacket | undefined;
      for (const p of c.packets) {
        if (p.dir === 'c2p') {
          if (p.len >= th && !p.retransmission) pending = p;
          continue;
        }
        if (!(p.len > 0 || p.f.tcp!.fin || p.f.tcp!.rst)) continue;
        if (pending && p.f.tcp!.rst) {
          evidence.push(pending, p);
          reasons.push(
            `the ${who('p2c')} answered the ${pending.len}-byte segment in frame ${pending.f.no} with a RST (frame ${p.f.no})`,
          );
          reasonsKo.push(
            `${whoKo('p2c')}가 프레임 ${pending.f.no}의 ${pending.len}바이트 대용량 패킷에 RST로 응답함(프레임 ${p.f.no})`,
          );
          break;
        }
        pending = undefined;
      }
    }
  }
  // C. ICMP fragmentation needed / packet too big about this conversation
  const frag = c.icmp.filter((p) => (p.icmp!.type === 3 && p.icmp!.code === 4) || p.icmp!.type === 2);
  for (const p of frag) {
    reasons.push(
      `ICMP "fragmentation needed"${p.icmp!.mtu ? ` (next-hop MTU ${p.icmp!.mtu})` : ''} in frame ${p.no}`,
    );
    reasonsKo.push(
      `프레임 ${p.no}의 ICMP "fragmentation needed"${p.icmp!.mtu ? `(다음 홉 MTU ${p.icmp!.mtu})` : ''}`,
    );
  }
  // D. receiver's view: a full-size hole in the data that is never filled, while later (small)
  // segments arrive and the receiver repeats its ACK
  for (const dir of ['c2p', 'p2c'] as Dir[]) {
    const th = largeThreshold(c, dir);
    // (a lossy capture has many recovered holes: look at the first few only)
    for (const g of c.packets
      .filter((p) => p.dir === dir && p.gap && p.holeStart !== undefined)
      .slice(0, 20)) {
      const hole = g.relSeq - g.holeStart!;
      const filled = c.packets.some(
        (p) =>
          p.dir === dir && p.f.no > g.f.no && p.relSeq <= g.holeStart! && p.relSeq + p.len > g.holeStart!,
      );
      if (filled || hole < th) continue;
      const dups = c.packets.filter((p) => p.dir === other(dir) && p.f.no > g.f.no && p.dupAck);
      evidence.push(g, ...dups.slice(0, 6));
      reasons.push(
        `${hole} bytes from the ${who(dir)} before frame ${g.f.no} never arrived (full-size segments lost) while smaller ones did${dups.length ? `; the ${who(other(dir))} repeated its ACK ${dups.length} time(s)` : ''}`,
      );
      reasonsKo.push(
        `프레임 ${g.f.no} 앞의 ${whoKo(dir)} 데이터 ${hole}바이트(대용량 세그먼트)가 도착하지 않았고 작은 패킷은 도착함${dups.length ? `; ${whoKo(other(dir))}가 중복 ACK ${dups.length}회 전송` : ''}`,
      );
      break;
    }
  }
  if (!reasons.length) return undefined;
  const ev: (ConvPacket | number)[] = [...evidence, ...frag.map((p) => p.no)];
  if (c.synMss !== undefined && c.synAckMss !== undefined && c.synMss !== c.synAckMss) {
    ev.push(...[t.syn, t.synAck].filter((p): p is ConvPacket => !!p));
    reasons.push(`supporting: the handshake's MSS differ (client ${c.synMss}, proxy ${c.synAckMss})`);
    reasonsKo.push(`보조 증거: 핸드셰이크의 MSS가 다름(클라이언트 ${c.synMss}, 프록시 ${c.synAckMss})`);
  }
  return makeFinding('mtu-blackhole', ev, cap(reasons.join('; ')), cap(reasonsKo.join('; ')), {
    conversation: c.index,
    values: o.values,
  });
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + '.';

/** Findings of one conversation, most telling first. */
export function conversationFindings(c: Conversation, t: Timeline, o: RuleOptions): Finding[] {
  const out: Finding[] = [];
  const conv = c.index;
  const mk = (
    id: KnownIssueId,
    ps: (ConvPacket | number | undefined)[],
    en: string,
    ko: string,
    decisive = true,
  ) => out.push(makeFinding(id, ps, en, ko, { conversation: conv, decisive, values: o.values }));

  // 1. TCP handshake
  if (t.syn && !t.synAck) {
    const icmpUnreach = c.icmp.filter((p) => p.icmp!.type === 3 && p.icmp!.code !== 4);
    if (t.synRst)
      mk(
        'proxy-unreachable',
        [t.syn, ...t.synRetries, t.synRst],
        `The SYN to ${c.proxy.host}:${c.proxy.port} (frame ${t.syn.f.no}) was answered by a RST (frame ${t.synRst.f.no}): connection refused.`,
        `${c.proxy.host}:${c.proxy.port}에 대한 SYN(프레임 ${t.syn.f.no})에 RST(프레임 ${t.synRst.f.no})로 응답함: 연결 거부.`,
      );
    else
      mk(
        'proxy-unreachable',
        [t.syn, ...t.synRetries, ...icmpUnreach.map((p) => p.no)],
        `The SYN to ${c.proxy.host}:${c.proxy.port} (frame ${t.syn.f.no}${t.synRetries.length ? `, sent ${t.synRetries.length + 1} times` : ''}) got no answer${icmpUnreach.length ? ` but an ICMP unreachable (frame ${icmpUnreach[0]!.no})` : ''}.`,
        `${c.proxy.host}:${c.proxy.port}에 대한 SYN(프레임 ${t.syn.f.no}${t.synRetries.length ? `, ${t.synRetries.length + 1}회 전송` : ''})에 응답이 없음${icmpUnreach.length ? `(ICMP unreachable, 프레임 ${icmpUnreach[0]!.no})` : ''}.`,
      );
    return out;
  }

  const mtu = mtuRule(c, t, o);
  if (mtu) out.push(mtu);

  // 2. the proxy's answers to CONNECT
  for (const e of t.exchanges) {
    const req = e.request.f.http!.request!;
    const target = `${req.method} ${req.uri}`;
    if (!e.response) {
      if (mtu || e !== t.exchanges[t.exchanges.length - 1]) continue;
      const close = [...t.fins, ...t.rsts]
        .filter((p) => p.dir === 'p2c' && p.f.no > e.request.f.no)
        .sort((a, b) => a.f.no - b.f.no)[0];
      if (close)
        mk(
          'proxy-upstream-failure',
          [e.request, close],
          `The proxy closed the connection (${close.f.tcp!.rst ? 'RST' : 'FIN'}, frame ${close.f.no}) without answering ${target} (frame ${e.request.f.no}).`,
          `프록시가 ${target}(프레임 ${e.request.f.no})에 응답하지 않고 연결을 닫음(${close.f.tcp!.rst ? 'RST' : 'FIN'}, 프레임 ${close.f.no}).`,
        );
      continue;
    }
    const res = e.response.f.http!.response!;
    const code = res.code;
    if (code >= 200 && code < 400) continue;
    const ev = [e.request, e.response, ...t.fins.filter((p) => p.f.no > e.response!.f.no).slice(0, 2)];
    const what = `${describeHttpCode(code)} to ${target} (request frame ${e.request.f.no}, answer frame ${e.response.f.no})`;
    const whatKo = `${target}(요청 프레임 ${e.request.f.no})에 대한 응답 ${describeHttpCode(code, 'ko')}(프레임 ${e.response.f.no})`;
    if (code === 407) {
      const schemes = (res.proxyAuthenticate ?? []).map((s) => s.toLowerCase());
      const sent = req.proxyAuthorization;
      const offered = schemes.length ? ` The proxy offers: ${res.proxyAuthenticate!.join(', ')}.` : '';
      const offeredKo = schemes.length
        ? ` 프록시가 제공하는 인증 방식: ${res.proxyAuthenticate!.join(', ')}.`
        : '';
      if (schemes.length && schemes.every((s) => UNSUPPORTED_AUTH.has(s)))
        mk('proxy-auth-unsupported', ev, `${what}.${offered}`, `${whatKo}.${offeredKo}`);
      else if (sent && UNSUPPORTED_AUTH.has(sent.toLowerCase()))
        mk(
          'proxy-auth-unsupported',
          ev,
          `${what} after ${sent} credentials.${offered}`,
          `${sent} 자격 증명 후 ${whatKo}.${offeredKo}`,
        );
      else if (sent)
        mk(
          'proxy-auth-failed',
          ev,
          `${what}, although the request carried Proxy-Authorization (${sent}).${offered}`,
          `요청에 Proxy-Authorization(${sent})이 있었지만 ${whatKo}.${offeredKo}`,
        );
      else
        mk(
          'proxy-auth-required',
          ev,
          `${what}, and the request carried no Proxy-Authorization.${offered}`,
          `${whatKo}, 요청에 Proxy-Authorization이 없음.${offeredKo}`,
        );
    } else if (code === 403 || (code === 502 && res.proxyError && POLICY_MARKER.test(res.proxyError))) {
      mk(
        'proxy-denied',
        ev,
        `${what}${res.proxyError ? ` with X-Squid-Error: ${res.proxyError}` : ''}.`,
        `${whatKo}${res.proxyError ? `, X-Squid-Error: ${res.proxyError}` : ''}.`,
      );
    } else if (code >= 500) {
      mk(
        'proxy-upstream-failure',
        ev,
        `${what}${res.proxyError ? ` with X-Squid-Error: ${res.proxyError}` : ''}: the proxy itself could not reach the destination.`,
        `${whatKo}${res.proxyError ? `, X-Squid-Error: ${res.proxyError}` : ''}: 프록시가 대상에 연결하지 못함.`,
      );
    } else {
      mk('proxy-denied', ev, `${what}: the proxy refused the tunnel.`, `${whatKo}: 프록시가 터널을 거부함.`);
    }
  }
  if (!t.tunnel) return out;

  // 3. TLS through the tunnel
  if (t.certificate?.f.tls?.certIssuers?.length) {
    const issuers = t.certificate.f.tls.certIssuers;
    const top = issuers[issuers.length - 1]!;
    const trusted = o.trustedIssuers.some((x) => issuerMatches(top, x)) || isPublicRootIssuer(top);
    if (!trusted)
      mk(
        'tls-intercepted',
        [t.certificate],
        `The certificate chain in frame ${t.certificate.f.no} ends with issuer "${top}", which is neither a public root CA nor an expected issuer.`,
        `프레임 ${t.certificate.f.no}의 인증서 체인 발급자 "${top}"는 공개 루트 CA나 예상 발급자가 아님.`,
      );
  }
  const done = handshakeDone(t);
  if (!done && !mtu) {
    const alert = t.alerts[0];
    const close = [...t.fins, ...t.rsts]
      .filter((p) => p.f.no > t.tunnel!.response!.f.no)
      .sort((a, b) => a.f.no - b.f.no)[0];
    if (alert) {
      const a = alert.f.tls?.alert;
      const desc = a
        ? ` (level ${a.level}, description ${a.description}${ALERTS[a.description] ? ` ${ALERTS[a.description]}` : ''})`
        : '';
      mk(
        'tls-handshake-failed',
        [t.clientHello, t.serverHello, alert, close],
        `A TLS alert from the ${who(alert.dir)}${desc} in frame ${alert.f.no} ended the handshake.`,
        `프레임 ${alert.f.no}에서 ${whoKo(alert.dir)}의 TLS 경고(alert)${desc}로 핸드셰이크가 종료됨.`,
      );
    } else if (close) {
      const kind = close.f.tcp!.rst ? 'RST' : 'FIN';
      const stall = idleGap(c, t, o);
      // a client closing a tunnel it never sent a ClientHello into did not try TLS at all
      const clientGaveUpUnstarted = close.dir === 'c2p' && !t.clientHello;
      if (!clientGaveUpUnstarted && !(stall && close.dir === 'c2p' && t.serverHello)) {
        mk(
          'tls-handshake-failed',
          [t.clientHello, t.serverHello, close],
          `The ${who(close.dir)} closed the connection (${kind}, frame ${close.f.no}) before the TLS handshake finished${t.clientHello ? '' : ' (no Client Hello sent)'}.`,
          `TLS 핸드셰이크가 끝나기 전에 ${whoKo(close.dir)}가 연결을 닫음(${kind}, 프레임 ${close.f.no}).`,
        );
      }
    }
  }

  // 4. the transfer
  if (!mtu && out.every((f) => f.id !== 'tls-handshake-failed')) {
    const stalled = stallEvidence(c, t, o);
    if (stalled) mk('transfer-stalled', stalled.packets, stalled.en, stalled.ko);
  }
  return out;
}

interface Stall {
  packets: (ConvPacket | undefined)[];
  en: string;
  ko: string;
}

/** The longest silence after the tunnel's data started, if it ended the transfer. */
function idleGap(
  c: Conversation,
  t: Timeline,
  o: RuleOptions,
): { before: ConvPacket; after?: ConvPacket; seconds: number } | undefined {
  const start = t.tunnel!.response!.f.no;
  // a closed conversation is not idle: look only up to (and including) the first FIN/RST
  const close = firstClose(t);
  const ps = c.packets.filter((p) => p.f.no > start && (!close || p.f.no <= close.f.no));
  let best: { before: ConvPacket; after?: ConvPacket; seconds: number } | undefined;
  // silence = no data: bare ACKs and window updates are not progress
  // next[i]: the first packet after i that carries data or closes (one backward pass)
  const next: (ConvPacket | undefined)[] = new Array(ps.length);
  let upcoming: ConvPacket | undefined;
  for (let i = ps.length - 1; i >= 0; i--) {
    next[i] = upcoming;
    const p = ps[i]!;
    if (p.len > 0 || p.f.tcp!.fin || p.f.tcp!.rst) upcoming = p;
  }
  for (let i = 0; i < ps.length; i++) {
    const a = ps[i]!;
    if (a.len === 0) continue;
    const b = next[i];
    const gap = (b ? b.f.time : (o.captureEnd ?? a.f.time)) - a.f.time;
    if (gap < o.stallSeconds) continue;
    // The silence matters when what ends it is the client giving up (FIN/RST) or nothing at all;
    // data after the gap means the transfer went on.
    const endsIt = !b || (b.dir === 'c2p' && (b.f.tcp!.fin || b.f.tcp!.rst));
    if (!endsIt) continue;
    if (!best || gap > best.seconds)
      best = b ? { before: a, after: b, seconds: gap } : { before: a, seconds: gap };
  }
  return best;
}

function stallEvidence(c: Conversation, t: Timeline, o: RuleOptions): Stall | undefined {
  const tunnelAt = t.tunnel!.response!.f.no;
  const zero = c.packets.filter((p) => p.zeroWindow && p.f.no > tunnelAt);
  const clientFin = t.fins.find((p) => p.dir === 'c2p');
  // the proxy resets an established transfer (before the client said goodbye)
  const proxyRst = t.rsts.find(
    (p) => p.dir === 'p2c' && p.f.no > tunnelAt && (!clientFin || p.f.no < clientFin.f.no),
  );
  const lastData = [...t.tunnelData].reverse().find((p) => p.dir === 'p2c');
  if (proxyRst && handshakeDone(t)) {
    return {
      packets: [lastData, proxyRst, ...zero.slice(0, 3)],
      en: `The proxy reset the connection in the middle of the transfer (RST, frame ${proxyRst.f.no})${lastData ? `; the last data came in frame ${lastData.f.no}` : ''}.`,
      ko: `전송 도중 프록시가 연결을 재설정함(RST, 프레임 ${proxyRst.f.no})${lastData ? `; 마지막 데이터는 프레임 ${lastData.f.no}` : ''}.`,
    };
  }
  const proxyFin = t.fins.find(
    (p) => p.dir === 'p2c' && p.f.no > tunnelAt && (!clientFin || p.f.no < clientFin.f.no),
  );
  if (proxyFin && (proxyFin.f.tcp!.tlsRecordOpen || tlsRecordCut(c, tunnelAt, proxyFin))) {
    return {
      packets: [lastData, proxyFin],
      en: `The proxy closed the connection (FIN, frame ${proxyFin.f.no}) in the middle of a TLS record: the download was cut short.`,
      ko: `프록시가 TLS 레코드 도중에 연결을 닫음(FIN, 프레임 ${proxyFin.f.no}): 다운로드가 완료되지 않음.`,
    };
  }
  // the client gives up after a silence while the proxy's last TLS record is still incomplete:
  // the data stopped mid-record (timing-independent, unlike the idle gap alone)
  const clientClose = [...t.fins, ...t.rsts]
    .filter((p) => p.dir === 'c2p' && p.f.no > tunnelAt)
    .sort((a, b) => a.f.no - b.f.no)[0];
  if (
    clientClose &&
    lastData &&
    handshakeDone(t) &&
    clientClose.f.time - lastData.f.time >= Math.min(1, o.stallSeconds) &&
    (clientClose.f.tcp!.peerTlsRecordOpen || tlsRecordCut(c, tunnelAt, clientClose))
  ) {
    const s = (clientClose.f.time - lastData.f.time).toFixed(1);
    return {
      packets: [lastData, clientClose, ...zero.slice(0, 3)],
      en: `The proxy stopped sending in the middle of a TLS record (last data in frame ${lastData.f.no}); after ${s} s of silence the client gave up (${clientClose.f.tcp!.rst ? 'RST' : 'FIN'}, frame ${clientClose.f.no}).`,
      ko: `프록시가 TLS 레코드 도중에 전송을 멈춤(마지막 데이터 프레임 ${lastData.f.no}); ${s}초 동안 응답이 없자 클라이언트가 연결을 닫음(${clientClose.f.tcp!.rst ? 'RST' : 'FIN'}, 프레임 ${clientClose.f.no}).`,
    };
  }
  const gap = idleGap(c, t, o);
  if (gap) {
    const s = gap.seconds.toFixed(1);
    return {
      packets: [gap.before, gap.after, ...zero.slice(0, 3)],
      en: `After frame ${gap.before.f.no} the connection went idle for ${s} s${gap.after ? ` and then the client gave up (${gap.after.f.tcp!.rst ? 'RST' : 'FIN'}, frame ${gap.after.f.no})` : ' until the capture ended'}${zero.length ? `; zero window in frame ${zero[0]!.f.no}` : ''}.`,
      ko: `프레임 ${gap.before.f.no} 이후 연결이 ${s}초 동안 유휴 상태로 유지됨${gap.after ? `, 이후 클라이언트가 연결을 닫음(${gap.after.f.tcp!.rst ? 'RST' : 'FIN'}, 프레임 ${gap.after.f.no})` : '(캡처 종료까지)'}${zero.length ? `; 프레임 ${zero[0]!.f.no}에서 zero window` : ''}.`,
    };
  }
  const lastZero = zero[zero.length - 1];
  if (
    lastZero &&
    !c.packets.some(
      (p) =>
        p.f.no > lastZero.f.no && p.dir === lastZero.dir && !p.zeroWindow && p.f.tcp!.window !== undefined,
    )
  ) {
    return {
      packets: zero.slice(0, 5),
      en: `The ${who(lastZero.dir)} advertised a zero window (frame ${zero[0]!.f.no}) that never opened again.`,
      ko: `${whoKo(lastZero.dir)}가 zero window를 알렸고(프레임 ${zero[0]!.f.no}) 다시 열리지 않음.`,
    };
  }
  return undefined;
}

/** True when the proxy's byte stream stops inside a TLS record (needs payload bytes). */
function tlsRecordCut(c: Conversation, tunnelAt: number, fin: ConvPacket): boolean {
  let need = 0; // bytes still owed to the current record
  let header: number[] = [];
  let seen = false;
  for (const p of c.packets) {
    if (p.dir !== 'p2c' || p.f.no <= tunnelAt || p.len === 0 || p.retransmission || p.f.no > fin.f.no)
      continue;
    const pl = p.f.tcp!.payload;
    if (!pl) return false;
    seen = true;
    let i = 0;
    while (i < pl.length) {
      if (need > 0) {
        const take = Math.min(need, pl.length - i);
        need -= take;
        i += take;
        continue;
      }
      header.push(pl[i]!);
      i++;
      if (header.length === 5) {
        if (header[0]! < 20 || header[0]! > 24 || header[1] !== 3) return false; // not TLS: no opinion
        need = (header[3]! << 8) | header[4]!;
        header = [];
      }
    }
  }
  return seen && (need > 0 || header.length > 0);
}

const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  109: 'missing_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};
