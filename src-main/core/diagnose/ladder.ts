// The stage ladder of one proxied conversation: the expected flow of the reference procedure
// (SYN → SYN-ACK → ACK → CONNECT → response → ClientHello → ServerHello → Certificate →
// application data → FIN), each rung ok, failed or missing, with its time and packets.
import type { Conversation, ConvPacket } from './conversations.js';
import { buildTimeline, firstClose, type Timeline } from './timeline.js';

export type StageName =
  | 'syn'
  | 'syn-ack'
  | 'ack'
  | 'connect'
  | 'response'
  | 'client-hello'
  | 'server-hello'
  | 'certificate'
  | 'application-data'
  | 'close';

export type StageStatus = 'ok' | 'failed' | 'missing';

export interface Stage {
  name: StageName;
  label: string;
  status: StageStatus;
  /** time of the stage's first packet (the capture's clock), absent when missing */
  time?: number;
  packets: number[];
  detail?: string;
}

export interface Ladder {
  conversation: number;
  client: string;
  proxy: string;
  stages: Stage[];
}

const LABELS: Record<StageName, string> = {
  syn: 'SYN',
  'syn-ack': 'SYN-ACK',
  ack: 'ACK',
  connect: 'CONNECT',
  response: 'Proxy response',
  'client-hello': 'Client Hello',
  'server-hello': 'Server Hello',
  certificate: 'Certificate',
  'application-data': 'Application data',
  close: 'FIN / RST',
};

// A big capture keeps a ladder per conversation, and most details repeat ("MSS 1460", "CONNECT
// host:443", "HTTP 200 Connection established"): one copy of each (a bounded table).
const details = new Map<string, string>();
function intern(s: string): string {
  let v = details.get(s);
  if (v === undefined) {
    if (details.size >= 4096) details.clear();
    details.set(s, (v = s));
  }
  return v;
}

const NO_PACKETS: (ConvPacket | undefined)[] = [];

function stage(
  name: StageName,
  status: StageStatus,
  ps: (ConvPacket | undefined)[] = NO_PACKETS,
  detail?: string,
): Stage {
  // (map makes an array of the exact size; push would reserve room for more)
  const pk = ps.every((p) => p !== undefined) ? (ps as ConvPacket[]) : ps.filter((p): p is ConvPacket => !!p);
  const packets = pk.map((p) => p.f.no);
  const first = pk[0];
  const label = LABELS[name];
  // one literal per shape (properties added later would need a property store per stage)
  if (first) {
    const time = first.f.time;
    return detail
      ? { name, label, status, packets, time, detail: intern(detail) }
      : { name, label, status, packets, time };
  }
  return detail ? { name, label, status, packets, detail: intern(detail) } : { name, label, status, packets };
}

