// Groups packet facts into the TCP conversations to the proxy and adds what the rules need on
// top of the engine's TCP analysis: relative sequence numbers, where a hole starts, what each
// side acknowledged. Retransmissions, duplicate ACKs and zero windows are the engine's flags
// (TcpFacts.analysis); hand-written facts without them get the same rules derived here.
import type { Endpoint, PacketFacts } from './facts.js';

export type Dir = 'c2p' | 'p2c';

export interface ConvPacket {
  f: PacketFacts;
  dir: Dir;
  /** relative sequence number of the first payload byte (1 = first byte after the SYN) */
  relSeq: number;
  /** relative ack (what this side acknowledged of the other side's data), -1 without ACK */
  relAck: number;
  len: number;
  retransmission: boolean;
  /** data starts beyond everything seen so far from this side: a segment before it is missing */
  gap: boolean;
  /** for a gap: the sequence number this side should have sent next (start of the hole) */
  holeStart?: number;
  dupAck: boolean;
  zeroWindow: boolean;
}

export interface Conversation {
  index: number;
  client: Endpoint;
  proxy: Endpoint;
  packets: ConvPacket[];
  /** ICMP errors that quote this conversation's packets */
  icmp: PacketFacts[];
  /** highest relative ack each side sent */
  maxAck: Record<Dir, number>;
  /** highest relative sequence end each side sent */
  maxSeqEnd: Record<Dir, number>;
  synMss?: number;
  synAckMss?: number;
  /** true when the conversation was selected because its first request was a CONNECT */
  sawConnect: boolean;
}

const isIpLiteral = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');

function endpointMatches(
  addr: string,
  port: number | undefined,
  ep: Endpoint,
  addresses?: string[],
): boolean {
  if (port !== ep.port) return false;
  if (addresses && addresses.length) return addresses.includes(addr);
  // a proxy given by name matches any address on its port (the capture holds addresses only)
  return !isIpLiteral(ep.host) || ep.host === addr || (ep.host === 'localhost' && addr.startsWith('127.'));
}

interface RawConv {
  a: Endpoint;
  b: Endpoint;
  packets: PacketFacts[];
  /** client endpoint when known from a SYN */
  client?: Endpoint;
  closed: boolean;
  synSeq?: number;
}

const key = (a: string, ap: number | undefined, b: string, bp: number | undefined) => `${a}|${ap}|${b}|${bp}`;

export interface GroupOptions {
  proxy?: Endpoint;
  /** addresses the proxy name resolved to (when proxy.host is a name) */
  proxyAddresses?: string[];
  /** without `proxy`: endpoints already known (from other parts of the capture) to be proxies */
  knownProxies?: Endpoint[];
}

export interface Grouped {
  conversations: Conversation[];
  /** proxies seen carrying CONNECT that differ from the given proxy (config mismatch evidence) */
  otherProxies: { proxy: Endpoint; packets: number[] }[];
}

