// Transport conversations (TCP and UDP 5-tuples) in an allocation-free hash table: the key bytes
// live in one growing Uint8Array, slots in an Int32Array, so the first pass builds no strings and
// no objects per packet (one object per conversation).

import type { ProtocolModule } from '../dissect/registry.js';
import { formatIpv4, formatIpv6 } from '../dissect/engine-context.js';
import type { TcpConvState } from './analysis.js';

const KEY_LEN = 40; // transport(1) netLen(1) addrLo(16) portLo(2) addrHi(16) portHi(2) pad(2)

export class Conversation {
  /** first frame number and last frame number seen */
  firstFrame = 0;
  lastFrame = 0;
  packets = 0;
  bytes = 0;
  /** packets/bytes sent by endpoint A (the one that sent the first packet) */
  packetsAtoB = 0;
  bytesAtoB = 0;
  /** per-protocol conversation data (Wireshark's conversation_add_proto_data) */
  data: Map<string, unknown> | null = null;
  /** dissector changes: from frame `from` on, payload of this conversation goes to `proto` */
  dissectorChanges: { from: number; proto: ProtocolModule }[] | null = null;
  /** TCP sequence analysis / reassembly state (TCP only) */
  tcp: TcpConvState | null = null;

  constructor(
    /** index in the engine's conversation list */
    readonly id: number,
    /** 6 = TCP, 17 = UDP */
    readonly transport: number,
    /** tcp.stream / udp.stream: per-transport index, as Wireshark numbers them */
    readonly stream: number,
    /** 4 or 16 */
    readonly netLen: number,
    readonly addrA: Uint8Array,
    readonly portA: number,
    readonly addrB: Uint8Array,
    readonly portB: number,
  ) {}

  addressText(which: 'a' | 'b'): string {
    const a = which === 'a' ? this.addrA : this.addrB;
    return this.netLen === 4 ? formatIpv4(a, 0) : formatIpv6(a, 0);
  }

  /** The module that takes this conversation's payload at frame `no`, if one was set. */
  dissectorAt(no: number): ProtocolModule | undefined {
    const ch = this.dissectorChanges;
    if (!ch) return undefined;
    let found: ProtocolModule | undefined;
    for (const c of ch) if (c.from <= no) found = c.proto;
    return found;
  }
}

export class ConversationTable {
  private keys = new Uint8Array(KEY_LEN * 1024);
  private slots = new Int32Array(4096).fill(-1);
  /** slot -> index into keys/convs of the entry */
  private count = 0;
  /** entry index -> conversation id (port reuse re-points an entry to a new conversation) */
  private entryConv = new Int32Array(1024);
  private readonly scratch = new Uint8Array(KEY_LEN);
  private lastSwapped = false;
  private lastEntry = -1;

  /**
   * Builds the canonical key for (transport, src, dst) into the scratch buffer; returns whether
   * src was the higher endpoint (so the canonical order swapped them).
   */
  private makeKey(transport: number, netLen: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): boolean {
    let cmp = 0;
    for (let i = 0; i < netLen && cmp === 0; i++) cmp = src[i] - dst[i];
    if (cmp === 0) cmp = sport - dport;
    const swapped = cmp > 0;
    const k = this.scratch;
    k.fill(0);
    k[0] = transport;
    k[1] = netLen;
    const lo = swapped ? dst : src;
    const hi = swapped ? src : dst;
    const loPort = swapped ? dport : sport;
    const hiPort = swapped ? sport : dport;
    for (let i = 0; i < netLen; i++) {
      k[2 + i] = lo[i];
      k[20 + i] = hi[i];
    }
    k[18] = loPort >>> 8;
    k[19] = loPort & 255;
    k[36] = hiPort >>> 8;
    k[37] = hiPort & 255;
    return swapped;
  }

  private hash(): number {
    const k = this.scratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < 38; i++) h = Math.imul(h ^ k[i], 0x01000193);
    return h >>> 0;
  }

  private keyEquals(entry: number): boolean {
    const base = entry * KEY_LEN;
    const k = this.scratch;
    const keys = this.keys;
    for (let i = 0; i < 38; i++) if (keys[base + i] !== k[i]) return false;
    return true;
  }

  /**
   * Finds the conversation id for a 5-tuple; -1 when new. Remembers the entry so that `insert`
   * or `repoint` right after can use it. `swappedOut[0]` tells whether src is the canonical
   * higher endpoint.
   */
  find(transport: number, netLen: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): number {
    this.lastSwapped = this.makeKey(transport, netLen, src, sport, dst, dport);
    const mask = this.slots.length - 1;
    let s = this.hash() & mask;
    for (;;) {
      const e = this.slots[s];
      if (e === -1) {
        this.lastEntry = -1;
        this.pendingSlot = s;
        return -1;
      }
      if (this.keyEquals(e)) {
        this.lastEntry = e;
        return this.entryConv[e];
      }
      s = (s + 1) & mask;
    }
  }
  private pendingSlot = -1;

  /** Whether the src of the last find() was the canonical higher endpoint. */
  get swapped(): boolean {
    return this.lastSwapped;
  }

  /** Adds the key of the last find() (which returned -1) for conversation `conv`. */
  insert(conv: number): void {
    const e = this.count++;
    if ((e + 1) * KEY_LEN > this.keys.length) {
      const nk = new Uint8Array(this.keys.length * 2);
      nk.set(this.keys);
      this.keys = nk;
      const nc = new Int32Array(this.entryConv.length * 2);
      nc.set(this.entryConv);
      this.entryConv = nc;
    }
    this.keys.set(this.scratch, e * KEY_LEN);
    this.entryConv[e] = conv;
    this.slots[this.pendingSlot] = e;
    this.lastEntry = e;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  /** Points the entry of the last find() (which found one) at a new conversation (port reuse). */
  repoint(conv: number): void {
    if (this.lastEntry >= 0) this.entryConv[this.lastEntry] = conv;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    const saved = this.scratch.slice();
    for (let e = 0; e < this.count; e++) {
      this.scratch.set(this.keys.subarray(e * KEY_LEN, e * KEY_LEN + KEY_LEN));
      let s = this.hash() & mask;
      while (slots[s] !== -1) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.scratch.set(saved);
    this.slots = slots;
  }
}
