// Worker thread of a parallel listing: reads the whole capture, dissects only its part of the
// packets (partition.ts) and posts its rows in batches, in frame order, to the main thread, which
// merges the parts. At most MAX_IN_FLIGHT batches wait unacknowledged, so a fast worker cannot
// fill the main thread's memory while a slow one catches up.
import { parentPort, workerData } from 'node:worker_threads';
import { PacketLister, openCapture, streamCapture, type ListFormat } from './listing.js';
import type { CaptureFileError } from '../pcap/types.js';
import { RowBytes } from './row-bytes.js';

export interface ListingWorkerData {
  file: string;
  format: ListFormat;
  filter: string | null;
  findings: boolean;
  part: { index: number; count: number };
}

export type ListingWorkerMessage =
  /** rows already encoded as UTF-8: row i is bytes[ends[i-1] .. ends[i]) */
  | { type: 'rows'; nos: Uint32Array; bytes: Uint8Array; ends: Uint32Array }
  | {
      type: 'end';
      packets: number;
      conversations: unknown[];
      findings: unknown[];
      failure: { message: string; hint?: string } | null;
    };

const BATCH = 2048;
const MAX_IN_FLIGHT = 4;

async function run(data: ListingWorkerData): Promise<void> {
  const port = parentPort!;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port.on('message', (m: { type: string }) => {
    if (m.type === 'ack') {
      inFlight--;
      wake?.();
      wake = null;
    }
  });
  const lister = new PacketLister({
    format: data.format,
    filter: data.filter,
    findings: data.findings,
    part: data.part,
  });
  // rows are encoded here, in the worker, into a buffer that is handed over without a copy
  let nos = new Uint32Array(BATCH);
  let ends = new Uint32Array(BATCH);
  let count = 0;
  const rows = new RowBytes(BATCH * 160);
  const post = (): void => {
    if (count === 0) return;
    const size = Math.max(BATCH * 160, rows.used);
    const bytes = rows.take(size);
    const msg: ListingWorkerMessage = {
      type: 'rows',
      nos: nos.subarray(0, count),
      bytes,
      ends: ends.subarray(0, count),
    };
    port.postMessage(msg, [nos.buffer, ends.buffer, bytes.buffer as ArrayBuffer]);
    inFlight++;
    nos = new Uint32Array(BATCH);
    ends = new Uint32Array(BATCH);
    count = 0;
  };
  let fd: number;
  try {
    fd = openCapture(data.file);
  } catch (e) {
    const err = e as CaptureFileError;
    port.postMessage({
      type: 'end',
      packets: 0,
      conversations: [],
      findings: [],
      failure: { message: err.message },
    });
    return;
  }
  const result = await streamCapture(
    fd,
    data.file,
    (raw, no) => {
      if (!lister.packetInto(raw, no, rows)) return;
      nos[count] = no;
      ends[count++] = rows.used;
      if (count === BATCH) post();
    },
    (info) => lister.addInterface(info),
    async () => {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((res) => (wake = res));
    },
  );
  post();
  const f = result.failure;
  const end: ListingWorkerMessage = {
    type: 'end',
    packets: result.packets,
    // only JSON prints them
    conversations: data.format === 'json' ? lister.conversations() : [],
    findings: lister.findings,
    failure: f ? { message: f.message, ...(f.hint ? { hint: f.hint } : {}) } : null,
  };
  port.postMessage(end);
}

// the main thread terminates the worker once it has the 'end' message
if (parentPort) void run(workerData as ListingWorkerData);
