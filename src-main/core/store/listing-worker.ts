// Worker thread of a parallel listing: reads the whole capture, dissects only its part of the
// packets (partition.ts) and posts its rows in batches, in frame order, to the main thread, which
// merges the parts. At most MAX_IN_FLIGHT batches wait unacknowledged, so a fast worker cannot
// fill the main thread's memory while a slow one catches up.
import { parentPort, workerData } from 'node:worker_threads';
import { PacketLister, openCapture, streamCapture, type ListFormat } from './listing.js';
import type { CaptureFileError } from '../pcap/types.js';

export interface ListingWorkerData {
  file: string;
  format: ListFormat;
  filter: string | null;
  findings: boolean;
  part: { index: number; count: number };
}

export type ListingWorkerMessage =
  | { type: 'rows'; nos: Uint32Array; text: string; ends: Uint32Array }
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
  let nos: number[] = [];
  let rows: string[] = [];
  const post = (): void => {
    if (nos.length === 0) return;
    const text = rows.join('');
    const ends = new Uint32Array(rows.length);
    let at = 0;
    for (let i = 0; i < rows.length; i++) ends[i] = at += rows[i].length;
    const msg: ListingWorkerMessage = { type: 'rows', nos: Uint32Array.from(nos), text, ends };
    port.postMessage(msg, [msg.nos.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
    inFlight++;
    nos = [];
    rows = [];
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
      const row = lister.packet(raw, no);
      if (row === null) return;
      nos.push(no);
      rows.push(row);
      if (nos.length >= BATCH) post();
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
    conversations: lister.conversations(),
    findings: lister.findings,
    failure: f ? { message: f.message, ...(f.hint ? { hint: f.hint } : {}) } : null,
  };
  port.postMessage(end);
}

// the main thread terminates the worker once it has the 'end' message
if (parentPort) void run(workerData as ListingWorkerData);
