// Transport conversations (TCP and UDP 5-tuples) in an allocation-free hash table: the key bytes
// live in one growing Uint8Array, slots in an Int32Array, so the first pass builds no strings and
// no objects per packet (one object per conversation).

import type { ProtocolModule } from '../dissect/registry.js';
import { formatIpv4, formatIpv6 } from '../dissect/engine-context.js';
import type { TcpConvState } from './analysis.js';

const KEY_WORDS = 10; // transport|netLen, addrLo(4 words), addrHi(4 words), portLo<<16|portHi

/**
 * The addresses of every conversation in one growing byte array: a Uint8Array per conversation
 * costs ~180 bytes of object overhead for 8 bytes of IPv4 addresses.
 */
export class AddressPool {
  bytes = new Uint8Array(8 * 1024);
  private used = 0;
  /** Appends src then dst (len bytes each); returns where they start. */
  add(src: Uint8Array, dst: Uint8Array, len: number): number {
    if (this.used + 2 * len > this.bytes.length) {
      const a = new Uint8Array(Math.max(this.bytes.length * 2, this.used + 2 * len));
      a.set(this.bytes.subarray(0, this.used));
      this.bytes = a;
    }
    const at = this.used;
    this.bytes.set(src.subarray(0, len), at);
    this.bytes.set(dst.subarray(0, len), at + len);
    this.used += 2 * len;
    return at;
  }
}

export class Conversation {
  /** first frame number and last frame number seen */
  firstFrame = 0;
  /** seconds since the capture's first packet, of the conversation's first packet */
  firstTime = 0;
  lastFrame = 0;
  packets = 0;
  bytes = 0;
  /** packets/bytes sent by endpoint A (the one that sent the first packet) */
  packetsAtoB = 0;
  bytesAtoB = 0;
  /** per-protocol conversation data (Wireshark's conversation_add_proto_data): [name, value, …] */
  private protoData: unknown[] | null = null;
  /** dissector changes, flat: [from, proto, from, proto, …] (from frame `from` on, payload goes to `proto`) */
  private changes: (number | ProtocolModule)[] | null = null;
  /** TCP sequence analysis / reassembly state (TCP only) */
  tcp: TcpConvState | null = null;
  /** its TCP and application state was let go after it ended (PacketEngine.releaseConversation) */
  released = false;

  constructor(
    /** index in the engine's conversation list */
    readonly id: number,
    /** 6 = TCP, 17 = UDP */
    readonly transport: number,
    /** tcp.stream / udp.stream: per-transport index, as Wireshark numbers them */
    readonly stream: number,
    /** 4 or 16 */
    readonly netLen: number,
    /** where the addresses are kept: A then B, netLen bytes each, at `addrAt` (shared by all conversations) */
    private readonly pool: AddressPool,
    private readonly addrAt: number,
    readonly portA: number,
    readonly portB: number,
  ) {}

  /** The addresses, A then B (netLen bytes each): a view into the shared pool. */
  get addrs(): Uint8Array {
    return this.pool.bytes.subarray(this.addrAt, this.addrAt + 2 * this.netLen);
  }

  /** Whether (src, sport) is endpoint A. */
  isFromA(src: Uint8Array, sport: number): boolean {
    if (sport !== this.portA) return false;
    const a = this.pool.bytes;
    const at = this.addrAt;
    for (let i = 0; i < this.netLen; i++) if (src[i] !== a[at + i]) return false;
    return true;
  }

  /** Conversation data of a protocol (a flat list: conversations hold one or two, a Map costs more). */
  getData(proto: string): unknown {
    const d = this.protoData;
    if (d) for (let i = 0; i < d.length; i += 2) if (d[i] === proto) return d[i + 1];
    return undefined;
  }
  setData(proto: string, value: unknown): void {
    const d = this.protoData;
    if (d) {
      for (let i = 0; i < d.length; i += 2) {
        if (d[i] === proto) {
          d[i + 1] = value;
          return;
        }
      }
    }
    // a new array of the exact size: push() would reserve room for 16 more slots per conversation
    this.protoData = d ? [...d, proto, value] : [proto, value];
  }

  addressText(which: 'a' | 'b'): string {
    const at = this.addrAt + (which === 'a' ? 0 : this.netLen);
    return this.netLen === 4 ? formatIpv4(this.pool.bytes, at) : formatIpv6(this.pool.bytes, at);
  }

  /** From frame `from` on, this conversation's payload goes to `proto`. */
  addDissector(from: number, proto: ProtocolModule): void {
    this.changes = this.changes ? [...this.changes, from, proto] : [from, proto];
  }