export function buildLadder(c: Conversation, t: Timeline = buildTimeline(c)): Ladder {
  const stages: Stage[] = [];
  const mss = (v?: number) => (v !== undefined ? `MSS ${v}` : undefined);
  stages.push(
    t.syn
      ? stage(
          'syn',
          'ok',
          [t.syn, ...t.synRetries],
          [mss(c.synMss), t.synRetries.length ? `${t.synRetries.length} retransmission(s)` : undefined]
            .filter(Boolean)
            .join(', ') || undefined,
        )
      : stage('syn', 'missing', [], 'the capture starts after the handshake'),
  );
  if (t.synAck) stages.push(stage('syn-ack', 'ok', [t.synAck], mss(c.synAckMss)));
  else if (t.synRst) stages.push(stage('syn-ack', 'failed', [t.synRst], 'RST: connection refused'));
  else if (t.syn) stages.push(stage('syn-ack', 'failed', [], 'no answer to the SYN'));
  else stages.push(stage('syn-ack', 'missing'));
  stages.push(t.ack ? stage('ack', 'ok', [t.ack]) : stage('ack', 'missing'));

  const connects = t.exchanges.filter((e) => e.request.f.http!.request!.method.toUpperCase() === 'CONNECT');
  const exs = connects.length ? connects : t.exchanges;
  const lastEx = t.tunnel ?? exs[exs.length - 1];
  if (lastEx) {
    const r = lastEx.request.f.http!.request!;
    stages.push(
      stage(
        'connect',
        'ok',
        exs.map((e) => e.request),
        `${r.method} ${r.uri}${r.proxyAuthorization ? ` (Proxy-Authorization: ${r.proxyAuthorization})` : ''}`,
      ),
    );
  } else stages.push(stage('connect', 'missing'));
  const res = lastEx?.response;
  if (res) {
    const r = res.f.http!.response!;
    const text = `HTTP ${r.code}${r.phrase ? ` ${r.phrase}` : ''}`;
    const all = exs.map((e) => e.response);
    stages.push(stage('response', t.tunnel ? 'ok' : 'failed', all, text));
  } else
    stages.push(
      stage('response', lastEx ? 'failed' : 'missing', [], lastEx ? 'no answer from the proxy' : undefined),
    );

  const tlsFailure =
    t.alerts[0] && (!t.clientData || t.alerts[0].f.no < t.clientData.f.no) ? t.alerts[0] : undefined;
  const close = firstClose(t);
  const why = tlsFailure
    ? `TLS alert in frame ${tlsFailure.f.no}`
    : close
      ? `${close.f.tcp!.rst ? 'RST' : 'FIN'} from the ${close.dir === 'p2c' ? 'proxy' : 'client'} in frame ${close.f.no}`
      : 'the capture ends';
  // After the tunnel, a rung that never came is "failed" when the connection broke, "missing"
  // when the capture simply ended.
  const tlsStage = (name: StageName, p: ConvPacket | undefined, okDetail?: string): Stage => {
    if (!t.tunnel) return stage(name, 'missing');
    if (p) return stage(name, 'ok', [p], okDetail);
    // a client that closes a tunnel it never started TLS in just did not try (e.g. a test CONNECT)
    const broke = !!tlsFailure || (!!close && (close.dir === 'p2c' || !!t.clientHello));
    return stage(name, broke ? 'failed' : 'missing', [], `not seen: ${why}`);
  };
  stages.push(
    tlsStage(
      'client-hello',
      t.clientHello,
      t.clientHello?.f.tls?.sni ? `SNI=${t.clientHello.f.tls.sni}` : undefined,
    ),
  );
  stages.push(tlsStage('server-hello', t.serverHello, t.tls13 ? 'TLS 1.3' : undefined));
  if (t.certificate) {
    const issuers = t.certificate.f.tls?.certIssuers;
    stages.push(
      stage(
        'certificate',
        'ok',
        [t.certificate],
        issuers?.length ? `issuer: ${issuers[issuers.length - 1]}` : undefined,
      ),
    );
  } else if (t.tls13 && t.clientData) {
    stages.push(
      stage('certificate', 'ok', [t.clientData], 'encrypted (TLS 1.3); the client accepted it and went on'),
    );
  } else stages.push(tlsStage('certificate', undefined));
  if (t.clientData && t.serverData)
    stages.push(stage('application-data', 'ok', [t.clientData, t.serverData]));
  else stages.push(tlsStage('application-data', undefined));

  if (close) {
    const fins = t.fins.filter((p) => !p.retransmission);
    if (close.f.tcp!.rst)
      stages.push(
        stage('close', 'failed', [close], `RST from the ${close.dir === 'p2c' ? 'proxy' : 'client'}`),
      );
    else
      stages.push(
        stage('close', 'ok', fins, `FIN from the ${close.dir === 'p2c' ? 'proxy' : 'client'} first`),
      );
  } else stages.push(stage('close', 'missing', [], 'still open when the capture ends'));

  return {
    conversation: c.index,
    client: `${c.client.host}:${c.client.port}`,
    proxy: `${c.proxy.host}:${c.proxy.port}`,
    stages,
  };
}
