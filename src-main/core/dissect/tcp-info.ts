// TCP's Info column ("48716 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM"), kept as numbers
// and written only when read: on most segments of a proxied conversation HTTP or TLS replaces it,
// and a streaming listing writes it straight into its output bytes (ctx.writeInfo).
import { infoPiece, type DeferredInfo, type InfoPiece, type InfoSink } from './engine-context.js';
import { tcpFlagsText } from './tcp-flags.js';
import { walkTcpOptions } from './tcp-options.js';

const EMPTY = new Uint8Array(0);

const ARROW = infoPiece(' → ');
const OPEN = infoPiece(' [');
const SEQ = infoPiece('] Seq=');
const ACK = infoPiece(' Ack=');
const WIN = infoPiece(' Win=');
const URG = infoPiece(' Urg=');
const LEN = infoPiece(' Len=');
const MSS = infoPiece(' MSS=');
const WS = infoPiece(' WS=');
const SACK_PERM = infoPiece(' SACK_PERM');
const TSVAL = infoPiece(' TSval=');
const TSECR = infoPiece(' TSecr=');
const SLE = infoPiece(' SLE=');
const SRE = infoPiece(' SRE=');
/** tcpFlagsText() pieces by flag value */
const FLAG_PIECES: InfoPiece[] = [];
function flagsPiece(flags: number): InfoPiece {
  return (FLAG_PIECES[flags] ??= infoPiece(tcpFlagsText(flags)));
}

/** Builds a string through the InfoSink calls, for DeferredInfo.text(). */
class StringSink implements InfoSink {
  s = '';
  text(t: string): void {
    this.s += t;
  }
  uint(v: number): void {
    this.s += v;
  }
  piece(p: InfoPiece): void {
    this.s += p.text;
  }
}

export class TcpInfo implements DeferredInfo {
  sport = 0;
  dport = 0;
  flags = 0;
  seq = 0;
  /** -1: no ACK flag, no Ack= */
  ack = -1;
  win = 0;
  /** -1: no URG flag, no Urg= */
  urg = -1;
  len = 0;
  /** the options' bytes (data[optStart, optEnd)), only read while the frame is being dissected */
  data: Uint8Array = EMPTY;
  optStart = 0;
  optEnd = 0;
  /** base sequence number of the other direction (SACK edges are relative to it), -1 unknown */
  revBase = -1;

  text(): string {
    const sink = new StringSink();
    this.writeTo(sink);
    return sink.s;
  }

  writeTo(out: InfoSink): void {
    out.uint(this.sport);
    out.piece(ARROW);
    out.uint(this.dport);
    out.piece(OPEN);
    out.piece(flagsPiece(this.flags & 0x1ff));
    out.piece(SEQ);
    out.uint(this.seq);
    if (this.ack >= 0) {
      out.piece(ACK);
      out.uint(this.ack);
    }
    out.piece(WIN);
    out.uint(this.win);
    if (this.urg >= 0) {
      out.piece(URG);
      out.uint(this.urg);
    }
    out.piece(LEN);
    out.uint(this.len);
    if (this.optEnd > this.optStart) this.options(out);
  }

  /** What tshark appends for the options: MSS, WS, SACK_PERM, TSval/TSecr, SACK edges. */
  private options(out: InfoSink): void {
    this.sink = out;
    walkTcpOptions(this.data, this.optStart, this.optEnd, this.option);
  }
  /** the sink options() writes to (a field, so that `option` is made once, not per packet) */
  private sink: InfoSink | null = null;
  private readonly option = (d: Uint8Array, kind: number, p: number, len: number): void => {
    const out = this.sink!;
    if (kind === 2 && len === 4) {
      out.piece(MSS);
      out.uint((d[p + 2] << 8) | d[p + 3]);
    } else if (kind === 3 && len === 3) {
      out.piece(WS);
      out.uint(2 ** Math.min(d[p + 2], 14));
    } else if (kind === 4 && len === 2) out.piece(SACK_PERM);
    else if (kind === 8 && len === 10) {
      out.piece(TSVAL);
      out.uint(u32(d, p + 2));
      out.piece(TSECR);
      out.uint(u32(d, p + 6));
    } else if (kind === 5 && len >= 10) {
      const revBase = this.revBase;
      for (let q = p + 2; q + 8 <= p + len; q += 8) {
        out.piece(SLE);
        out.uint(revBase >= 0 ? (u32(d, q) - revBase) >>> 0 : u32(d, q));
        out.piece(SRE);
        out.uint(revBase >= 0 ? (u32(d, q + 4) - revBase) >>> 0 : u32(d, q + 4));
      }
    }
  };
}

function u32(d: Uint8Array, p: number): number {
  return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
}