/** Split facts into TCP conversations and keep the ones that go to the proxy. */
export function groupConversations(facts: readonly PacketFacts[], opts: GroupOptions = {}): Grouped {
  const open = new Map<string, RawConv>();
  const all: RawConv[] = [];
  const icmps: PacketFacts[] = [];
  // the conversation of the previous packet and its 4-tuple: the next packet is most often its
  // too, found without building keys (it is the one `open` holds for that tuple)
  let last: RawConv | undefined;
  let lastSrc = '';
  let lastSrcPort: number | undefined;
  let lastDst = '';
  let lastDstPort: number | undefined;
  for (const f of facts) {
    if (f.icmp) {
      icmps.push(f);
      continue;
    }
    if (!f.tcp) continue;
    let c: RawConv | undefined;
    if (
      last &&
      ((f.src === lastSrc && f.srcPort === lastSrcPort && f.dst === lastDst && f.dstPort === lastDstPort) ||
        (f.src === lastDst && f.srcPort === lastDstPort && f.dst === lastSrc && f.dstPort === lastSrcPort))
    )
      c = last;
    else {
      const k1 = key(f.src, f.srcPort, f.dst, f.dstPort);
      c = open.get(k1) ?? open.get(key(f.dst, f.dstPort, f.src, f.srcPort));
    }
    const isSyn = f.tcp.syn && !f.tcp.ack;
    // A new SYN on a finished tuple (port reuse) starts a new conversation.
    if (c && isSyn && c.closed && c.synSeq !== f.tcp.seq) c = undefined;
    if (!c) {
      c = {
        a: { host: f.src, port: f.srcPort ?? 0 },
        b: { host: f.dst, port: f.dstPort ?? 0 },
        packets: [],
        closed: false,
      };
      open.set(key(f.src, f.srcPort, f.dst, f.dstPort), c);
      open.delete(key(f.dst, f.dstPort, f.src, f.srcPort));
      all.push(c);
    }
    last = c;
    lastSrc = f.src;
    lastSrcPort = f.srcPort;
    lastDst = f.dst;
    lastDstPort = f.dstPort;
    if (isSyn && !c.client) {
      c.client = { host: f.src, port: f.srcPort ?? 0 };
      c.synSeq = f.tcp.seq;
    }
    if (f.tcp.fin || f.tcp.rst) c.closed = true;
    c.packets.push(f);
  }

  const conversations: Conversation[] = [];
  const taken = new Set<RawConv>();
  const others = new Map<string, { proxy: Endpoint; packets: number[] }>();
  for (const c of all) {
    const firstRequest = c.packets.find((p) => p.http?.request);
    const connectFrom =
      firstRequest?.http?.request?.method.toUpperCase() === 'CONNECT' ? firstRequest : undefined;
    let client: Endpoint | undefined;
    let proxy: Endpoint | undefined;
    if (opts.proxy) {
      if (endpointMatches(c.b.host, c.b.port, opts.proxy, opts.proxyAddresses)) [client, proxy] = [c.a, c.b];
      else if (endpointMatches(c.a.host, c.a.port, opts.proxy, opts.proxyAddresses))
        [client, proxy] = [c.b, c.a];
    }
    if (!proxy && connectFrom) {
      client = { host: connectFrom.src, port: connectFrom.srcPort ?? 0 };
      proxy = { host: connectFrom.dst, port: connectFrom.dstPort ?? 0 };
      if (opts.proxy) {
        const k = `${proxy.host}:${proxy.port}`;
        const o = others.get(k) ?? { proxy, packets: [] };
        o.packets.push(connectFrom.no);
        others.set(k, o);
      }
    }
    if (!proxy || !client) continue;
    taken.add(c);
    conversations.push(analyze(conversations.length, client, proxy, c.packets, !!connectFrom));
  }
  // Without a given proxy, SYNs to an inferred proxy that never got a CONNECT also count
  // (an unanswered SYN has no CONNECT to infer from).
  if (!opts.proxy) {
    const proxies = new Set(
      [...conversations.map((c) => c.proxy), ...(opts.knownProxies ?? [])].map((p) => `${p.host}|${p.port}`),
    );
    for (const c of all) {
      if (!c.client) continue;
      const server = c.client.host === c.a.host && c.client.port === c.a.port ? c.b : c.a;
      if (!proxies.has(`${server.host}|${server.port}`) || taken.has(c)) continue;
      conversations.push(analyze(conversations.length, c.client, server, c.packets, false));
    }
    conversations.sort((x, y) => (x.packets[0]?.f.no ?? 0) - (y.packets[0]?.f.no ?? 0));
    conversations.forEach((c, i) => (c.index = i));
  }
  for (const ic of icmps) {
    const inner = ic.icmp?.inner;
    for (const c of conversations) {
      const quotes =
        inner &&
        ((inner.src === c.client.host &&
          inner.dst === c.proxy.host &&
          (inner.srcPort === undefined || inner.srcPort === c.client.port) &&
          (inner.dstPort === undefined || inner.dstPort === c.proxy.port)) ||
          (inner.src === c.proxy.host &&
            inner.dst === c.client.host &&
            (inner.srcPort === undefined || inner.srcPort === c.proxy.port) &&
            (inner.dstPort === undefined || inner.dstPort === c.client.port)));
      if (quotes) c.icmp.push(ic);
    }
  }
  return { conversations, otherProxies: [...others.values()] };
}

