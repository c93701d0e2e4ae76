// DNS message parser and tree builder (RFC 1035 and friends). Pure: no framework dependency, so
// it can be tested on bytes alone. Every read is bounds-checked; a message that runs past its end
// yields what was parsed so far plus a "malformed" expert item, never an exception.
import { formatIpv6 } from './engine-context.js';
import type { ExpertItem, FieldNode } from './types.js';

export interface DnsName {
  name: string;
  /** bytes the name occupies at its position (compression pointers count 2) */
  length: number;
  labels: number;
}

export interface DnsQuestion {
  offset: number;
  length: number;
  name: DnsName;
  type: number;
  class: number;
}

export interface DnsRecord extends DnsQuestion {
  ttl: number;
  rdOffset: number;
  rdLength: number;
  /** decoded rdata parts, for the tree and the Info column */
  data: DnsRData;
}

export type DnsRData =
  | { kind: 'a'; addr: string }
  | { kind: 'aaaa'; addr: string }
  | { kind: 'name'; field: string; label: string; name: DnsName }
  | { kind: 'mx'; preference: number; exchange: DnsName }
  | { kind: 'txt'; strings: { offset: number; text: string }[] }
  | {
      kind: 'soa';
      mname: DnsName;
      rname: DnsName;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: DnsName }
  | { kind: 'opt' }
  | { kind: 'raw' };

export interface DnsMessage {
  /** offset of the DNS header in the buffer (after the TCP length prefix, if any) */
  offset: number;
  /** bytes of the message as declared/available */
  length: number;
  id: number;
  flags: number;
  response: boolean;
  opcode: number;
  rcode: number;
  counts: { qd: number; an: number; ns: number; ar: number };
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** set when the message ended before everything its header announced was read */
  malformed?: string;
}

class Truncated extends Error {}

const TYPE_NAMES: Record<number, [string, string]> = {
  1: ['A', 'Host Address'],
  2: ['NS', 'authoritative Name Server'],
  5: ['CNAME', 'Canonical NAME for an alias'],
  6: ['SOA', 'Start Of a zone of Authority'],
  12: ['PTR', 'domain name PoinTeR'],
  15: ['MX', 'Mail eXchange'],
  16: ['TXT', 'Text strings'],
  28: ['AAAA', 'IP6 Address'],
  33: ['SRV', 'Server Selection'],
  41: ['OPT', ''],
  65: ['HTTPS', 'HTTPS Specific Service Endpoints'],
  255: ['ANY', 'Request for all records the server/cache has available'],
};

export function dnsTypeName(t: number): string {
  return TYPE_NAMES[t]?.[0] ?? `Unknown (${t})`;
}

const OPCODES: Record<number, string> = {
  0: 'Standard query',
  1: 'Inverse query',
  2: 'Server status request',
  4: 'Zone change notification',
  5: 'Dynamic update',
};

const RCODES: Record<number, string> = {
  0: 'No error',
  1: 'Format error',
  2: 'Server failure',
  3: 'No such name',
  4: 'Not implemented',
  5: 'Refused',
  6: 'Name exists',
  7: 'RRset exists',
  8: 'RRset does not exist',
  9: 'Not authoritative',
  10: 'Name out of zone',
};

export function dnsRcodeName(r: number): string {
  return RCODES[r] ?? `Unknown (${r})`;
}

function className(c: number): string {
  if (c === 1) return 'IN';
  if (c === 3) return 'CH';
  if (c === 255) return 'ANY';
  return `0x${c.toString(16).padStart(4, '0')}`;
}

