// DNS over UDP/53 and TCP/53 (2-byte length prefix, reassembled across segments), and on any UDP
// port through a heuristic (Wireshark's "dns_udp", on by default): the glue between the engine and
// the pure parser in dns-parse.ts.
import type { PacketContext } from './engine-context.js';
import type { ExpertDef, FieldDef, ProtocolModule } from './registry.js';
import type { FieldNode } from './types.js';
import { dnsInfo, dnsTree, parseDns } from './dns-parse.js';

const FIELDS: FieldDef[] = [
  { name: 'dns.length', label: 'Length', type: 'uint' },
  { name: 'dns.id', label: 'Transaction ID', type: 'uint' },
  { name: 'dns.flags', label: 'Flags', type: 'uint' },
  { name: 'dns.flags.response', label: 'Response', type: 'bool' },
  { name: 'dns.flags.opcode', label: 'Opcode', type: 'uint' },
  { name: 'dns.flags.authoritative', label: 'Authoritative', type: 'bool' },
  { name: 'dns.flags.truncated', label: 'Truncated', type: 'bool' },
  { name: 'dns.flags.recdesired', label: 'Recursion desired', type: 'bool' },
  { name: 'dns.flags.recavail', label: 'Recursion available', type: 'bool' },
  { name: 'dns.flags.rcode', label: 'Reply code', type: 'uint' },
  { name: 'dns.count.queries', label: 'Questions', type: 'uint' },
  { name: 'dns.count.answers', label: 'Answer RRs', type: 'uint' },
  { name: 'dns.count.auth_rr', label: 'Authority RRs', type: 'uint' },
  { name: 'dns.count.add_rr', label: 'Additional RRs', type: 'uint' },
  { name: 'dns.qry.name', label: 'Name', type: 'string' },
  { name: 'dns.qry.type', label: 'Type', type: 'uint' },
  { name: 'dns.qry.class', label: 'Class', type: 'uint' },
  { name: 'dns.resp.name', label: 'Name', type: 'string' },
  { name: 'dns.resp.type', label: 'Type', type: 'uint' },
  { name: 'dns.resp.class', label: 'Class', type: 'uint' },
  { name: 'dns.resp.ttl', label: 'Time to live', type: 'uint' },
  { name: 'dns.resp.len', label: 'Data length', type: 'uint' },
  { name: 'dns.a', label: 'Address', type: 'ipv4' },
  { name: 'dns.aaaa', label: 'AAAA Address', type: 'ipv6' },
  { name: 'dns.cname', label: 'CNAME', type: 'string' },
  { name: 'dns.ns', label: 'Name Server', type: 'string' },
  { name: 'dns.ptr.domain_name', label: 'Domain Name', type: 'string' },
  { name: 'dns.mx.preference', label: 'Preference', type: 'uint' },
  { name: 'dns.mx.mail_exchange', label: 'Mail Exchange', type: 'string' },
  { name: 'dns.txt', label: 'TXT', type: 'string' },
  { name: 'dns.txt.length', label: 'TXT Length', type: 'uint' },
  { name: 'dns.soa.mname', label: 'Primary name server', type: 'string' },
  { name: 'dns.soa.rname', label: "Responsible authority's mailbox", type: 'string' },
  { name: 'dns.soa.serial_number', label: 'Serial Number', type: 'uint' },
  { name: 'dns.soa.refresh_interval', label: 'Refresh Interval', type: 'uint' },
  { name: 'dns.soa.retry_interval', label: 'Retry Interval', type: 'uint' },
  { name: 'dns.soa.expire_limit', label: 'Expire limit', type: 'uint' },
  { name: 'dns.soa.minimum_ttl', label: 'Minimum TTL', type: 'uint' },
  { name: 'dns.srv.priority', label: 'Priority', type: 'uint' },
  { name: 'dns.srv.weight', label: 'Weight', type: 'uint' },
  { name: 'dns.srv.port', label: 'Port', type: 'uint' },
  { name: 'dns.srv.target', label: 'Target', type: 'string' },
  { name: 'dns.response_in', label: 'Response In', type: 'framenum' },
  { name: 'dns.response_to', label: 'Request In', type: 'framenum' },
  { name: 'dns.time', label: 'Time', type: 'reltime' },
];

interface DnsQueryRecord {
  frame: number;
  sec: number;
  nsec: number;
}

/** Queries and answers of one conversation, keyed by frame numbers (stable on re-dissection). */
interface DnsState {
  queries: Map<number, DnsQueryRecord[]>;
  responseOf: Map<number, number>;
  queryOf: Map<number, DnsQueryRecord>;
}

function stateOf(ctx: PacketContext): DnsState | undefined {
  let st = ctx.convData<DnsState>('dns');
  if (!st && ctx.firstPass) {
    st = { queries: new Map(), responseOf: new Map(), queryOf: new Map() };
    ctx.setConvData('dns', st);
  }
  return st;
}

