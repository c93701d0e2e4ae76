// Diagnosis of a capture file (pcap or pcapng): read every packet, take its facts from the packet
// engine, diagnose.
import { readCaptureFile } from '../pcap/file-reader.js';
import type { RawPacket } from '../pcap/types.js';
import {
  combineDiagnosis,
  diagnoseConversations,
  type DiagnoseOptions,
  type DiagnosisPart,
  type DiagnosisResult,
} from './diagnose.js';
import { EngineFactSource, R_ACK, R_FIN, R_RST, R_SYN, recordSender, TcpFactLog } from './engine-facts.js';
import type { PacketFacts } from './facts.js';

export { rawPacketFacts } from './engine-facts.js';

/** Facts of every packet of a capture file, frame numbers from 1. */
export async function captureFileFacts(path: string, signal?: AbortSignal): Promise<PacketFacts[]> {
  const src = new EngineFactSource();
  const facts: PacketFacts[] = [];
  await readCaptureFile(
    path,
    (p: RawPacket) => {
      facts.push(src.push(p, facts.length + 1));
    },
    signal ? { signal } : {},
  );
  return facts;
}

/** Reads a capture file and diagnoses its conversations to the proxy (bounded memory). */
export async function diagnoseCaptureFile(
  path: string,
  opts: DiagnoseOptions = {},
  signal?: AbortSignal,
): Promise<DiagnosisResult> {
  const d = new CaptureDiagnosis(opts);
  let no = 0;
  await readCaptureFile(path, (p: RawPacket) => d.push(p, ++no), signal ? { signal } : {});
  return d.finish();
}

interface Bucket {
  /** the engine's conversation id */
  key: number;
  /** its packets (numbers until the conversation is diagnosed) */
  log: TcpFactLog;
  /** relevance: undecided until the client's first request (or a few payload packets) */
  state: 'undecided' | 'keep' | 'ignore';
  payloadPackets: number;
  finFrom: Set<string>;
  closedAt?: number;
  last: number;
}

/** Seconds a closed conversation waits for its last stray packets before it is diagnosed. */
const LINGER_SECONDS = 5;

/**
 * Diagnosis fed one packet at a time (a streaming file reader or a live capture) with bounded
 * memory: each conversation's facts are held only until it has been closed for a few seconds,
 * then it is diagnosed and its facts dropped; conversations that are not proxied (no CONNECT, not
 * to the given proxy) are dropped as soon as their first request shows it. Same result as
 * diagnosePackets over all facts.
 */
export class CaptureDiagnosis {
  private src = new EngineFactSource();
  private buckets = new Map<number, Bucket>();
  private closing: Bucket[] = [];
  private retired = new Set<number>();
  private side: PacketFacts[] = [];
  /** the parts of the conversations judged so far, as one (a part per conversation would cost
   * seven arrays each) */
  private readonly judged: DiagnosisPart = {
    ladders: [],
    findings: [],
    firstFrames: [],
    tunnels: [],
    credentialed: [],
    otherProxies: [],
    proxies: [],
  };
  /** handshake-only conversations kept to the end (a proxy may be inferred only later) */
  private deferred: PacketFacts[] = [];
  private lastTime = 0;
  constructor(private readonly opts: DiagnoseOptions = {}) {}

