// THE contract between the renderer and the main side: every method (name → argument schema →
// result type) and every event (name → payload type). Both transports (Electron IPC, the browser
// host's WebSocket) and the renderer import this file and nothing else crosses. It must stay
// browser-safe: zod and types only, no Node imports.
import { z } from 'zod';
import type { PacketDetail, PacketSummary } from './dissect/types.js';
import type { DiagnosisJson } from './diagnose/report.js';
import type { ProbeResult, ProbeStage } from './probe/types.js';
import type { KnownIssueId } from './diagnose/issue-ids.js';
import { LAB_SCENARIOS } from './lab/scenarios.js';

// ---------------------------------------------------------------------------------------------
// Envelope

export type ErrorCode =
  | 'BAD_ARGS' // the arguments failed validation; message names the field
  | 'UNKNOWN_METHOD' // no such method in this contract
  | 'NOT_CONNECTED' // the engine behind the method is not wired in this build yet
  | 'FORBIDDEN' // the caller is not the app's own page
  | 'IO' // a file or folder could not be read or written
  | 'BAD_FILE' // not a capture file, or damaged; message says where
  | 'BAD_FILTER' // a display filter that does not parse; message starts with "1:<column>:"
  | 'NO_CAPTURE' // a packets.* call before a capture was opened
  | 'NO_PROXY' // the Setup step has no proxy to work with
  | 'BUSY' // the same job is already running
  | 'CAPTURE' // live capture could not start or failed; hint has the fix, one line each
  | 'INTERNAL'; // a bug: the message says what failed

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** what the user can do about it */
  hint?: string;
}

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

/** Thrown by method implementations (and by the renderer client) so the code survives the bridge. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
  toBody(): ApiErrorBody {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** The renderer's side of an envelope: the data, or an ApiError with the same code. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.data;
  throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.hint);
}

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; data?: unknown; error?: unknown };
  if (v.ok === true) return 'data' in v;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

// ---------------------------------------------------------------------------------------------
// Shapes shared by several methods

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

export type Transport = 'electron' | 'browser';

export interface AppInfo {
  name: string;
  version: string;
  transport: Transport;
  platform: string;
  /** versions of the runtimes, for the bundle and bug reports */
  node: string;
  electron?: string;
  chrome?: string;
  configDir: string;
}

export interface NetInterfaceAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
  netmask: string;
  cidr: string | null;
  mac: string;
}

export interface NetInterface {
  name: string;
  description: string;
  addresses: NetInterfaceAddress[];
  up: boolean;
  loopback: boolean;
  /** could live capture open it? null when unknown (no capture backend, or not tried) */
  capturePermitted?: boolean | null;
  /** when not permitted: why, and the privilege doctor's fix, one copyable line each */
  captureError?: string;
  captureFix?: string[];
}

/** Host names: an IPv4/IPv6 literal or a DNS name (letters, digits, '-', '.'), as the FMC accepts. */
const hostSchema = z
  .string()
  .trim()
  .max(253, 'at most 253 characters')
  .regex(
    /^$|^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/,
    'an IP address or a host name (letters, digits, - and .)',
  );

export const proxySettingsSchema = z.object({
  enabled: z.boolean(),
  host: hostSchema,
  port: z.number().int('a whole number').min(1, 'between 1 and 65535').max(65535, 'between 1 and 65535'),
  useAuth: z.boolean(),
  username: z.string().max(256, 'at most 256 characters'),
  /** kept only when rememberPassword is true, and then never as plain text on disk */
  rememberPassword: z.boolean(),
});
export type ProxySettings = z.infer<typeof proxySettingsSchema>;

export const uiSettingsSchema = z.object({
  language: z.enum(LANGUAGES),
});
export type UiSettings = z.infer<typeof uiSettingsSchema>;

/** What settings.get returns: the saved settings, and the password only when the user asked to remember it. */
export interface SettingsView {
  proxy: ProxySettings & {
    /** the remembered password, '' when none is remembered */
    password: string;
    /** where a remembered password lives: the OS keychain (Electron), this process's memory (browser host) */
    passwordStorage: 'keychain' | 'memory' | 'none';
  };
  ui: UiSettings;
}

