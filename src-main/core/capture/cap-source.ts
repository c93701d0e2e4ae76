// The `cap` backend, parent side: forks the capture helper, opens the interface there and turns
// its batches back into RawPackets.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBatch } from './batch-codec.js';
import { CaptureError, backendInstallHint, diagnoseCaptureFailure } from './errors.js';
import { nodeForkLauncher, type HelperChannel, type HelperLauncher } from './helper-channel.js';
import type { FromHelper, HelperInterface } from './helper-protocol.js';
import {
  readIfDropped,
  type PacketSource,
  type SourceOptions,
  type SourceSink,
  type SourceStats,
} from './source.js';

/** Where the helper module is: next to this file under tsx, dist/capture/ in the bundle. */
export function defaultHelperPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return path.join(path.dirname(here), 'helper-process.ts');
  const candidates = [
    path.join(path.dirname(here), '..', 'capture', 'helper-process.js'),
    path.join(path.dirname(here), 'capture', 'helper-process.js'),
    path.join(path.dirname(here), 'helper-process.js'),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

function messageOf(
  child: HelperChannel,
  timeoutMs: number,
  want: (m: FromHelper) => boolean,
): Promise<FromHelper> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onErr = (d: string): void => {
      stderr += d;
    };
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
      child.off('stderr', onErr);
    };
    const onMsg = (m: FromHelper): void => {
      if (want(m) || m.t === 'error') {
        done();
        resolve(m);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(
        new Error(
          `the capture helper exited (${signal ?? `code ${code}`}) before answering${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`,
        ),
      );
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the capture helper did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('stderr', onErr);
    child.on('message', onMsg);
    child.on('exit', onExit);
    if (child.exited) onExit(null, 'exited');
  });
}

function loadError(detail: string): CaptureError {
  return new CaptureError(
    'backend-missing',
    `The cap capture backend (libpcap binding) is not available: ${detail}`,
    backendInstallHint('cap'),
    'cap',
  );
}

/** Lists interfaces through cap in a short-lived helper (tryOpen: test each for capture rights). */
export async function listInterfacesWithCap(
  tryOpen: boolean,
  helperPath?: string,
  launch: HelperLauncher = nodeForkLauncher,
): Promise<HelperInterface[]> {
  const child = launch(helperPath ?? defaultHelperPath());
  try {
    await messageOf(child, 15000, (m) => m.t === 'ready');
    child.send({ t: 'list', tryOpen });
    const m = await messageOf(child, 15000, (x) => x.t === 'list');
    if (m.t === 'error') throw m.phase === 'load' ? loadError(m.message) : new Error(m.message);
    if (m.t !== 'list') throw new Error('unexpected answer from the capture helper');
    return m.interfaces;
  } finally {
    child.kill();
  }
}

export async function startCapSource(opts: SourceOptions, sink: SourceSink): Promise<PacketSource> {
  const ifDropStart = await readIfDropped(opts.interface);
  let ifDropNow = ifDropStart;
  const child = (opts.helperLauncher ?? nodeForkLauncher)(opts.helperPath ?? defaultHelperPath());
  let received = 0;
  let helperDropped = 0;
  let stopping = false;
  let ended = false;
  let opened = false;
  let linkType = -1;
  let stopped: (() => void) | null = null;
  let stderrTail = '';
  child.on('stderr', (d: string) => {
    stderrTail = (stderrTail + d).slice(-2000);
  });
  // One permanent handler from the start: batches can follow 'opened' in the same read, before
  // any later-attached listener would exist.
  child.on('message', (m: FromHelper) => {
    if (m.t === 'opened') {
      opened = true;
      linkType = m.linkType;
    } else if (m.t === 'batch') {
      // a plain Uint8Array view (IPC hands a Buffer): the same type every other source gives
      const buf = new Uint8Array(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength);
      sink.onPackets(decodeBatch(buf, linkType), buf.byteLength);
    } else if (m.t === 'stats' || m.t === 'stopped') {
      received = m.received;
      helperDropped = m.helperDropped;
      if (m.t === 'stopped') stopped?.();
    } else if (m.t === 'error' && opened && !ended) {
      ended = true;
      sink.onEnd(diagnoseCaptureFailure({ backend: 'cap', interface: opts.interface, detail: m.message }));
    }
  });

  const fail = (e: unknown): never => {
    child.kill('SIGKILL');
    throw e;
  };
  try {
    await messageOf(child, 15000, (m) => m.t === 'ready');
  } catch (e) {
    fail(loadError(e instanceof Error ? e.message : String(e)));
  }
  child.send({
    t: 'open',
    device: opts.interface,
    filter: opts.filter,
    bufferBytes: opts.bufferBytes,
    batchMs: 20,
    batchPackets: 256,
    maxPendingBatches: 512,
  });
  let answer: FromHelper;
  try {
    answer = await messageOf(child, 15000, (m) => m.t === 'opened');
  } catch (e) {
    return fail(
      new CaptureError('backend-failed', `cap: ${e instanceof Error ? e.message : String(e)}`, [], 'cap'),
    );
  }
  if (answer.t === 'error') {
    if (answer.phase === 'load') fail(loadError(answer.message));
    fail(
      diagnoseCaptureFailure({
        backend: 'cap',
        interface: opts.interface,
        detail: answer.message,
        executable: process.execPath,
      }),
    );
  }

  const exited = new Promise<void>((resolve) =>
    child.exited ? resolve() : child.once('exit', () => resolve()),
  );
  child.once('exit', (code, signal) => {
    stopped?.();
    if (!stopping && !ended) {
      ended = true;
      sink.onEnd(
        new CaptureError(
          'backend-failed',
          `The capture helper exited unexpectedly (${signal ?? `code ${code}`})${stderrTail.trim() ? `: ${stderrTail.trim().slice(-300)}` : ''}`,
          [],
          'cap',
        ),
      );
    }
  });
  const ifTimer = setInterval(() => {
    void readIfDropped(opts.interface).then((v) => {
      ifDropNow = v;
    });
  }, 1000);
  ifTimer.unref();

  return {
    backend: 'cap',
    interfaceName: opts.interface,
    linkType,
    timestampSource: 'dispatch',
    // cap's open() always calls pcap_set_promisc(1); the binding has no way to turn it off
    promiscuous: true,
    stats(): SourceStats {
      return {
        received,
        // cap does not expose pcap_stats(): the kernel's ps_drop is unknown with this backend
        droppedByKernel: null,
        droppedByInterface: ifDropStart !== null && ifDropNow !== null ? ifDropNow - ifDropStart : null,
        helperDropped,
      };
    },
    async stop(): Promise<void> {
      if (stopping) return exited;
      stopping = true;
      clearInterval(ifTimer);
      ifDropNow = await readIfDropped(opts.interface);
      if (child.exited) return;
      const gotStopped = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      child.send({ t: 'stop' });
      const guard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await Promise.race([gotStopped, exited]);
      await exited;
      clearTimeout(guard);
    },
  };
}
