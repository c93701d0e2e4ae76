// One troubleshooting session: the implementations of the contract's methods, and the events they
// raise. Both transports create one Session and hand `session.dispatch` every call; they subscribe
// to `session.onEvent` to forward events to the page. Engines (capture, probe, store, diagnosis)
// are wired here as they land.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import { APP_VERSION } from './version.js';
import { createDispatcher, type Dispatch, type MethodHandlers } from './api-dispatch.js';
import { ApiError } from './api.js';
import type {
  AppInfo,
  DiagnosisJson,
  EventName,
  Events,
  Language,
  NetInterface,
  NetInterfaceAddress,
  SampleCapture,
  Transport,
} from './api.js';
import { SettingsStore, type SecretStore } from './settings.js';
import { SessionPackets } from './session-packets.js';
import { SessionCapture } from './session-capture.js';
import type { HelperLauncher } from './capture/index.js';
import path from 'node:path';
import { diagnoseCaptureFile, diagnosisJson, type DiagnoseOptions } from './diagnose/index.js';
import { CaptureFileError } from './pcap/types.js';
import { runProbe } from './probe/index.js';
import type { ProbeOptions, ProbeResult } from './probe/types.js';

export interface SessionOptions {
  transport: Transport;
  configDir: string;
  secrets: SecretStore;
  defaultLanguage?: Language;
  /** runtime versions the transport knows (Electron fills electron/chrome) */
  versions?: { electron?: string; chrome?: string };
  /** the app's resources folder (sample captures); samples.list is empty without it */
  resourcesDir?: string;
  /** how live capture starts its `cap` helper (Electron passes a utility-process launcher) */
  captureHelperLauncher?: HelperLauncher;
  /** where unexpected errors go (never with secrets in them) */
  log?: (message: string) => void;
}

type AnyEventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Interfaces as the OS reports them; live capture will replace this with its own list. */
export function listOsInterfaces(): NetInterface[] {
  const all = os.networkInterfaces();
  return Object.entries(all)
    .map(([name, infos]): NetInterface => {
      const list = infos ?? [];
      const addresses = list.map((i): NetInterfaceAddress => ({
        address: i.address,
        family: i.family === 'IPv6' ? 'IPv6' : 'IPv4',
        netmask: i.netmask,
        cidr: i.cidr ?? null,
        mac: i.mac,
      }));
      const loopback = list.length > 0 && list.every((i) => i.internal);
      return {
        name,
        description: loopback ? 'Loopback' : addresses.map((a) => a.cidr ?? a.address).join(', ') || name,
        addresses,
        // os.networkInterfaces() lists only interfaces that have an address, i.e. are configured
        up: list.length > 0,
        loopback,
      };
    })
    .sort((a, b) => Number(a.loopback) - Number(b.loopback) || a.name.localeCompare(b.name));
}

/** The lab's sample captures listed in resources/samples/index.json; none when it is absent or unreadable. */
export function listSamples(resourcesDir: string | undefined): SampleCapture[] {
  if (!resourcesDir) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path.join(resourcesDir, 'samples', 'index.json'), 'utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  const out: SampleCapture[] = [];
  for (const e of entries as {
    scenario?: unknown;
    file?: unknown;
    packets?: unknown;
    expected?: unknown;
  }[]) {
    if (typeof e?.scenario !== 'string' || typeof e.file !== 'string') continue;
    // index.json names files from the repository root (resources/samples/x.pcapng)
    const file = path.join(resourcesDir, 'samples', path.basename(e.file));
    if (!existsSync(file)) continue;
    out.push({
      scenario: e.scenario,
      path: file,
      packets: typeof e.packets === 'number' ? e.packets : 0,
      expected: typeof e.expected === 'string' ? e.expected : '',
    });
  }
  return out;
}

export class Session {
  readonly settings: SettingsStore;
  readonly packets: SessionPackets;
  readonly capture: SessionCapture;
  readonly dispatch: Dispatch;
  private readonly listeners = new Set<AnyEventListener>();
  private probing: AbortController | null = null;

