// The landmarks of one proxied conversation (SYN, SYN-ACK, CONNECT, response, TLS messages,
// close), found once and shared by the stage ladder and the rules.
import type { Conversation, ConvPacket } from './conversations.js';

export interface Exchange {
  request: ConvPacket;
  response?: ConvPacket;
}

export interface Timeline {
  syn?: ConvPacket;
  synRetries: ConvPacket[];
  synAck?: ConvPacket;
  /** RST answering the SYN (connection refused) */
  synRst?: ConvPacket;
  ack?: ConvPacket;
  exchanges: Exchange[];
  /** the 2xx answer to CONNECT: from here on the proxy only relays */
  tunnel?: Exchange;
  clientHello?: ConvPacket;
  serverHello?: ConvPacket;
  certificate?: ConvPacket;
  tls13: boolean;
  alerts: ConvPacket[];
  /** first application-data record from the client: the handshake is done from its side */
  clientData?: ConvPacket;
  serverData?: ConvPacket;
  /** data packets (payload > 0) after the tunnel */
  tunnelData: ConvPacket[];
  fins: ConvPacket[];
  rsts: ConvPacket[];
  first: ConvPacket;
  last: ConvPacket;
}

const TLS13 = 0x0304;

export function buildTimeline(c: Conversation): Timeline {
  const ps = c.packets;
  const t: Timeline = {
    synRetries: [],
    exchanges: [],
    tls13: false,
    alerts: [],
    tunnelData: [],
    fins: [],
    rsts: [],
    first: ps[0]!,
    last: ps[ps.length - 1]!,
  };
  for (const p of ps) {
    const tcp = p.f.tcp!;
    if (tcp.syn && !tcp.ack && p.dir === 'c2p') {
      if (!t.syn) t.syn = p;
      else t.synRetries.push(p);
    } else if (tcp.syn && tcp.ack && p.dir === 'p2c') {
      if (!t.synAck) t.synAck = p;
    } else if (tcp.rst && p.dir === 'p2c' && t.syn && !t.synAck && !t.synRst) {
      t.synRst = p;
    } else if (!t.ack && t.synAck && p.dir === 'c2p' && tcp.ack && !tcp.syn) {
      t.ack = p;
    }
    if (tcp.fin) t.fins.push(p);
    if (tcp.rst) t.rsts.push(p);
    if (p.retransmission) continue;

    if (!t.tunnel) {
      const req = p.f.http?.request;
      const res = p.f.http?.response;
      if (req && p.dir === 'c2p') t.exchanges.push({ request: p });
      else if (res && p.dir === 'p2c') {
        const open = t.exchanges.find((e) => !e.response);
        if (open) {
          open.response = p;
          if (
            open.request.f.http!.request!.method.toUpperCase() === 'CONNECT' &&
            res.code >= 200 &&
            res.code < 300
          )
            t.tunnel = open;
        }
      }
      continue;
    }
    // inside the tunnel
    if (p.len > 0) t.tunnelData.push(p);
    const tls = p.f.tls;
    if (!tls) continue;
    if (p.dir === 'c2p' && tls.handshakeTypes.includes(1) && !t.clientHello) t.clientHello = p;
    if (p.dir === 'p2c' && tls.handshakeTypes.includes(2) && !t.serverHello) {
      t.serverHello = p;
      if (tls.serverVersion === TLS13) t.tls13 = true;
    }
    if (p.dir === 'p2c' && tls.handshakeTypes.includes(11) && !t.certificate) t.certificate = p;
    if (tls.contentTypes.includes(21) || tls.alert) t.alerts.push(p);
    if (tls.contentTypes.includes(23)) {
      if (p.dir === 'c2p' && !t.clientData) t.clientData = p;
      // in TLS 1.3 the server's encrypted handshake is type 23 too: count server data only after
      // the client finished its side
      if (p.dir === 'p2c' && !t.serverData && t.clientData) t.serverData = p;
    }
  }
  // A TLS 1.3 server hides its certificate; without the version extension, a server that sends
  // application data before the client finished is TLS 1.3 as well.
  if (!t.tls13 && t.serverHello && !t.certificate && t.clientData) {
    const early = c.packets.some(
      (p) => p.dir === 'p2c' && p.f.tls?.contentTypes.includes(23) && p.f.no < t.clientData!.f.no,
    );
    if (early) t.tls13 = true;
  }
  return t;
}

/** The handshake is complete from the client's side once it sends application data. */
export function handshakeDone(t: Timeline): boolean {
  return !!t.clientData;
}

/** The close that ended the conversation, and who started it. */
export function firstClose(t: Timeline): ConvPacket | undefined {
  const a = t.fins[0];
  const b = t.rsts[0];
  if (!a) return b;
  if (!b) return a;
  return a.f.no < b.f.no ? a : b;
}
