// The packet store: compact in-memory index, bytes in the capture file, rows and details on demand.
export {
  PacketStore,
  setDefaultEngineFactory,
  type View,
  type OpenOptions,
  type OpenProgress,
  type FilterOptions,
  type StoreMemory,
} from './packet-store.js';
export type { StoreEngine, IndexInfo, ConversationInfo } from './engine-port.js';
export { INDEX_BYTES_PER_PACKET } from './packet-index.js';