  /** The dissector changes in the order made (a copy). */
  get dissectorChanges(): { from: number; proto: ProtocolModule }[] | null {
    const ch = this.changes;
    if (!ch) return null;
    const out: { from: number; proto: ProtocolModule }[] = [];
    for (let i = 0; i < ch.length; i += 2)
      out.push({ from: ch[i] as number, proto: ch[i + 1] as ProtocolModule });
    return out;
  }

  /** The module that takes this conversation's payload at frame `no`, if one was set. */
  dissectorAt(no: number): ProtocolModule | undefined {
    const ch = this.changes;
    if (!ch) return undefined;
    let found: ProtocolModule | undefined;
    for (let i = 0; i < ch.length; i += 2) if ((ch[i] as number) <= no) found = ch[i + 1] as ProtocolModule;
    return found;
  }
}

export class ConversationTable {
  /** entry keys: KEY_WORDS int32 words each */
  private keys = new Int32Array(KEY_WORDS * 1024);
  /** hash slots: entry index or -1 */
  private slots = new Int32Array(4096).fill(-1);
  private count = 0;
  /** entry index -> conversation id (port reuse re-points an entry to a new conversation) */
  private entryConv = new Int32Array(1024);
  private readonly key = new Int32Array(KEY_WORDS);
  private pendingSlot = -1;
  private lastEntry = -1;

  /** Builds the canonical key (lower endpoint first) of (transport, src, dst) into this.key. */
  private makeKey(
    transport: number,
    netLen: number,
    src: Uint8Array,
    sport: number,
    dst: Uint8Array,
    dport: number,
  ): void {
    let cmp = 0;
    for (let i = 0; i < netLen; i++) {
      cmp = src[i] - dst[i];
      if (cmp !== 0) break;
    }
    if (cmp === 0) cmp = sport - dport;
    const k = this.key;
    k[0] = (transport << 8) | netLen;
    const words = netLen >> 2;
    if (cmp <= 0) {
      for (let w = 0; w < 4; w++) {
        k[1 + w] = w < words ? word(src, w * 4) : 0;
        k[5 + w] = w < words ? word(dst, w * 4) : 0;
      }
      k[9] = (sport << 16) | dport;
    } else {
      for (let w = 0; w < 4; w++) {
        k[1 + w] = w < words ? word(dst, w * 4) : 0;
        k[5 + w] = w < words ? word(src, w * 4) : 0;
      }
      k[9] = (dport << 16) | sport;
    }
  }

  private hash(): number {
    const k = this.key;
    let h = 0x9e3779b9;
    if ((k[0] & 0xff) === 4) {
      // IPv4: the other address words are always 0
      h = mix(h, k[0]);
      h = mix(h, k[1]);
      h = mix(h, k[5]);
      h = mix(h, k[9]);
    } else for (let i = 0; i < KEY_WORDS; i++) h = mix(h, k[i]);
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private keyEquals(entry: number): boolean {
    const base = entry * KEY_WORDS;
    const k = this.key;
    const keys = this.keys;
    if (keys[base] !== k[0] || keys[base + 9] !== k[9] || keys[base + 1] !== k[1] || keys[base + 5] !== k[5])
      return false;
    if ((k[0] & 0xff) === 4) return true;
    for (let i = 2; i < 9; i++) if (keys[base + i] !== k[i]) return false;
    return true;
  }

  /**
   * Finds the conversation id for a 5-tuple; -1 when new. Remembers the entry/slot so that
   * `insert` or `repoint` right after can use it.
   */
  find(
    transport: number,
    netLen: number,
    src: Uint8Array,
    sport: number,
    dst: Uint8Array,
    dport: number,
  ): number {
    this.makeKey(transport, netLen, src, sport, dst, dport);
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

  /** Adds the key of the last find() (which returned -1) for conversation `conv`. */
  insert(conv: number): void {
    const e = this.count++;
    if ((e + 1) * KEY_WORDS > this.keys.length) {
      const nk = new Int32Array(this.keys.length * 2);
      nk.set(this.keys);
      this.keys = nk;
      const nc = new Int32Array(this.entryConv.length * 2);
      nc.set(this.entryConv);
      this.entryConv = nc;
    }
    this.keys.set(this.key, e * KEY_WORDS);
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
    const saved = this.key.slice();
    for (let e = 0; e < this.count; e++) {
      this.key.set(this.keys.subarray(e * KEY_WORDS, e * KEY_WORDS + KEY_WORDS));
      let s = this.hash() & mask;
      while (slots[s] !== -1) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.key.set(saved);
    this.slots = slots;
  }
}

function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function word(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
