// What the store needs from the packet engine, in one narrow interface: the store indexes with
// `index` (sequential, first pass), and builds rows and details on demand with `summary` and
// `dissect` (random access). Keeping the port small lets store tests run on a fake engine.
import type { FieldSource, PacketDetail, PacketSummary } from '../dissect/types.js';
import type { ConversationInfo } from '../dissect/engine.js';
import type { RawPacket } from '../pcap/types.js';

/** The small numbers the first pass yields for one packet. */
export interface IndexInfo {
  /** top protocol id (the Protocol column) */
  protocol: number;
  /** bit i set when protocol id i is present (ids 1..31) */
  protoMask: number;
  /** conversation id, -1 when none */
  conversation: number;
  /** analysis flag bits */
  flags: number;
  /** worst expert severity 0..4 (none, chat, note, warn, error) */
  severity: number;
}

/** One transport conversation as the engine reports it. */
export type { ConversationInfo } from '../dissect/engine.js';

export interface StoreEngine {
  /** first pass, in packet order: updates conversation/analysis state, returns the index row */
  index(raw: RawPacket, no: number): IndexInfo;
  /** the packet-list row (random access; `index` has seen the packet) */
  summary(raw: RawPacket, no: number): PacketSummary;
  /** the full dissection: tree, experts, and the fields a display filter reads */
  dissect(raw: RawPacket, no: number): PacketDetail & { fields: FieldSource };
  /**
   * the field values of one packet without building its tree (what a display filter reads);
   * `wanted` limits the work to those fields. Optional: without it filters use `dissect`.
   */
  fields?(raw: RawPacket, no: number, wanted: ReadonlySet<string>): FieldSource;
  /** protocol id by filter name ("tcp" → 7); 0 when unknown */
  protocolId(name: string): number;
  /** mask bits that mean "a TCP analysis flag is set" (what `tcp.analysis.flags` tests) */
  readonly analysisFlagsMask: number;
  /** every field and protocol name the dissectors declare (for filter checks) */
  fieldNames(): Iterable<string>;
  conversations(): ConversationInfo[];
  /** the store provides earlier frames' bytes for reassembly on random access */
  setFrameFetcher(fetch: (no: number) => RawPacket | undefined): void;
  /** the first packet's timestamp, for relative times (set by the store before indexing) */
  setTimeOrigin?(tsSec: number, tsNsec: number): void;
  /** bytes the engine keeps per indexed frame (frame data, conversations), for the memory figures */
  memoryBytes?(): number;
}