  push(raw: RawPacket, no: number): void {
    const other = this.src.read(raw, no);
    if (other) {
      if (other.icmp || other.dns) this.side.push(other);
      return;
    }
    // a TCP packet: its facts stay numbers (TcpRecord) until its conversation is diagnosed
    const r = this.src.tcp;
    this.lastTime = r.time;
    const key = this.src.conv;
    const isSyn = (r.bits & R_SYN) !== 0 && (r.bits & R_ACK) === 0;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // a stray packet of a conversation already diagnosed
      if (this.retired.has(key) && !isSyn) return;
      bucket = {
        key,
        log: new TcpFactLog(r.a, r.b, r.portA, r.portB),
        state: this.toProxy(r.portA, r.portB) ? 'keep' : 'undecided',
        payloadPackets: 0,
        finFrom: new Set(),
        last: r.time,
      };
      this.buckets.set(key, bucket);
    }
    bucket.last = r.time;
    if (bucket.state !== 'ignore') bucket.log.add(r);
    if (bucket.state === 'undecided') {
      const req = r.http?.request;
      if (req) this.decide(bucket, req.method.toUpperCase() === 'CONNECT');
      else if (r.len > 0 && ++bucket.payloadPackets >= 4) this.decide(bucket, false);
    }
    if (bucket.closedAt === undefined) {
      if (r.bits & R_FIN) {
        const s = recordSender(r);
        bucket.finFrom.add(`${s.src}|${s.srcPort}`);
      }
      if (r.bits & R_RST || bucket.finFrom.size === 2) {
        bucket.closedAt = r.time;
        this.closing.push(bucket);
      }
    }
    while (this.closing.length && this.closing[0]!.closedAt! + LINGER_SECONDS < r.time)
      this.retire(this.closing.shift()!);
  }

  private toProxy(portA: number, portB: number): boolean {
    const p = this.opts.proxy;
    return !!p && (portA === p.port || portB === p.port);
  }

  private decide(b: Bucket, proxied: boolean): void {
    b.state = proxied ? 'keep' : 'ignore';
    if (!proxied) {
      b.log = new TcpFactLog('', '', 0, 0);
      this.src.ignore(b.key);
    }
  }

  private retire(b: Bucket): void {
    if (this.buckets.get(b.key) !== b) return;
    this.buckets.delete(b.key);
    this.retired.add(b.key);
    this.src.forget(b.key);
    if (b.state === 'ignore' || !b.log.length) return;
    if (b.state === 'undecided') {
      // no request seen: only a proxy inferred from other conversations can claim it (with a
      // given proxy, an undecided conversation is not to it)
      // a loop, not push(...facts): a long conversation spread as arguments overflows the stack
      if (!this.opts.proxy) for (let i = 0; i < b.log.length; i++) this.deferred.push(b.log.facts(i));
      return;
    }
    this.add(diagnoseConversations(this.withIcmp(b.log.all()), this.opts, b.last));
  }

  /** Appends a part to the judged ones (its conversation numbers follow theirs). */
  private add(p: DiagnosisPart): void {
    const j = this.judged;
    const offset = j.ladders.length;
    for (const f of p.findings) {
      if (f.conversation !== undefined) f.conversation += offset;
      j.findings.push(f);
    }
    // loops, not push(...array): a big part spread as arguments overflows the stack
    for (const l of p.ladders) j.ladders.push(l);
    for (const n of p.firstFrames) j.firstFrames.push(n);
    for (const n of p.tunnels) j.tunnels.push(n);
    for (const n of p.credentialed) j.credentialed.push(n);
    for (const o of p.otherProxies) j.otherProxies.push(o);
    for (const e of p.proxies) j.proxies.push(e);
  }

  /** A conversation's facts and the ICMP errors about it. */
  private withIcmp(facts: PacketFacts[]): PacketFacts[] {
    for (const s of this.icmpAbout(facts[0]!)) facts.push(s);
    return facts;
  }

  private icmpAbout(f: PacketFacts): PacketFacts[] {
    return this.side.filter((s) => {
      const i = s.icmp?.inner;
      if (!i) return false;
      const fwd = i.src === f.src && i.dst === f.dst && (i.srcPort === undefined || i.srcPort === f.srcPort);
      const rev = i.src === f.dst && i.dst === f.src && (i.srcPort === undefined || i.srcPort === f.dstPort);
      return fwd || rev;
    });
  }

  finish(): DiagnosisResult {
    for (const b of [...this.buckets.values()]) {
      if (b.state === 'ignore' || !b.log.length) continue;
      if (b.state === 'undecided') {
        if (!this.opts.proxy) for (let i = 0; i < b.log.length; i++) this.deferred.push(b.log.facts(i));
      } else this.add(diagnoseConversations(this.withIcmp(b.log.all()), this.opts, this.lastTime));
    }
    this.buckets.clear();
    if (this.deferred.length) {
      const known = this.judged.proxies;
      const facts = [...this.deferred, ...this.side.filter((s) => s.icmp)].sort((x, y) => x.no - y.no);
      this.add(diagnoseConversations(facts, this.opts, this.lastTime, known));
      this.deferred = [];
    }
    return combineDiagnosis([this.judged], this.side, this.opts);
  }
}