export const settingsSetSchema = z.object({
  proxy: proxySettingsSchema
    .extend({
      /** omitted: keep the remembered password as it is; '' forgets it */
      password: z.string().max(1024, 'at most 1024 characters').optional(),
    })
    .optional(),
  ui: uiSettingsSchema.optional(),
});
export type SettingsSetArgs = z.infer<typeof settingsSetSchema>;

/** The capture open in the session: what the packet list shows. */
export interface CaptureInfo {
  path: string;
  /** the file name, for titles */
  name: string;
  /** packets indexed so far */
  packets: number;
  fileBytes: number;
  /** true once the whole file is indexed */
  complete: boolean;
  /** a live capture still writing it: the list follows new rows */
  live?: boolean;
  /** why indexing stopped early (the packets before it are usable) */
  error?: string;
}

/** A live capture: where it writes and what it counted. */
export interface CaptureStatus {
  running: boolean;
  interface: string;
  backend: string;
  /** the BPF capture filter in use ('' = everything) */
  filter: string;
  /** the pcapng being written */
  file: string;
  received: number;
  delivered: number;
  bytesWritten: number;
  droppedByKernel: number | null;
  droppedByInterface: number | null;
  droppedByQueue: number;
  startedAt: number;
  stopReason?: string;
  error?: { message: string; fix: string[] };
}

/** A sample capture made by the built-in lab, for trying the app without a proxy. */
export interface SampleCapture {
  scenario: string;
  /** absolute path, ready for packets.open */
  path: string;
  packets: number;
  /** the known issue the diagnosis should name */
  expected: string;
}

export interface RowsPage {
  filter: string;
  /** rows in this view (all packets when the filter is blank) */
  total: number;
  from: number;
  rows: PacketSummary[];
}

/** Where packet `no` is in a view (Wireshark's Go to packet). */
export interface LocateResult {
  no: number;
  /** its row index in the view, or null when the filter hides it or the capture has no such packet */
  index: number | null;
}

export interface FilterResult {
  filter: string;
  matched: number;
  /** packets examined (the whole capture indexed so far) */
  total: number;
}

/** One scenario of the built-in demo lab, with the known issue a probe of it should name. */
export interface LabScenarioView {
  name: string;
  issue: KnownIssueId;
  description: string;
  /** the probe answers the lab's 407 with the lab's user (kept in the main side) */
  credentials: boolean;
}

/** The demo lab: a fault-injecting proxy on 127.0.0.1 that stands in for the user's proxy. */
export interface LabStatus {
  running: boolean;
  scenario: string | null;
  /** where the probe and the capture point while the lab runs */
  proxy: { host: string; port: number } | null;
  /** the user the auth scenarios accept (the password never leaves the main side) */
  username: string;
  /** what the probe reaches through the lab (any name maps to the lab's own origin) */
  target: { host: string; port: number };
  /** the interface the lab's traffic crosses */
  interface: string;
  scenarios: LabScenarioView[];
}

/** The verdict of a probe joined with the packets captured while it ran. */
export interface JoinedVerdictView {
  issue: KnownIssueId;
  ok: boolean;
  summary: string;
  summaryKo: string;
  agreement: 'agree' | 'disagree';
  agreementText: string;
  agreementTextKo: string;
  source: 'both' | 'probe' | 'packets';
  probe: { issue: KnownIssueId; ok: boolean; summary: string };
  packets: { issue: KnownIssueId; ok: boolean; summary: string };
}

export interface EvidenceFinding {
  id: KnownIssueId;
  severity: string;
  title: string;
  titleKo: string;
  /** frame numbers in the capture now open in the packet list */
  packets: number[];
  decisive: boolean;
}

/** probe.capture: the probe, the capture made while it ran, and their joined verdict. */
export interface ProbeCaptureResult {
  probe: ProbeResult;
  capture: CaptureStatus | null;
  /** why there is no packet evidence (the capture could not start); the verdict is the probe's */
  captureError?: ApiErrorBody;
  verdict: JoinedVerdictView;
  findings: EvidenceFinding[];
  /** the lab scenario probed, when the demo lab was on */
  lab?: string;
  at: string;
}

