// How the session talks to the capture helper, whatever started it: a Node child process (CLI,
// tests, web host) or, in the packaged app, an Electron utilityProcess (the shell passes a
// launcher made with channelFromUtilityProcess; core never imports electron).
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { FromHelper, ToHelper } from './helper-protocol.js';

/** Emits 'message' (FromHelper), 'exit' (code, signal) once, and 'stderr' (text). */
export interface HelperChannel extends EventEmitter {
  send(msg: ToHelper): void;
  kill(signal?: NodeJS.Signals): void;
  readonly exited: boolean;
  readonly pid: number | undefined;
}

export type HelperLauncher = (helperPath: string) => HelperChannel;

class Channel extends EventEmitter implements HelperChannel {
  exited = false;
  constructor(
    private readonly sendFn: (msg: ToHelper) => void,
    private readonly killFn: (signal?: NodeJS.Signals) => void,
    readonly pid: number | undefined,
  ) {
    super();
  }
  send(msg: ToHelper): void {
    if (!this.exited) this.sendFn(msg);
  }
  kill(signal?: NodeJS.Signals): void {
    if (!this.exited) this.killFn(signal);
  }
  markExited(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', code, signal);
  }
}

function pipeStderr(ch: Channel, stderr: Readable | null | undefined): void {
  stderr?.on('data', (d: Buffer) => ch.emit('stderr', d.toString()));
}

/** The default: `child_process.fork` with 'advanced' serialization (one Buffer per batch, no JSON). */
export const nodeForkLauncher: HelperLauncher = (helperPath) => {
  const child = fork(helperPath, [], {
    // the .ts helper runs through tsx (tests, dev); the bundled .js needs nothing
    execArgv: helperPath.endsWith('.ts') ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const ch = new Channel(
    (m) => {
      try {
        child.send(m);
      } catch {
        // channel closed: the exit event reports it
      }
    },
    (s) => child.kill(s),
    child.pid,
  );
  child.on('message', (m) => ch.emit('message', m as FromHelper));
  child.once('exit', (code, signal) => ch.markExited(code, signal));
  child.once('error', () => ch.markExited(null, 'spawn-error'));
  pipeStderr(ch, child.stderr);
  return ch;
};

/** The part of Electron's UtilityProcess the channel uses (structural: no electron import). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stderr: Readable | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', cb: (message: unknown) => void): unknown;
  on(event: 'exit', cb: (code: number) => void): unknown;
}

/**
 * For the packaged app: `launcher = (p) => channelFromUtilityProcess(utilityProcess.fork(p, [],
 * { stdio: 'pipe', serviceName: 'ProxyScope capture' }))`, with cap rebuilt for Electron.
 */
export function channelFromUtilityProcess(u: UtilityProcessLike): HelperChannel {
  const ch = new Channel(
    (m) => u.postMessage(m),
    () => void u.kill(),
    u.pid,
  );
  u.on('message', (m) => ch.emit('message', m as FromHelper));
  u.on('exit', (code) => ch.markExited(code, null));
  pipeStderr(ch, u.stderr);
  return ch;
}
