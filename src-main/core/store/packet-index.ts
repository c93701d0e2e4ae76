// The in-memory index of a capture: one row of small numbers per packet, in typed arrays grouped
// in fixed-size chunks. Chunks (not one doubling array) keep memory at the exact row count plus at
// most one partly filled chunk, and growing never copies what is already indexed.

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/** Bytes of index memory per packet, column by column (see IndexChunk). */
export const INDEX_BYTES_PER_PACKET = 8 + 4 + 4 + 4 + 4 + 2 + 2 + 4 + 4 + 4 + 1;

class IndexChunk {
  /** byte offset of the packet data in the capture file (Float64: files beyond 4 GB) */
  readonly dataOffset = new Float64Array(CHUNK_SIZE);
  readonly tsSec = new Uint32Array(CHUNK_SIZE);
  readonly tsNsec = new Uint32Array(CHUNK_SIZE);
  readonly capturedLength = new Uint32Array(CHUNK_SIZE);
  readonly originalLength = new Uint32Array(CHUNK_SIZE);
  readonly interfaceId = new Uint16Array(CHUNK_SIZE);
  /** the engine's top protocol id (Protocol column) */
  readonly protocol = new Uint16Array(CHUNK_SIZE);
  /** bit i set = protocol id i present (ids 1..31) */
  readonly protoMask = new Uint32Array(CHUNK_SIZE);
  /** conversation id + 1 (0 = no conversation) */
  readonly conversation = new Uint32Array(CHUNK_SIZE);
  /** TCP analysis and other flag bits from the engine */
  readonly flags = new Uint32Array(CHUNK_SIZE);
  /** worst expert severity: 0 none, 1 chat, 2 note, 3 warn, 4 error */
  readonly severity = new Uint8Array(CHUNK_SIZE);
}

export interface IndexRow {
  dataOffset: number;
  tsSec: number;
  tsNsec: number;
  capturedLength: number;
  originalLength: number;
  interfaceId: number;
  protocol: number;
  protoMask: number;
  /** -1 when the packet belongs to no conversation */
  conversation: number;
  flags: number;
  severity: number;
}

export class PacketIndex {
  private readonly chunks: IndexChunk[] = [];
  private n = 0;

  get count(): number {
    return this.n;
  }

  /** Appends one packet; returns its 1-based packet number. */
  push(r: IndexRow): number {
    const i = this.n;
    const ci = i >>> CHUNK_BITS;
    if (ci === this.chunks.length) this.chunks.push(new IndexChunk());
    const c = this.chunks[ci];
    const j = i & CHUNK_MASK;
    c.dataOffset[j] = r.dataOffset;
    c.tsSec[j] = r.tsSec;
    c.tsNsec[j] = r.tsNsec;
    c.capturedLength[j] = r.capturedLength;
    c.originalLength[j] = r.originalLength;
    c.interfaceId[j] = r.interfaceId;
    c.protocol[j] = r.protocol;
    c.protoMask[j] = r.protoMask;
    c.conversation[j] = r.conversation + 1;
    c.flags[j] = r.flags;
    c.severity[j] = r.severity;
    this.n = i + 1;
    return i + 1;
  }

  private at(no: number): [IndexChunk, number] {
    if (!(no >= 1 && no <= this.n))
      throw new RangeError(`packet ${no} does not exist (the capture has ${this.n})`);
    const i = no - 1;
    return [this.chunks[i >>> CHUNK_BITS], i & CHUNK_MASK];
  }

  /** The whole row of packet `no` (1-based). */
  row(no: number): IndexRow {
    const [c, j] = this.at(no);
    return {
      dataOffset: c.dataOffset[j],
      tsSec: c.tsSec[j],
      tsNsec: c.tsNsec[j],
      capturedLength: c.capturedLength[j],
      originalLength: c.originalLength[j],
      interfaceId: c.interfaceId[j],
      protocol: c.protocol[j],
      protoMask: c.protoMask[j],
      conversation: c.conversation[j] - 1,
      flags: c.flags[j],
      severity: c.severity[j],
    };
  }

  protoMask(no: number): number {
    const i = no - 1;
    return this.chunks[i >>> CHUNK_BITS].protoMask[i & CHUNK_MASK];
  }
  flags(no: number): number {
    const i = no - 1;
    return this.chunks[i >>> CHUNK_BITS].flags[i & CHUNK_MASK];
  }
  severity(no: number): number {
    const i = no - 1;
    return this.chunks[i >>> CHUNK_BITS].severity[i & CHUNK_MASK];
  }
  originalLength(no: number): number {
    const i = no - 1;
    return this.chunks[i >>> CHUNK_BITS].originalLength[i & CHUNK_MASK];
  }
  capturedLength(no: number): number {
    const i = no - 1;
    return this.chunks[i >>> CHUNK_BITS].capturedLength[i & CHUNK_MASK];
  }
  conversation(no: number): number {
    const i = no - 1;
    return this.chunks[i >>> CHUNK_BITS].conversation[i & CHUNK_MASK] - 1;
  }

  /** Bytes the index holds now (allocated chunks), for the memory figures. */
  get memoryBytes(): number {
    return this.chunks.length * CHUNK_SIZE * INDEX_BYTES_PER_PACKET;
  }
}
