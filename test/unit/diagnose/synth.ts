// Builds synthetic packet facts for one client ↔ proxy conversation, keeping sequence numbers
// consistent so the diagnosis's own TCP analysis sees a realistic exchange.
import type { HttpFacts, PacketFacts, TlsFacts } from '../../../src-main/core/diagnose/facts.js';

type Flags = { syn?: boolean; ack?: boolean; fin?: boolean; rst?: boolean };
interface Opts extends Flags {
  len?: number;
  http?: HttpFacts;
  tls?: TlsFacts;
  mss?: number;
  window?: number;
  /** send with this sequence offset instead of the next one (retransmissions, holes) */
  seq?: number;
  dt?: number;
  payload?: Uint8Array;
  /** don't advance this side's sequence (a segment that will be lost) */
}

export class Synth {
  facts: PacketFacts[] = [];
  time = 0;
  private seq = { c: 1000, p: 50000 };
  private next = { c: 1000, p: 50000 };
  private acked = { c: 0, p: 0 };
  constructor(
    readonly client = '10.40.40.1',
    readonly cport = 48716,
    readonly proxy = '10.10.10.1',
    readonly pport = 80,
    readonly shared?: Synth,
  ) {}
  private push(f: PacketFacts): PacketFacts {
    const list = this.shared ? this.shared.facts : this.facts;
    f.no = list.length + 1;
    list.push(f);
    return f;
  }
  private send(side: 'c' | 'p', o: Opts): PacketFacts {
    const base = this.shared ?? this;
    base.time += o.dt ?? 0.01;
    const len = o.len ?? 0;
    const seq = o.seq !== undefined ? o.seq : this.next[side];
    const other = side === 'c' ? 'p' : 'c';
    const f: PacketFacts = {
      no: 0,
      time: base.time,
      src: side === 'c' ? this.client : this.proxy,
      dst: side === 'c' ? this.proxy : this.client,
      srcPort: side === 'c' ? this.cport : this.pport,
      dstPort: side === 'c' ? this.pport : this.cport,
      ipLength: 52 + len,
      tcp: {
        syn: !!o.syn,
        ack: o.ack ?? (!o.syn || side === 'p'),
        fin: !!o.fin,
        rst: !!o.rst,
        seq: seq >>> 0,
        ackNo: this.next[other] >>> 0,
        payloadLength: len,
        window: o.window ?? 64000,
      },
    };
    if (o.syn && side === 'c') f.tcp!.ack = false;
    if (o.mss !== undefined) f.tcp!.mss = o.mss;
    if (o.payload) f.tcp!.payload = o.payload;
    if (o.http) f.http = o.http;
    if (o.tls) f.tls = o.tls;
    const end = seq + len + (o.syn ? 1 : 0) + (o.fin ? 1 : 0);
    if (end > this.next[side]) this.next[side] = end;
    return this.push(f);
  }
  c(o: Opts = {}) {
    return this.send('c', o);
  }
  p(o: Opts = {}) {
    return this.send('p', o);
  }
  /** the next sequence number of a side (to build holes and retransmissions) */
  nextSeq(side: 'c' | 'p') {
    return this.next[side];
  }
  setNext(side: 'c' | 'p', v: number) {
    this.next[side] = v;
  }
  handshake(mssC = 1460, mssP = 1460) {
    this.c({ syn: true, mss: mssC });
    this.p({ syn: true, ack: true, mss: mssP });
    this.c({});
  }
  connect(
    opts: { auth?: string; code?: number; phrase?: string; schemes?: string[]; proxyError?: string } = {},
  ) {
    const req: HttpFacts['request'] = { method: 'CONNECT', uri: 'tools.cisco.com:443' };
    if (opts.auth) req.proxyAuthorization = opts.auth;
    const r = this.c({ len: 122, http: { request: req } });
    const res: NonNullable<HttpFacts['response']> = {
      code: opts.code ?? 200,
      phrase: opts.phrase ?? 'Connection established',
    };
    if (opts.schemes) res.proxyAuthenticate = opts.schemes;
    if (opts.proxyError) res.proxyError = opts.proxyError;
    const a = this.p({ len: 39, http: { response: res } });
    return { r, a };
  }
  tlsHandshake13() {
    const ch = this.c({ len: 517, tls: { contentTypes: [22], handshakeTypes: [1], sni: 'tools.cisco.com' } });
    const sh = this.p({
      len: 1400,
      tls: { contentTypes: [22, 20, 23], handshakeTypes: [2], serverVersion: 0x0304 },
    });
    const fin = this.c({ len: 80, tls: { contentTypes: [20, 23], handshakeTypes: [] } });
    return { ch, sh, fin };
  }
  appData() {
    const req = this.c({ len: 100, tls: { contentTypes: [23], handshakeTypes: [] } });
    const res = this.p({ len: 300, tls: { contentTypes: [23], handshakeTypes: [] } });
    this.c({});
    return { req, res };
  }
  closeByClient() {
    this.c({ fin: true });
    this.p({ fin: true });
    this.c({});
  }
}
