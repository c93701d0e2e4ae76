// The capture helper: a small child process (forked by cap-backend.ts; in the packaged app an
// Electron utilityProcess) that is the only one needing capture rights. It runs the `cap` libpcap
// binding, which must live in its own process: in a worker_thread it delivers nothing and crashes.
//
// cap gives no packet timestamps: each packet is stamped when cap dispatches it to JavaScript,
// with performance.now() (monotonic, sub-microsecond) anchored to Date.now() once at start. cap also reuses one
// buffer for every packet, so each packet is copied into the batch before the callback returns.
import { createRequire } from 'node:module';
import { BatchEncoder } from './batch-codec.js';
import type { FromHelper, HelperInterface, OpenRequest, ToHelper } from './helper-protocol.js';
import { CAP_SNAPLEN, capLinkTypeNumber, inferOriginalLength } from './link-length.js';

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
}
interface CapModule {
  Cap: {
    new (): CapHandle;
    deviceList(): {
      name: string;
      description?: string;
      addresses: HelperInterface['addresses'];
      flags?: string;
    }[];
  };
}

/** Electron's utilityProcess gives the child a MessagePort-like parentPort instead of process.send */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: FromHelper, cb?: (err: Error | null) => void): boolean {
  if (parentPort) {
    parentPort.postMessage(msg);
    if (cb) setImmediate(() => cb(null));
    return true;
  }
  if (!process.send || !process.connected) return false;
  return process.send(msg, undefined, undefined, cb);
}

let cap: CapModule | null = null;
/** the cap module, or null after telling the parent why it cannot be loaded */
function loadCapOrReport(): CapModule | null {
  try {
    cap ??= createRequire(import.meta.url)('cap') as CapModule;
    return cap;
  } catch (e) {
    send({ t: 'error', phase: 'load', message: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

let handle: CapHandle | null = null;
let received = 0;
let helperDropped = 0;
let inFlight = 0;
const pending: { buf: Buffer; count: number }[] = [];
let maxPending = 256;
const MAX_IN_FLIGHT = 32;
let flushTimer: NodeJS.Timeout | null = null;
let statsTimer: NodeJS.Timeout | null = null;

function pump(): void {
  while (inFlight < MAX_IN_FLIGHT && pending.length > 0) {
    const b = pending.shift()!;
    inFlight++;
    const ok = send({ t: 'batch', buf: b.buf, count: b.count }, () => {
      inFlight--;
      if (pending.length) pump();
    });
    if (!ok) {
      inFlight--;
      return;
    }
  }
}

function queue(buf: Buffer, count: number): void {
  pending.push({ buf, count });
  // Bounded memory: when the parent does not keep up, the oldest batch goes first, counted.
  while (pending.length > maxPending) helperDropped += pending.shift()!.count;
  pump();
}

function open(req: OpenRequest): void {
  const mod = loadCapOrReport();
  if (!mod) return;
  maxPending = req.maxPendingBatches;
  const h = new mod.Cap();
  const buffer = Buffer.alloc(CAP_SNAPLEN);
  let linkName: string;
  try {
    linkName = h.open(req.device, req.filter, req.bufferBytes, buffer);
  } catch (e) {
    send({ t: 'error', phase: 'open', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  handle = h;
  const linkType = capLinkTypeNumber(linkName) ?? -1;
  const enc = new BatchEncoder();
  // monotonic performance.now() anchored once to wall time: no BigInt work per packet, and a
  // wall-clock step during the capture does not reorder packets
  const anchorMs = Date.now() - performance.now();
  const flush = (): void => {
    if (enc.count > 0) {
      const n = enc.count;
      queue(enc.take(), n);
    }
  };
  h.on('packet', (nbytes) => {
    const ms = anchorMs + performance.now();
    const sec = Math.floor(ms / 1000);
    const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
    received++;
    enc.add(sec, nsec, buffer, nbytes, inferOriginalLength(linkType, buffer, nbytes));
    if (enc.count >= req.batchPackets) flush();
  });
  flushTimer = setInterval(flush, req.batchMs);
  statsTimer = setInterval(() => send({ t: 'stats', received, helperDropped }), 500);
  send({ t: 'opened', linkType, linkName });
  stopFlush = flush;
}

let stopFlush: (() => void) | null = null;

function stop(): void {
  if (flushTimer) clearInterval(flushTimer);
  if (statsTimer) clearInterval(statsTimer);
  flushTimer = statsTimer = null;
  try {
    handle?.close();
  } catch {
    // closing a handle libpcap already dropped is harmless
  }
  handle = null;
  stopFlush?.();
  stopFlush = null;
  const finish = (): void => {
    if (inFlight > 0 || pending.length > 0) {
      setTimeout(finish, 5);
      return;
    }
    send({ t: 'stopped', received, helperDropped }, () => process.exit(0));
  };
  finish();
}

function list(tryOpen: boolean): void {
  const mod = loadCapOrReport();
  if (!mod) return;
  try {
    const out: HelperInterface[] = mod.Cap.deviceList().map((d) => {
      const item: HelperInterface = {
        name: d.name,
        description: d.description,
        addresses: d.addresses ?? [],
        loopback: d.flags === 'PCAP_IF_LOOPBACK',
        linkType: null,
        capturePermitted: null,
      };
      if (tryOpen) {
        const h = new mod.Cap();
        let opened = false;
        try {
          item.linkType = capLinkTypeNumber(h.open(d.name, '', 64 * 1024, Buffer.alloc(256)));
          opened = true;
          item.capturePermitted = true;
        } catch (e) {
          item.captureError = e instanceof Error ? e.message : String(e);
        }
        // cap's close() after a failed open stops a poll handle it never started: a segfault
        if (opened) h.close();
      }
      return item;
    });
    send({ t: 'list', interfaces: out }, () => process.exit(0));
  } catch (e) {
    send({ t: 'error', phase: 'list', message: e instanceof Error ? e.message : String(e) });
  }
}

function onRequest(raw: unknown): void {
  const msg = raw as ToHelper;
  if (msg.t === 'open') open(msg);
  else if (msg.t === 'list') list(msg.tryOpen);
  else if (msg.t === 'stop') stop();
}
if (parentPort) parentPort.on('message', (e) => onRequest(e.data));
else process.on('message', onRequest);
// The session went away (closed, crashed, kill -9): nothing left to capture for.
process.on('disconnect', () => {
  try {
    handle?.close();
  } finally {
    process.exit(0);
  }
});
process.on('SIGTERM', () => stop());
send({ t: 'ready' });