export type { DiagnosisJson, DiagnosisJsonFinding } from './diagnose/report.js';
export type { ProbeFinding, ProbeResult, ProbeStage } from './probe/types.js';
export type { Ladder, Stage } from './diagnose/ladder.js';
export type { ExpertItem, FieldNode, FieldValue, PacketDetail, PacketSummary } from './dissect/types.js';

// ---------------------------------------------------------------------------------------------
// Methods

/** A phantom value that only carries a result type into the contract map. */
function result<T>(): T {
  return undefined as unknown as T;
}

const noArgs = z.object({}).strict();

export const methods = {
  'app.info': { args: noArgs, result: result<AppInfo>() },
  'interfaces.list': { args: noArgs, result: result<NetInterface[]>() },
  'settings.get': { args: noArgs, result: result<SettingsView>() },
  'settings.set': { args: settingsSetSchema.strict(), result: result<SettingsView>() },
  'packets.open': {
    args: z.object({ path: z.string().min(1, 'a capture file path').max(4096) }).strict(),
    result: result<CaptureInfo>(),
  },
  /** the lab's sample captures shipped with the app (empty when none) */
  'samples.list': { args: noArgs, result: result<SampleCapture[]>() },
  /** the capture open now, or null */
  'packets.status': { args: noArgs, result: result<CaptureInfo | null>() },
  'packets.filter': {
    args: z.object({ filter: z.string().max(4096, 'at most 4096 characters') }).strict(),
    result: result<FilterResult>(),
  },
  'packets.rows': {
    args: z
      .object({
        filter: z.string().max(4096, 'at most 4096 characters').default(''),
        from: z.number().int('a whole number').min(0, 'at least 0'),
        count: z.number().int('a whole number').min(1, 'at least 1').max(2000, 'at most 2000'),
      })
      .strict(),
    result: result<RowsPage>(),
  },
  'packets.locate': {
    args: z
      .object({
        filter: z.string().max(4096, 'at most 4096 characters').default(''),
        no: z.number().int('a whole number').min(1, 'packet numbers start at 1'),
      })
      .strict(),
    result: result<LocateResult>(),
  },
  'packets.detail': {
    args: z.object({ no: z.number().int('a whole number').min(1, 'packet numbers start at 1') }).strict(),
    result: result<PacketDetail>(),
  },
  /** the known-issue diagnosis of the open capture (the proxy from the settings when it is an IP) */
  'diagnosis.run': { args: noArgs, result: result<DiagnosisJson>() },
  /**
   * Starts a live capture into a pcapng in the config folder. Without `filter`, the filter is
   * built from the Setup proxy (host and port, plus ICMP); '' captures everything.
   */
  'capture.start': {
    args: z
      .object({
        interface: z.string().min(1, 'an interface name').max(256),
        filter: z.string().max(4096, 'at most 4096 characters').optional(),
      })
      .strict(),
    result: result<CaptureStatus>(),
  },
  /** stops the capture and opens its file in the packet list */
  'capture.stop': { args: noArgs, result: result<CaptureStatus>() },
  'capture.status': { args: noArgs, result: result<CaptureStatus | null>() },
  /**
   * Probes the proxy from the Setup step from this computer (CONNECT, auth, TLS, HEAD). The
   * password is the remembered one, or the one given here (a page-only password); never stored.
   */
  'probe.run': {
    args: z
      .object({
        password: z.string().max(1024, 'at most 1024 characters').optional(),
        target: z
          .object({
            host: hostSchema.min(1, 'a host name'),
            port: z
              .number()
              .int('a whole number')
              .min(1, 'between 1 and 65535')
              .max(65535, 'between 1 and 65535'),
          })
          .strict()
          .optional(),
      })
      .strict(),
    result: result<ProbeResult>(),
  },
  /**
   * Captures on `interface` while probing (Verify's "Capture while probing"): the capture starts,
   * the probe runs, the capture stops, and the packets of the probe's connections are diagnosed
   * with the probe's result. The capture becomes the open capture.
   */
  'probe.capture': {
    args: z
      .object({
        interface: z.string().min(1, 'an interface name').max(256),
        filter: z.string().max(4096, 'at most 4096 characters').optional(),
        password: z.string().max(1024, 'at most 1024 characters').optional(),
      })
      .strict(),
    result: result<ProbeCaptureResult>(),
  },
  /** the last probe.capture result of this session, or null */
  'probe.last': { args: noArgs, result: result<ProbeCaptureResult | null>() },
  /** starts the demo lab (or switches its scenario); the probe and capture then point at it */
  'lab.start': {
    args: z.object({ scenario: z.enum(LAB_SCENARIOS) }).strict(),
    result: result<LabStatus>(),
  },
  'lab.stop': { args: noArgs, result: result<LabStatus>() },
  'lab.status': { args: noArgs, result: result<LabStatus>() },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodArgs<M extends MethodName> = z.input<Methods[M]['args']>;
export type ParsedArgs<M extends MethodName> = z.output<Methods[M]['args']>;
export type MethodResult<M extends MethodName> = Methods[M]['result'];

// ---------------------------------------------------------------------------------------------
// Events (main → renderer; small, at most every 100 ms)

export type MenuCommand = 'open-capture' | 'save-bundle' | 'about';

export interface Events {
  'settings.changed': SettingsView;
  /** a menu item the renderer handles; path is the file the user picked, when there is one */
  'menu.command': { command: MenuCommand; path?: string };
  /** the open capture grew or finished indexing (at most every 100 ms) */
  'packets.progress': CaptureInfo;
  /** one probe stage finished */
  'probe.stage': ProbeStage;
  /** live capture counters (every 250 ms while running, and once when it ends) */
  'capture.progress': CaptureStatus;
  /** the demo lab started, stopped or changed scenario */
  'lab.changed': LabStatus;
  /** a probe.capture finished */
  'probe.verdict': ProbeCaptureResult;
}
export type EventName = keyof Events;

// names, checks and IPC channels live in a zod-free module for the sandboxed preload
export {
  EVENT_NAMES,
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  METHOD_NAMES,
  isEventName,
  isMethodName,
} from './api-names.js';

// ---------------------------------------------------------------------------------------------
// What the page sees as `window.proxyscope` in both transports

export type EventListener<E extends EventName> = (payload: Events[E]) => void;

export interface ProxyScopeBridge {
  /** resolves to the envelope; the renderer client unwraps it into data or a thrown ApiError */
  invoke<M extends MethodName>(method: M, args?: MethodArgs<M>): Promise<Envelope<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: EventListener<E>): void;
  off<E extends EventName>(event: E, listener: EventListener<E>): void;
}

/**
 * The WebSocket's JSON cannot carry bytes or bigints; these tag them ({"$b64": …}, {"$big": …}).
 * Electron IPC needs none of this: structured clone keeps both.
 */
export function toWire(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key, v: unknown) {
    if (typeof v === 'bigint') return { $big: v.toString() };
    // a Node Buffer has already been through its toJSON here: look at the holder's own value
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Uint8Array) v = raw;
    if (v instanceof Uint8Array) {
      let bin = '';
      for (let i = 0; i < v.length; i += 0x8000) bin += String.fromCharCode(...v.subarray(i, i + 0x8000));
      return { $b64: btoa(bin) };
    }
    return v;
  });
}

export function fromWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      const o = v as { $b64?: unknown; $big?: unknown };
      if (typeof o.$b64 === 'string' && Object.keys(o).length === 1) {
        const bin = atob(o.$b64);
        const out = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        return out;
      }
      if (typeof o.$big === 'string' && Object.keys(o).length === 1) return BigInt(o.$big);
    }
    return v;
  });
}

/** Browser host WebSocket messages. */
export type WsClientMessage = { id: number; method: string; args?: unknown };
export type WsServerMessage =
  { id: number; envelope: Envelope<unknown> } | { event: EventName; payload: unknown };