  constructor(private readonly options: SessionOptions) {
    this.settings = new SettingsStore({
      dir: options.configDir,
      secrets: options.secrets,
      defaultLanguage: options.defaultLanguage,
    });
    if (this.settings.loadProblem) options.log?.(this.settings.loadProblem);
    this.packets = new SessionPackets((info) => this.emit('packets.progress', info));
    this.capture = new SessionCapture(
      path.join(options.configDir, 'captures'),
      (status) => this.emit('capture.progress', status),
      options.captureHelperLauncher,
    );
    this.dispatch = createDispatcher(this.handlers(), (e) =>
      options.log?.(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    );
  }

  private handlers(): MethodHandlers {
    return {
      'app.info': () => this.appInfo(),
      'interfaces.list': () => listOsInterfaces(),
      'settings.get': () => this.settings.view(),
      'settings.set': (args) => {
        const view = this.settings.update(args);
        this.emit('settings.changed', view);
        return view;
      },
      'samples.list': () => listSamples(this.options.resourcesDir),
      'packets.open': (args) => this.packets.open(args.path),
      'packets.status': () => this.packets.status(),
      'packets.filter': (args) => this.packets.filter(args.filter),
      'packets.rows': (args) => this.packets.rows(args.filter, args.from, args.count),
      'packets.detail': (args) => this.packets.detail(args.no),
      'diagnosis.run': () => this.diagnose(),
      'probe.run': (args) => this.probe(args),
      'capture.start': (args) => {
        const proxy = this.settings.view().proxy;
        return this.capture.start({
          interface: args.interface,
          filter: args.filter,
          proxy: proxy.enabled && proxy.host ? { host: proxy.host, port: proxy.port } : undefined,
        });
      },
      'capture.stop': async () => {
        const status = await this.capture.stop();
        // the capture becomes the open capture, as if the user had opened the file
        if (status.file && status.delivered > 0) await this.packets.open(status.file);
        return status;
      },
      'capture.status': () => this.capture.status(),
    };
  }

  /** Diagnoses the open capture file; the settings' proxy (when an IP) tells it which conversations matter. */
  async diagnose(): Promise<DiagnosisJson> {
    const capture = this.packets.status();
    if (!capture) {
      throw new ApiError('NO_CAPTURE', 'No capture is open.', 'Open a capture in the Verify step first.');
    }
    const proxy = this.settings.view().proxy;
    const options: DiagnoseOptions = {};
    if (proxy.enabled && isIP(proxy.host)) options.proxy = { host: proxy.host, port: proxy.port };
    if (proxy.useAuth && proxy.username) options.user = proxy.username;
    try {
      return diagnosisJson(await diagnoseCaptureFile(capture.path, options));
    } catch (e) {
      if (e instanceof CaptureFileError) throw new ApiError('BAD_FILE', e.message, e.hint);
      throw e;
    }
  }

  /** Runs the active probe against the Setup step's proxy; one at a time. */
  async probe(args: { password?: string; target?: { host: string; port: number } }): Promise<ProbeResult> {
    const proxy = this.settings.view().proxy;
    if (!proxy.enabled || !proxy.host) {
      throw new ApiError(
        'NO_PROXY',
        'There is no proxy to probe: HTTP Proxy is empty or Enabled is off.',
        'Fill in HTTP Proxy and Port in the Setup step, tick Enabled and Save.',
      );
    }
    if (this.probing) throw new ApiError('BUSY', 'A probe is already running.', 'Wait for it to finish.');
    const controller = new AbortController();
    this.probing = controller;
    const options: ProbeOptions = {
      proxy: { host: proxy.host, port: proxy.port },
      signal: controller.signal,
      onStage: (stage) => this.emit('probe.stage', stage),
    };
    if (args.target) options.target = args.target;
    if (proxy.useAuth && proxy.username) {
      const password = args.password || this.settings.rememberedPassword() || '';
      options.credentials = { username: proxy.username, password };
    }
    try {
      return await runProbe(options);
    } finally {
      this.probing = null;
    }
  }

  appInfo(): AppInfo {
    const info: AppInfo = {
      name: 'ProxyScope',
      version: APP_VERSION,
      transport: this.options.transport,
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
      configDir: this.options.configDir,
    };
    if (this.options.versions?.electron) info.electron = this.options.versions.electron;
    if (this.options.versions?.chrome) info.chrome = this.options.versions.chrome;
    return info;
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  /** Returns the function that unsubscribes. */
  onEvent(listener: AnyEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.probing?.abort();
    this.capture.close();
    this.packets.close();
    this.listeners.clear();
  }
}