function u16(b: Uint8Array, o: number, end: number): number {
  if (o + 2 > end) throw new Truncated(`a 2-byte field at offset ${o} runs past the end`);
  return (b[o] << 8) | b[o + 1];
}
function u32(b: Uint8Array, o: number, end: number): number {
  if (o + 4 > end) throw new Truncated(`a 4-byte field at offset ${o} runs past the end`);
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Reads a possibly compressed name; pointers may only go backwards, which also stops loops. */
export function readDnsName(b: Uint8Array, msgStart: number, at: number, end: number): DnsName {
  const labels: string[] = [];
  let pos = at;
  let length = -1;
  let jumps = 0;
  let total = 0;
  for (;;) {
    if (pos >= end) throw new Truncated(`the name at offset ${at} runs past the end`);
    const len = b[pos];
    if ((len & 0xc0) === 0xc0) {
      if (pos + 2 > end) throw new Truncated(`the name pointer at offset ${pos} runs past the end`);
      const target = msgStart + (((len & 0x3f) << 8) | b[pos + 1]);
      if (length < 0) length = pos + 2 - at;
      // A pointer to itself or forward could loop; real encoders only point backwards.
      if (target >= pos || ++jumps > 64)
        throw new Truncated(`the name pointer at offset ${pos} does not point backwards (compression loop)`);
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new Truncated(`unsupported label type at offset ${pos}`);
    if (len === 0) {
      if (length < 0) length = pos + 1 - at;
      break;
    }
    if (pos + 1 + len > end) throw new Truncated(`the label at offset ${pos} runs past the end`);
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = b[pos + 1 + i];
      s +=
        c > 0x20 && c < 0x7f && c !== 0x2e
          ? String.fromCharCode(c)
          : c === 0x2e
            ? '\\.'
            : `\\${c.toString(8).padStart(3, '0')}`;
    }
    labels.push(s);
    total += len + 1;
    if (total > 255) throw new Truncated(`the name at offset ${at} is longer than 255 bytes`);
    pos += 1 + len;
  }
  return { name: labels.length ? labels.join('.') : '<Root>', length, labels: labels.length };
}

function ipv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952 text form: lower case, longest run of zero groups (length ≥ 2) as "::". */
function readRData(b: Uint8Array, msgStart: number, type: number, o: number, len: number): DnsRData {
  const end = o + len;
  switch (type) {
    case 1:
      return len === 4 ? { kind: 'a', addr: ipv4(b, o) } : { kind: 'raw' };
    case 28:
      return len === 16 ? { kind: 'aaaa', addr: formatIpv6(b, o) } : { kind: 'raw' };
    case 2:
      return { kind: 'name', field: 'dns.ns', label: 'Name Server', name: readDnsName(b, msgStart, o, end) };
    case 5:
      return { kind: 'name', field: 'dns.cname', label: 'CNAME', name: readDnsName(b, msgStart, o, end) };
    case 12:
      return {
        kind: 'name',
        field: 'dns.ptr.domain_name',
        label: 'Domain Name',
        name: readDnsName(b, msgStart, o, end),
      };
    case 15:
      return { kind: 'mx', preference: u16(b, o, end), exchange: readDnsName(b, msgStart, o + 2, end) };
    case 16: {
      const strings: { offset: number; text: string }[] = [];
      let p = o;
      while (p < end) {
        const l = b[p];
        if (p + 1 + l > end) throw new Truncated(`the TXT string at offset ${p} runs past its record`);
        strings.push({ offset: p, text: Buffer.from(b.subarray(p + 1, p + 1 + l)).toString('latin1') });
        p += 1 + l;
      }
      return { kind: 'txt', strings };
    }
    case 6: {
      const mname = readDnsName(b, msgStart, o, end);
      const rname = readDnsName(b, msgStart, o + mname.length, end);
      const p = o + mname.length + rname.length;
      return {
        kind: 'soa',
        mname,
        rname,
        serial: u32(b, p, end),
        refresh: u32(b, p + 4, end),
        retry: u32(b, p + 8, end),
        expire: u32(b, p + 12, end),
        minimum: u32(b, p + 16, end),
      };
    }
    case 33:
      return {
        kind: 'srv',
        priority: u16(b, o, end),
        weight: u16(b, o + 2, end),
        port: u16(b, o + 4, end),
        target: readDnsName(b, msgStart, o + 6, end),
      };
    case 41:
      return { kind: 'opt' };
    default:
      return { kind: 'raw' };
  }
}

/**
 * Parses the DNS message in b[offset, offset+length). Never throws: a message that ends early
 * comes back with `malformed` set and the sections parsed so far.
 */
export function parseDns(b: Uint8Array, offset: number, length: number): DnsMessage {
  const end = Math.min(b.length, offset + Math.max(0, length));
  const m: DnsMessage = {
    offset,
    length: end - offset,
    id: 0,
    flags: 0,
    response: false,
    opcode: 0,
    rcode: 0,
    counts: { qd: 0, an: 0, ns: 0, ar: 0 },
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  try {
    m.id = u16(b, offset, end);
    m.flags = u16(b, offset + 2, end);
    m.response = (m.flags & 0x8000) !== 0;
    m.opcode = (m.flags >> 11) & 0xf;
    m.rcode = m.flags & 0xf;
    m.counts = {
      qd: u16(b, offset + 4, end),
      an: u16(b, offset + 6, end),
      ns: u16(b, offset + 8, end),
      ar: u16(b, offset + 10, end),
    };
    let p = offset + 12;
    for (let i = 0; i < m.counts.qd; i++) {
      const name = readDnsName(b, offset, p, end);
      const q: DnsQuestion = {
        offset: p,
        length: name.length + 4,
        name,
        type: u16(b, p + name.length, end),
        class: u16(b, p + name.length + 2, end),
      };
      m.questions.push(q);
      p += q.length;
    }
    const sections: [number, DnsRecord[]][] = [
      [m.counts.an, m.answers],
      [m.counts.ns, m.authority],
      [m.counts.ar, m.additional],
    ];
    for (const [count, list] of sections) {
      for (let i = 0; i < count; i++) {
        const name = readDnsName(b, offset, p, end);
        const t = p + name.length;
        const type = u16(b, t, end);
        const cls = u16(b, t + 2, end);
        const ttl = u32(b, t + 4, end);
        const rdLength = u16(b, t + 8, end);
        const rdOffset = t + 10;
        if (rdOffset + rdLength > end)
          throw new Truncated(`the record data at offset ${rdOffset} (${rdLength} bytes) runs past the end`);
        const data = readRData(b, offset, type, rdOffset, rdLength);
        list.push({
          offset: p,
          length: rdOffset + rdLength - p,
          name,
          type,
          class: cls,
          ttl,
          rdOffset,
          rdLength,
          data,
        });
        p = rdOffset + rdLength;
      }
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    m.malformed = e.message;
  }
  return m;
}

function rrInfo(r: DnsRecord): string {
  const t = dnsTypeName(r.type);
  const d = r.data;
  switch (d.kind) {
    case 'a':
    case 'aaaa':
      return `${t} ${d.addr}`;
    case 'name':
      return `${t} ${d.name.name}`;
    case 'mx':
      return `${t} ${d.preference} ${d.exchange.name}`;
    case 'soa':
      return `${t} ${d.mname.name}`;
    case 'srv':
      return `${t} ${d.priority} ${d.weight} ${d.port} ${d.target.name}`;
    default:
      return t;
  }
}

/** The Info column as Wireshark writes it. */
export function dnsInfo(m: DnsMessage): string {
  const parts: string[] = [];
  const op = OPCODES[m.opcode] ?? `Unknown operation (${m.opcode})`;
  parts.push(m.response ? `${op} response` : op);
  parts.push(`0x${m.id.toString(16).padStart(4, '0')}`);
  if (m.response && m.rcode !== 0) parts.push(dnsRcodeName(m.rcode));
  for (const q of m.questions) parts.push(`${dnsTypeName(q.type)} ${q.name.name}`);
  // Wireshark lists answers and authority records, but not the additional section (EDNS OPT etc.).
  for (const r of m.answers) parts.push(rrInfo(r));
  for (const r of m.authority) parts.push(rrInfo(r));
  if (m.malformed) parts.push('[Malformed Packet]');
  return parts.join(' ');
}

function ttlText(s: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const out: string[] = [];
  let rest = s;
  for (const [n, u] of units) {
    const k = Math.floor(rest / n);
    if (k > 0) {
      out.push(`${k} ${u}${k === 1 ? '' : 's'}`);
      rest -= k * n;
    }
  }
  return out.length ? out.join(', ') : '0 seconds';
}

function bit(flags: number, mask: number, width: number, label: string): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) {
    const m = 1 << i;
    s += mask & m ? (flags & m ? '1' : '0') : '.';
    if (i % 4 === 0 && i > 0) s += ' ';
  }
  return `${s} = ${label}`;
}

function nameNodes(n: DnsName, at: number, field: string): FieldNode[] {
  return [
    { label: `Name: ${n.name}`, field, value: n.name, offset: at, length: n.length },
    {
      label: `[Name Length: ${n.name === '<Root>' ? 6 : n.name.length}]`,
      offset: at,
      length: 0,
      generated: true,
    },
    { label: `[Label Count: ${n.labels}]`, offset: at, length: 0, generated: true },
  ];
}

function typeLabel(t: number): string {
  const n = TYPE_NAMES[t];
  return n ? `${n[0]}${n[1] ? ` (${n[1]})` : ''} (${t})` : `Unknown (${t})`;
}

function rdataNodes(r: DnsRecord): FieldNode[] {
  const d = r.data;
  const o = r.rdOffset;
  switch (d.kind) {
    case 'a':
      return [{ label: `Address: ${d.addr}`, field: 'dns.a', value: d.addr, offset: o, length: 4 }];
    case 'aaaa':
      return [{ label: `AAAA Address: ${d.addr}`, field: 'dns.aaaa', value: d.addr, offset: o, length: 16 }];
    case 'name':
      return [
        {
          label: `${d.label}: ${d.name.name}`,
          field: d.field,
          value: d.name.name,
          offset: o,
          length: d.name.length,
        },
      ];
    case 'mx':
      return [
        {
          label: `Preference: ${d.preference}`,
          field: 'dns.mx.preference',
          value: d.preference,
          offset: o,
          length: 2,
        },
        {
          label: `Mail Exchange: ${d.exchange.name}`,
          field: 'dns.mx.mail_exchange',
          value: d.exchange.name,
          offset: o + 2,
          length: d.exchange.length,
        },
      ];
    case 'txt':
      return d.strings.flatMap((s) => [
        {
          label: `TXT Length: ${s.text.length}`,
          field: 'dns.txt.length',
          value: s.text.length,
          offset: s.offset,
          length: 1,
        },
        {
          label: `TXT: ${s.text}`,
          field: 'dns.txt',
          value: s.text,
          offset: s.offset + 1,
          length: s.text.length,
        },
      ]);
    case 'soa': {
      const p = o + d.mname.length + d.rname.length;
      return [
        {
          label: `Primary name server: ${d.mname.name}`,
          field: 'dns.soa.mname',
          value: d.mname.name,
          offset: o,
          length: d.mname.length,
        },
        {
          label: `Responsible authority's mailbox: ${d.rname.name}`,
          field: 'dns.soa.rname',
          value: d.rname.name,
          offset: o + d.mname.length,
          length: d.rname.length,
        },
        {
          label: `Serial Number: ${d.serial}`,
          field: 'dns.soa.serial_number',
          value: d.serial,
          offset: p,
          length: 4,
        },
        {
          label: `Refresh Interval: ${d.refresh} (${ttlText(d.refresh)})`,
          field: 'dns.soa.refresh_interval',
          value: d.refresh,
          offset: p + 4,
          length: 4,
        },
        {
          label: `Retry Interval: ${d.retry} (${ttlText(d.retry)})`,
          field: 'dns.soa.retry_interval',
          value: d.retry,
          offset: p + 8,
          length: 4,
        },
        {
          label: `Expire limit: ${d.expire} (${ttlText(d.expire)})`,
          field: 'dns.soa.expire_limit',
          value: d.expire,
          offset: p + 12,
          length: 4,
        },
        {
          label: `Minimum TTL: ${d.minimum} (${ttlText(d.minimum)})`,
          field: 'dns.soa.minimum_ttl',
          value: d.minimum,
          offset: p + 16,
          length: 4,
        },
      ];
    }
    case 'srv':
      return [
        {
          label: `Priority: ${d.priority}`,
          field: 'dns.srv.priority',
          value: d.priority,
          offset: o,
          length: 2,
        },
        { label: `Weight: ${d.weight}`, field: 'dns.srv.weight', value: d.weight, offset: o + 2, length: 2 },
        { label: `Port: ${d.port}`, field: 'dns.srv.port', value: d.port, offset: o + 4, length: 2 },
        {
          label: `Target: ${d.target.name}`,
          field: 'dns.srv.target',
          value: d.target.name,
          offset: o + 6,
          length: d.target.length,
        },
      ];
    default:
      return r.rdLength ? [{ label: `Data (${r.rdLength} bytes)`, offset: o, length: r.rdLength }] : [];
  }
}

function rrSummary(r: DnsRecord): string {
  const base = `${r.name.name}: type ${dnsTypeName(r.type)}, class ${className(r.class)}`;
  const d = r.data;
  switch (d.kind) {
    case 'a':
    case 'aaaa':
      return `${base}, addr ${d.addr}`;
    case 'name':
      return `${base}, ${d.field === 'dns.cname' ? 'cname' : d.field === 'dns.ns' ? 'ns' : ''} ${d.name.name}`.replace(
        ',  ',
        ', ',
      );
    case 'mx':
      return `${base}, preference ${d.preference}, mx ${d.exchange.name}`;
    case 'soa':
      return `${base}, mname ${d.mname.name}`;
    case 'srv':
      return `${base}, priority ${d.priority}, weight ${d.weight}, port ${d.port}, target ${d.target.name}`;
    default:
      return base;
  }
}

function recordNode(r: DnsRecord): FieldNode {
  const p = r.offset + r.name.length;
  return {
    label: rrSummary(r),
    offset: r.offset,
    length: r.length,
    children: [
      ...nameNodes(r.name, r.offset, 'dns.resp.name'),
      { label: `Type: ${typeLabel(r.type)}`, field: 'dns.resp.type', value: r.type, offset: p, length: 2 },
      {
        label: `Class: ${className(r.class)} (0x${r.class.toString(16).padStart(4, '0')})`,
        field: 'dns.resp.class',
        value: r.class,
        offset: p + 2,
        length: 2,
      },
      {
        label: `Time to live: ${r.ttl} (${ttlText(r.ttl)})`,
        field: 'dns.resp.ttl',
        value: r.ttl,
        offset: p + 4,
        length: 4,
      },
      {
        label: `Data length: ${r.rdLength}`,
        field: 'dns.resp.len',
        value: r.rdLength,
        offset: p + 8,
        length: 2,
      },
      ...rdataNodes(r),
    ],
  };
}

export const DNS_MALFORMED: Omit<ExpertItem, 'message'> = {
  id: 'malformed',
  severity: 'error',
  group: 'malformed',
};

export interface DnsTreeOptions {
  /** offset of the 2-byte TCP length prefix, when carried over TCP */
  lengthPrefixAt?: number;
  source?: number;
  /** query/response linking (Wireshark's [Response In], [Request In], [Time]) */
  responseIn?: number;
  requestIn?: number;
  /** seconds between query and response, and the same as text with 9 decimals */
  time?: { seconds: number; text: string };
}

/** The "Domain Name System" subtree; offsets are positions in the buffer that was parsed. */
export function dnsTree(m: DnsMessage, opts: DnsTreeOptions = {}): { node: FieldNode; expert: ExpertItem[] } {
  const o = m.offset;
  const expert: ExpertItem[] = [];
  const kids: FieldNode[] = [];
  if (opts.lengthPrefixAt !== undefined) {
    kids.push({
      label: `Length: ${m.length}`,
      field: 'dns.length',
      value: m.length,
      offset: opts.lengthPrefixAt,
      length: 2,
    });
  }
  if (m.length >= 2)
    kids.push({
      label: `Transaction ID: 0x${m.id.toString(16).padStart(4, '0')}`,
      field: 'dns.id',
      value: m.id,
      offset: o,
      length: 2,
    });
  if (m.length >= 4) {
    const f = m.flags;
    const op = OPCODES[m.opcode] ?? `Unknown operation (${m.opcode})`;
    const flagKids: FieldNode[] = [
      {
        label: bit(f, 0x8000, 16, `Response: Message is a ${m.response ? 'response' : 'query'}`),
        field: 'dns.flags.response',
        value: m.response,
        offset: o + 2,
        length: 2,
      },
      {
        label: bit(f, 0x7800, 16, `Opcode: ${op} (${m.opcode})`),
        field: 'dns.flags.opcode',
        value: m.opcode,
        offset: o + 2,
        length: 2,
      },
    ];
    if (m.response) {
      flagKids.push({
        label: bit(
          f,
          0x0400,
          16,
          `Authoritative: Server is ${f & 0x0400 ? '' : 'not '}an authority for domain`,
        ),
        field: 'dns.flags.authoritative',
        value: (f & 0x0400) !== 0,
        offset: o + 2,
        length: 2,
      });
    }
    flagKids.push(
      {
        label: bit(f, 0x0200, 16, `Truncated: Message is ${f & 0x0200 ? '' : 'not '}truncated`),
        field: 'dns.flags.truncated',
        value: (f & 0x0200) !== 0,
        offset: o + 2,
        length: 2,
      },
      {
        label: bit(f, 0x0100, 16, `Recursion desired: ${f & 0x0100 ? 'Do' : "Don't do"} query recursively`),
        field: 'dns.flags.recdesired',
        value: (f & 0x0100) !== 0,
        offset: o + 2,
        length: 2,
      },
    );
    if (m.response) {
      flagKids.push(
        {
          label: bit(
            f,
            0x0080,
            16,
            `Recursion available: Server can${f & 0x0080 ? '' : "'t"} do recursive queries`,
          ),
          field: 'dns.flags.recavail',
          value: (f & 0x0080) !== 0,
          offset: o + 2,
          length: 2,
        },
        {
          label: bit(f, 0x000f, 16, `Reply code: ${dnsRcodeName(m.rcode)} (${m.rcode})`),
          field: 'dns.flags.rcode',
          value: m.rcode,
          offset: o + 2,
          length: 2,
        },
      );
    }
    const flagsText = m.response ? `${op} response, ${dnsRcodeName(m.rcode)}` : op;
    kids.push({
      label: `Flags: 0x${f.toString(16).padStart(4, '0')} ${flagsText}`,
      field: 'dns.flags',
      value: f,
      offset: o + 2,
      length: 2,
      children: flagKids,
    });
  }
  const counts: [string, string, number, number][] = [
    ['Questions', 'dns.count.queries', m.counts.qd, 4],
    ['Answer RRs', 'dns.count.answers', m.counts.an, 6],
    ['Authority RRs', 'dns.count.auth_rr', m.counts.ns, 8],
    ['Additional RRs', 'dns.count.add_rr', m.counts.ar, 10],
  ];
  for (const [label, field, v, at] of counts) {
    if (m.length >= at + 2)
      kids.push({ label: `${label}: ${v}`, field, value: v, offset: o + at, length: 2 });
  }
  if (m.questions.length) {
    const first = m.questions[0];
    const last = m.questions[m.questions.length - 1];
    kids.push({
      label: 'Queries',
      offset: first.offset,
      length: last.offset + last.length - first.offset,
      children: m.questions.map((q) => ({
        label: `${q.name.name}: type ${dnsTypeName(q.type)}, class ${className(q.class)}`,
        offset: q.offset,
        length: q.length,
        children: [
          ...nameNodes(q.name, q.offset, 'dns.qry.name'),
          {
            label: `Type: ${typeLabel(q.type)}`,
            field: 'dns.qry.type',
            value: q.type,
            offset: q.offset + q.name.length,
            length: 2,
          },
          {
            label: `Class: ${className(q.class)} (0x${q.class.toString(16).padStart(4, '0')})`,
            field: 'dns.qry.class',
            value: q.class,
            offset: q.offset + q.name.length + 2,
            length: 2,
          },
        ],
      })),
    });
  }
  const sections: [string, DnsRecord[]][] = [
    ['Answers', m.answers],
    ['Authoritative nameservers', m.authority],
    ['Additional records', m.additional],
  ];
  for (const [label, list] of sections) {
    if (!list.length) continue;
    const first = list[0];
    const last = list[list.length - 1];
    kids.push({
      label,
      offset: first.offset,
      length: last.offset + last.length - first.offset,
      children: list.map(recordNode),
    });
  }
  if (opts.responseIn !== undefined)
    kids.push({
      label: `[Response In: ${opts.responseIn}]`,
      field: 'dns.response_in',
      value: opts.responseIn,
      offset: o,
      length: 0,
      generated: true,
    });
  if (opts.requestIn !== undefined)
    kids.push({
      label: `[Request In: ${opts.requestIn}]`,
      field: 'dns.response_to',
      value: opts.requestIn,
      offset: o,
      length: 0,
      generated: true,
    });
  if (opts.time)
    kids.push({
      label: `[Time: ${opts.time.text} seconds]`,
      field: 'dns.time',
      value: opts.time.seconds,
      offset: o,
      length: 0,
      generated: true,
    });
  if (m.malformed) {
    const e: ExpertItem = { ...DNS_MALFORMED, message: `Malformed DNS message: ${m.malformed}` };
    expert.push(e);
    kids.push({
      label: `[Malformed Packet: DNS: ${m.malformed}]`,
      offset: o,
      length: 0,
      generated: true,
      expert: e,
    });
  }
  const node: FieldNode = {
    label: `Domain Name System (${m.response ? 'response' : 'query'})`,
    field: 'dns',
    offset: opts.lengthPrefixAt ?? o,
    length: m.offset + m.length - (opts.lengthPrefixAt ?? o),
    children: kids,
  };
  if (opts.source !== undefined) setSource(node, opts.source);
  return { node, expert };
}

function setSource(n: FieldNode, s: number): void {
  n.source = s;
  for (const c of n.children ?? []) setSource(c, s);
}