function analyze(
  index: number,
  client: Endpoint,
  proxy: Endpoint,
  packets: PacketFacts[],
  sawConnect: boolean,
): Conversation {
  const dirOf = (f: PacketFacts): Dir => (f.src === client.host && f.srcPort === client.port ? 'c2p' : 'p2c');
  const other = (d: Dir): Dir => (d === 'c2p' ? 'p2c' : 'c2p');
  const isn: Partial<Record<Dir, number>> = {};
  const maxSeqEnd: Record<Dir, number> = { c2p: 0, p2c: 0 };
  const maxAck: Record<Dir, number> = { c2p: -1, p2c: -1 };
  // the last ack and window each side sent (-1: none yet), for duplicate ACKs of hand-written facts
  const lastAck: Record<Dir, number> = { c2p: -1, p2c: -1 };
  const lastWin: Record<Dir, number | undefined> = { c2p: undefined, p2c: undefined };
  const conv: Conversation = { index, client, proxy, packets: [], icmp: [], maxAck, maxSeqEnd, sawConnect };
  for (const f of packets) {
    const t = f.tcp!;
    const dir = dirOf(f);
    if (t.syn) {
      isn[dir] = t.seq;
      if (dir === 'c2p' && !t.ack && t.mss !== undefined) conv.synMss = t.mss;
      if (dir === 'p2c' && t.ack && t.mss !== undefined) conv.synAckMss = t.mss;
    }
    // Without a SYN, the first segment seen defines the origin of this side's numbers.
    if (isn[dir] === undefined) isn[dir] = (t.seq - 1) >>> 0;
    const relSeq = (t.seq - isn[dir]!) >>> 0;
    const len = t.payloadLength;
    const otherIsn = isn[other(dir)];
    const relAck = t.ack && otherIsn !== undefined ? (t.ackNo - otherIsn) >>> 0 : -1;
    const end = relSeq + len + (t.fin ? 1 : 0) + (t.syn ? 1 : 0);
    const a = t.analysis;
    let retransmission = !!a?.retransmission;
    let gap = !!a?.lostSegment;
    let holeStart: number | undefined;
    if (len > 0 && !t.syn) {
      const expected = Math.max(maxSeqEnd[dir], 1);
      if (relSeq + len <= maxSeqEnd[dir]) retransmission ||= !a;
      else if (relSeq > expected) {
        gap = true;
        holeStart = expected;
      }
    }
    const zeroWindow = a ? !!a.zeroWindow : t.window === 0 && !t.rst && !t.syn;
    let dupAck = !!a?.dupAck;
    if (!a && len === 0 && t.ack && !t.syn && !t.fin && !t.rst && relAck >= 0) {
      if (lastAck[dir] === relAck && lastWin[dir] === t.window && maxSeqEnd[other(dir)] > relAck)
        dupAck = true;
    }
    // a RST's ack field proves nothing about delivery the sender will act on
    if (t.ack && relAck >= 0 && !t.rst) {
      lastAck[dir] = relAck;
      lastWin[dir] = t.window;
      if (relAck > maxAck[dir]) maxAck[dir] = relAck;
    }
    if (end > maxSeqEnd[dir]) maxSeqEnd[dir] = end;
    const cp: ConvPacket = { f, dir, relSeq, relAck, len, retransmission, gap, dupAck, zeroWindow };
    if (holeStart !== undefined) cp.holeStart = holeStart;
    conv.packets.push(cp);
  }
  return conv;
}
