// Adapts the dissector engine (dissect/engine.ts) to the store's port. Loaded lazily by
// PacketStore so that store tests with a fake engine never load the dissectors.
import { PacketEngine } from '../dissect/engine.js';
import {
  TCP_A_RETRANSMISSION,
  TCP_A_LOST_PACKET,
  TCP_A_ACK_LOST_PACKET,
  TCP_A_KEEP_ALIVE,
  TCP_A_DUPLICATE_ACK,
  TCP_A_ZERO_WINDOW,
  TCP_A_ZERO_WINDOW_PROBE,
  TCP_A_ZERO_WINDOW_PROBE_ACK,
  TCP_A_KEEP_ALIVE_ACK,
  TCP_A_OUT_OF_ORDER,
  TCP_A_FAST_RETRANSMISSION,
  TCP_A_WINDOW_UPDATE,
  TCP_A_WINDOW_FULL,
  TCP_A_REUSED_PORTS,
  TCP_A_SPURIOUS_RETRANSMISSION,
} from '../tcp/analysis.js';
import type { RawPacket } from '../pcap/types.js';
import type { IndexInfo, StoreEngine } from './engine-port.js';

/** Every TCP analysis bit (tcp/analysis.ts TCP_A_*): what `tcp.analysis.flags` tests. */
export const TCP_ANALYSIS_MASK =
  TCP_A_RETRANSMISSION |
  TCP_A_LOST_PACKET |
  TCP_A_ACK_LOST_PACKET |
  TCP_A_KEEP_ALIVE |
  TCP_A_DUPLICATE_ACK |
  TCP_A_ZERO_WINDOW |
  TCP_A_ZERO_WINDOW_PROBE |
  TCP_A_ZERO_WINDOW_PROBE_ACK |
  TCP_A_KEEP_ALIVE_ACK |
  TCP_A_OUT_OF_ORDER |
  TCP_A_FAST_RETRANSMISSION |
  TCP_A_WINDOW_UPDATE |
  TCP_A_WINDOW_FULL |
  TCP_A_REUSED_PORTS |
  TCP_A_SPURIOUS_RETRANSMISSION;

export function createStoreEngine(): StoreEngine {
  let fetcher: ((no: number) => RawPacket | undefined) | undefined;
  const engine = new PacketEngine({ fetchFrame: (no) => fetcher?.(no) });
  const info: IndexInfo = {
    protocol: 0,
    protoMask: 0,
    conversation: -1,
    flags: 0,
    severity: 0,
  };
  return {
    index(raw, no) {
      const f = engine.index(raw, no);
      info.protocol = f.proto;
      info.protoMask = f.protoMask;
      info.conversation = f.conv;
      info.flags = f.flags;
      info.severity = f.severity;
      return info;
    },
    summary: (raw, no) => engine.summary(raw, no),
    dissect: (raw, no) => engine.dissect(raw, no),
    fields: (raw, no, wanted) => engine.fields(raw, no, wanted),
    protocolId: (name) => engine.registry.protocolId(name),
    analysisFlagsMask: TCP_ANALYSIS_MASK,
    *fieldNames() {
      for (const f of engine.registry.fields()) yield f.name;
    },
    conversations: () => engine.conversations(),
    setFrameFetcher(fetch) {
      fetcher = fetch;
    },
  };
}
