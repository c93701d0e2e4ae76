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
  CaptureStatus,
  EvidenceFinding,
  ProbeCaptureResult,
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
import { listInterfaces, privilegeFixes, type HelperLauncher } from './capture/index.js';
import path from 'node:path';
import {
  captureFileFacts,
  diagnoseCaptureFile,
  diagnosisJson,
  joinVerdict,
  pemSubjects,
  type DiagnoseOptions,
} from './diagnose/index.js';
import { SessionLab } from './session-lab.js';
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

function noProxy(): ApiError {
  return new ApiError(
    'NO_PROXY',
    'There is no proxy to probe: HTTP Proxy is empty or Enabled is off.',
    'Fill in HTTP Proxy and Port in the Setup step, tick Enabled and Save — or use the demo lab.',
  );
}

export class Session {
  readonly settings: SettingsStore;
  readonly packets: SessionPackets;
  readonly capture: SessionCapture;
  readonly lab: SessionLab;
  readonly dispatch: Dispatch;
  private readonly listeners = new Set<AnyEventListener>();
  private probing: AbortController | null = null;
  private lastVerdict: ProbeCaptureResult | null = null;
  private interfaceCache: { at: number; list: NetInterface[] } | null = null;

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
      {
        begin: async (file) => void (await this.packets.openLive(file)),
        batch: (file, packets) => this.packets.appendLive(file, packets),
        end: (file, failed) => {
          if (failed === undefined) this.packets.finishLive(file);
          else if (this.packets.isLive(file)) this.packets.close();
        },
      },
    );
    this.lab = new SessionLab(
      path.join(options.configDir, 'lab'),
      () => listOsInterfaces().find((i) => i.loopback)?.name ?? 'lo',
      (status) => this.emit('lab.changed', status),
    );
    this.dispatch = createDispatcher(this.handlers(), (e) =>
      options.log?.(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    );
  }

  private handlers(): MethodHandlers {
    return {
      'app.info': () => this.appInfo(),
      'interfaces.list': () => this.interfaces(),
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
      'packets.locate': (args) => this.packets.locate(args.filter, args.no),
      'packets.detail': (args) => this.packets.detail(args.no),
      'diagnosis.run': () => this.diagnose(),
      'probe.run': (args) => this.probe(args),
      'capture.start': (args) =>
        this.capture.start({
          interface: args.interface,
          filter: args.filter,
          proxy: this.activeProxy() ?? undefined,
        }),
      // the capture has been the open capture since it started: its rows grew as it ran
      'capture.stop': () => this.capture.stop(),
      'capture.status': () => this.capture.status(),
      'probe.capture': (args) => this.probeWithCapture(args),
      'probe.last': () => this.lastVerdict,
      'lab.start': (args) => this.lab.start(args.scenario),
      'lab.stop': () => this.lab.stop(),
      'lab.status': () => this.lab.status(),
    };
  }

  /**
   * The OS's interfaces with the capture backend's view of each: permitted or not, and the
   * privilege doctor's fix when not (kept 10 s: finding out opens every interface briefly).
   */
  async interfaces(): Promise<NetInterface[]> {
    if (this.interfaceCache && Date.now() - this.interfaceCache.at < 10_000) return this.interfaceCache.list;
    const os = listOsInterfaces();
    try {
      const cap = await listInterfaces(
        this.options.captureHelperLauncher ? { helperLauncher: this.options.captureHelperLauncher } : {},
      );
      const fix = cap.backend ? privilegeFixes({ backend: cap.backend }) : [];
      for (const c of cap.interfaces) {
        let nic = os.find((n) => n.name === c.name);
        if (!nic) {
          // capture-only interfaces (Linux `any`, or down ones) are capturable too
          nic = {
            name: c.name,
            description: c.description ?? c.name,
            addresses: [],
            up: c.up,
            loopback: c.loopback,
          };
          os.push(nic);
        }
        nic.capturePermitted = c.capturePermitted;
        if (c.capturePermitted === false) {
          if (c.captureError) nic.captureError = c.captureError;
          nic.captureFix = fix;
        }
      }
    } catch (e) {
      this.options.log?.(
        `interfaces.list: the capture backend's list failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.interfaceCache = { at: Date.now(), list: os };
    return os;
  }

  /** The proxy the wizard works on: the demo lab while it runs, else the Setup proxy (when enabled). */
  activeProxy(): { host: string; port: number } | null {
    const lab = this.lab.probeExtras();
    if (lab) return lab.proxy;
    const proxy = this.settings.view().proxy;
    return proxy.enabled && proxy.host ? { host: proxy.host, port: proxy.port } : null;
  }

  /**
   * Verify's "Capture while probing": capture on the interface, probe, stop once the probe's last
   * packets are in, then judge the probe's own connections by packets and join both verdicts.
   */
  async probeWithCapture(args: {
    interface: string;
    filter?: string;
    password?: string;
  }): Promise<ProbeCaptureResult> {
    const proxy = this.activeProxy();
    if (!proxy) throw noProxy();
    if (this.probing) throw new ApiError('BUSY', 'A probe is already running.', 'Wait for it to finish.');
    if (this.capture.status()?.running) {
      throw new ApiError(
        'BUSY',
        'A capture is already running.',
        'Stop it first, then capture while probing.',
      );
    }
    let capture: CaptureStatus | null = null;
    let captureError: ProbeCaptureResult['captureError'];
    try {
      capture = await this.capture.start({ interface: args.interface, filter: args.filter, proxy });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // the probe still runs: its own verdict stands, without packet evidence
      captureError = e.toBody();
    }
    let probe: ProbeResult;
    try {
      probe = await this.probe({ password: args.password });
    } finally {
      if (capture) {
        // the last FIN/RST and retransmissions arrive after the probe returns
        await new Promise((r) => setTimeout(r, 600));
        capture = await this.capture.stop();
      }
    }
    const lab = this.lab.probeExtras();
    const facts = capture?.file ? await captureFileFacts(capture.file) : [];
    const user = lab?.credentials?.username ?? this.settings.view().proxy.username;
    const { verdict, diagnosis } = joinVerdict(probe, facts, {
      proxy,
      stallSeconds: lab?.stallSeconds ?? 3,
      ...(lab ? { trustedIssuers: pemSubjects(lab.extraCa) } : {}),
      ...(user ? { user } : {}),
    });
    const findings: EvidenceFinding[] = diagnosis.findings.map((f) => ({
      id: f.id,
      severity: String(f.severity),
      title: f.title,
      titleKo: f.ko.title,
      packets: f.packets,
      decisive: f.decisive,
    }));
    const out: ProbeCaptureResult = {
      probe,
      capture,
      verdict: {
        issue: verdict.issue,
        ok: verdict.ok,
        summary: verdict.summary,
        summaryKo: verdict.summaryKo,
        agreement: verdict.agreement,
        agreementText: verdict.agreementText,
        agreementTextKo: verdict.agreementTextKo,
        source: verdict.source,
        probe: verdict.probe,
        packets: { issue: verdict.packets.issue, ok: verdict.packets.ok, summary: verdict.packets.summary },
      },
      findings,
      at: new Date().toISOString(),
    };
    if (captureError) out.captureError = captureError;
    if (lab) out.lab = lab.scenario;
    this.lastVerdict = out;
    this.emit('probe.verdict', out);
    return out;
  }

  /** Diagnoses the open capture file; the settings' proxy (when an IP) tells it which conversations matter. */
  async diagnose(): Promise<DiagnosisJson> {
    const capture = this.packets.status();
    if (!capture) {
      throw new ApiError('NO_CAPTURE', 'No capture is open.', 'Open a capture in the Verify step first.');
    }
    const proxy = this.settings.view().proxy;
    const lab = this.lab.probeExtras();
    const options: DiagnoseOptions = {};
    if (lab) {
      options.proxy = lab.proxy;
      options.stallSeconds = lab.stallSeconds;
      options.trustedIssuers = pemSubjects(lab.extraCa);
      if (lab.credentials) options.user = lab.credentials.username;
    } else {
      if (proxy.enabled && isIP(proxy.host)) options.proxy = { host: proxy.host, port: proxy.port };
      if (proxy.useAuth && proxy.username) options.user = proxy.username;
    }
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
    const lab = this.lab.probeExtras();
    if (!lab && (!proxy.enabled || !proxy.host)) throw noProxy();
    if (this.probing) throw new ApiError('BUSY', 'A probe is already running.', 'Wait for it to finish.');
    const controller = new AbortController();
    this.probing = controller;
    const options: ProbeOptions = {
      proxy: lab ? lab.proxy : { host: proxy.host, port: proxy.port },
      signal: controller.signal,
      onStage: (stage) => this.emit('probe.stage', stage),
    };
    if (args.target) options.target = args.target;
    if (lab) {
      // the demo lab: its CA trusted, its user answering 407, its download for the stall scenarios
      options.extraCa = lab.extraCa;
      options.stallSeconds = lab.stallSeconds;
      if (lab.credentials) options.credentials = lab.credentials;
      if (lab.download) options.download = lab.download;
    } else if (proxy.useAuth && proxy.username) {
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
    void this.lab.close().catch(() => undefined);
    this.capture.close();
    this.packets.close();
    this.listeners.clear();
  }
}
