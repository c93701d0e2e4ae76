// Adapts the dissector engine (dissect/engine.ts) to the store's port. Loaded lazily by
// PacketStore so that store tests with a fake engine never load the dissectors.
import { PacketEngine } from "../dissect/engine.js";
import { FLAG_MALFORMED } from "../dissect/engine-context.js";
import type { RawPacket } from "../pcap/types.js";
import type { IndexInfo, StoreEngine } from "./engine-port.js";

/** Every analysis bit (tcp/analysis.ts TCP_A_*) — all flag bits but the malformed marker. */
const ANALYSIS_MASK = ~FLAG_MALFORMED & 0x3fffffff;

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
    protocolId: (name) => engine.registry.protocolId(name),
    analysisFlagsMask: ANALYSIS_MASK,
    *fieldNames() {
      for (const f of engine.registry.fields()) yield f.name;
    },
    conversations: () => engine.conversations(),
    setFrameFetcher(fetch) {
      fetcher = fetch;
    },
  };
}
