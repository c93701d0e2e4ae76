// THE contract between the renderer and the main side: every method (name → argument schema →
// result type) and every event (name → payload type). Both transports (Electron IPC, the browser
// host's WebSocket) and the renderer import this file and nothing else crosses. It must stay
// browser-safe: zod and types only, no Node imports.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Envelope

export type ErrorCode =
  | 'BAD_ARGS' // the arguments failed validation; message names the field
  | 'UNKNOWN_METHOD' // no such method in this contract
  | 'NOT_CONNECTED' // the engine behind the method is not wired in this build yet
  | 'FORBIDDEN' // the caller is not the app's own page
  | 'IO' // a file or folder could not be read or written
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
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodArgs<M extends MethodName> = z.input<Methods[M]['args']>;
export type ParsedArgs<M extends MethodName> = z.output<Methods[M]['args']>;
export type MethodResult<M extends MethodName> = Methods[M]['result'];

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

// ---------------------------------------------------------------------------------------------
// Events (main → renderer; small, at most every 100 ms)

export type MenuCommand = 'open-capture' | 'save-bundle' | 'about';

export interface Events {
  'settings.changed': SettingsView;
  /** a menu item the renderer handles; path is the file the user picked, when there is one */
  'menu.command': { command: MenuCommand; path?: string };
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['settings.changed', 'menu.command'];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------
// What the page sees as `window.proxyscope` in both transports

export type EventListener<E extends EventName> = (payload: Events[E]) => void;

export interface ProxyScopeBridge {
  /** resolves to the envelope; the renderer client unwraps it into data or a thrown ApiError */
  invoke<M extends MethodName>(method: M, args?: MethodArgs<M>): Promise<Envelope<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: EventListener<E>): void;
  off<E extends EventName>(event: E, listener: EventListener<E>): void;
}

/** Electron IPC channel names (both ends import them from here). */
export const IPC_INVOKE_CHANNEL = 'proxyscope:invoke';
export const IPC_EVENT_CHANNEL = 'proxyscope:event';

/** Browser host WebSocket messages. */
export type WsClientMessage = { id: number; method: string; args?: unknown };
export type WsServerMessage =
  { id: number; envelope: Envelope<unknown> } | { event: EventName; payload: unknown };
