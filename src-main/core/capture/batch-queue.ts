// The bounded queue between a capture backend and the consumer (file + store). Whatever the
// traffic, memory stays bounded: when it is full, the OLDEST batch is dropped and counted, so the
// newest traffic (the failure that is happening now) is what the user keeps.
import type { RawPacket } from '../pcap/types.js';

export interface QueuedBatch {
  packets: RawPacket[];
  bytes: number;
}

export class BoundedBatchQueue {
  private items: QueuedBatch[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** packets dropped because the queue was full */
  droppedPackets = 0;
  droppedBatches = 0;

  constructor(
    readonly maxBatches: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  push(batch: QueuedBatch): void {
    this.items.push(batch);
    this.queuedBytes += batch.bytes;
    while (this.length > 1 && (this.length > this.maxBatches || this.queuedBytes > this.maxBytes)) {
      const old = this.items[this.head]!;
      this.items[this.head++] = undefined as unknown as QueuedBatch;
      this.queuedBytes -= old.bytes;
      this.droppedPackets += old.packets.length;
      this.droppedBatches++;
    }
    this.compact();
  }

  shift(): QueuedBatch | undefined {
    if (this.head >= this.items.length) return undefined;
    const b = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as QueuedBatch;
    this.queuedBytes -= b.bytes;
    this.compact();
    return b;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