/** Pairs a response with the latest unanswered query of the same id sent before it. */
function link(
  ctx: PacketContext,
  st: DnsState | undefined,
  id: number,
  response: boolean,
): { responseIn?: number; query?: DnsQueryRecord } {
  if (!st) return {};
  if (!response) {
    let list = st.queries.get(id);
    if (!list) st.queries.set(id, (list = []));
    if (!list.some((q) => q.frame === ctx.no))
      list.push({ frame: ctx.no, sec: ctx.raw.tsSec, nsec: ctx.raw.tsNsec });
    return { responseIn: st.responseOf.get(ctx.no) };
  }
  let query = st.queryOf.get(ctx.no);
  if (!query) {
    const list = st.queries.get(id) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].frame < ctx.no && !st.responseOf.has(list[i].frame)) {
        query = list[i];
        st.responseOf.set(query.frame, ctx.no);
        st.queryOf.set(ctx.no, query);
        break;
      }
    }
  }
  return { query };
}

function timeBetween(q: DnsQueryRecord, sec: number, nsec: number): { seconds: number; text: string } {
  let ns = (BigInt(sec) - BigInt(q.sec)) * 1_000_000_000n + BigInt(nsec - q.nsec);
  const neg = ns < 0n;
  if (neg) ns = -ns;
  const text = `${neg ? '-' : ''}${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
  return { seconds: sec - q.sec + (nsec - q.nsec) / 1e9, text };
}

const MALFORMED: ExpertDef = {
  id: 'malformed',
  severity: 'error',
  group: 'malformed',
  message: 'Malformed DNS message',
};

const infoMark = new WeakMap<PacketContext, { no: number; text: string }>();

function dissectMessage(
  ctx: PacketContext,
  off: number,
  len: number,
  tree: FieldNode[] | null,
  prefixAt?: number,
): void {
  const m = parseDns(ctx.data, off, len);
  const l = len >= 4 ? link(ctx, stateOf(ctx), m.id, m.response) : {};
  if (ctx.cols) {
    // several messages in one frame (DNS over TCP) share the Info column
    const mark = infoMark.get(ctx);
    if (mark && mark.no === ctx.no && mark.text !== '' && ctx.info.endsWith(mark.text))
      ctx.appendInfo(dnsInfo(m), ' , ');
    else ctx.setInfo(dnsInfo(m));
    infoMark.set(ctx, { no: ctx.no, text: ctx.info });
  }
  if (tree) {
    const { node, expert } = dnsTree(m, {
      lengthPrefixAt: prefixAt,
      source: ctx.source || undefined,
      responseIn: l.responseIn,
      requestIn: l.query?.frame,
      time: l.query ? timeBetween(l.query, ctx.raw.tsSec, ctx.raw.tsNsec) : undefined,
    });
    ctx.attachSubtree(tree, node, expert);
  } else if (m.malformed) {
    ctx.expert(null, MALFORMED, `Malformed DNS message: ${m.malformed}`);
  }
}

/**
 * Wireshark 4.0's DNS-over-UDP heuristic (packet-dns.c dissect_dns_heur), the checks measured
 * against tshark 4.0 so that the same datagrams on unregistered ports are DNS: more than a
 * header; opcode "standard query"; a query has 1 question and no answer/authority records; a
 * response at most 1 question, 100 answers and 10 authority records; at most 10 additional
 * records. (Later Wiresharks also ask for room for the records; 4.0 does not.)
 */
export function looksLikeDns(d: Uint8Array, off: number, end: number): boolean {
  if (end - off <= 12) return false;
  const flags = (d[off + 2] << 8) | d[off + 3];
  if ((flags & 0x7800) !== 0) return false;
  const quest = (d[off + 4] << 8) | d[off + 5];
  const ans = (d[off + 6] << 8) | d[off + 7];
  const auth = (d[off + 8] << 8) | d[off + 9];
  const add = (d[off + 10] << 8) | d[off + 11];
  if (flags & 0x8000) {
    if (quest > 1 || ans > 100 || auth > 10) return false;
  } else if (quest !== 1 || ans !== 0 || auth !== 0) return false;
  return add <= 10;
}

export const dnsModule: ProtocolModule = {
  name: 'dns',
  column: 'DNS',
  title: 'Domain Name System',
  fields: FIELDS,
  experts: [MALFORMED],
  register(r) {
    r.table('udp.port').add(53, dnsModule);
    r.table('tcp.port').add(53, dnsModule);
    r.heuristics('udp').add(dnsModule);
  },
  // only on the "udp" list; TCP asks a port-table module's heuristic too, and TCP/53 is DNS as is
  heuristic(ctx, off, end) {
    return ctx.ipProto === 6 || looksLikeDns(ctx.data, off, end);
  },
  dissect(ctx, off, end, tree) {
    ctx.enter(dnsModule);
    if (ctx.ipProto !== 6) {
      dissectMessage(ctx, off, end - off, tree);
      return end - off;
    }
    // DNS over TCP: each message carries a 2-byte length; a message may span segments.
    let p = off;
    while (p < end) {
      if (p + 2 > end) {
        ctx.requestDesegment(p, 2 - (end - p));
        return p - off;
      }
      const len = (ctx.data[p] << 8) | ctx.data[p + 1];
      if (p + 2 + len > end) {
        ctx.requestDesegment(p, p + 2 + len - end);
        return p - off;
      }
      dissectMessage(ctx, p + 2, len, tree, p);
      p += 2 + len;
    }
    return end - off;
  },
};
