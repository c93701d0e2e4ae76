/**
 * The built-in lab: the fault-injecting proxy plus its TLS origin, one scenario at a time.
 * It is the app's "Demo lab": everything works on a machine with no proxy and no internet.
 */
import { ensureLabCertificates, defaultLabDir } from './certificates.js';
import { startOrigin } from './origin.js';
import { startLabProxy } from './proxy.js';
import type { ProbeOptions } from '../probe/types.js';
import {
  isLabScenario,
  LAB_CREDENTIALS,
  LAB_DOWNLOAD_URL,
  LAB_SCENARIOS,
  SCENARIO_INFO,
  type LabScenario,
} from './scenarios.js';

export interface StartLabOptions {
  scenario?: LabScenario;
  /** proxy port; 0 / undefined → an ephemeral port */
  port?: number;
  /** certificate cache dir; default the user cache dir (~/.cache/proxyscope/lab) */
  dir?: string;
}

export type LabProbeOptions = Pick<ProbeOptions, 'proxy' | 'extraCa' | 'credentials' | 'download'>;

export interface Lab {
  proxyPort: number;
  originPort: number;
  /** PEM of the lab CA that signs the origin: what `probe --ca` trusts */
  caPath: string;
  /** PEM of the CA the tls-intercept scenario re-signs with (deliberately not trusted) */
  interceptCaPath: string;
  /** extra CA PEM text (same as the file at caPath), handy for runProbe({ extraCa }) */
  caPem: string;
  readonly scenario: LabScenario;
  setScenario(name: LabScenario): void;
  /** what a probe of this lab needs to see the current scenario's fault: proxy, CA, and the
   *  credentials / download only the scenarios that need them get */
  probeOptions(): LabProbeOptions;
  close(): Promise<void>;
}

export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  let scenario: LabScenario = opts.scenario ?? 'healthy';
  if (!isLabScenario(scenario))
    throw new Error(`unknown lab scenario '${String(scenario)}'; known: ${LAB_SCENARIOS.join(', ')}`);
  const certs = ensureLabCertificates(opts.dir ?? defaultLabDir());
  const origin = await startOrigin(certs.origin, certs.labCa.certPem);
  let proxy;
  try {
    proxy = await startLabProxy({
      port: opts.port,
      originPort: origin.port,
      interceptCa: certs.interceptCa,
      getScenario: () => scenario,
    });
  } catch (e) {
    await origin.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(
        `port ${opts.port} on 127.0.0.1 is already in use; pick another with --port or omit it for a free one`,
        { cause: e },
      );
    throw e;
  }
  let closed = false;
  return {
    proxyPort: proxy.port,
    originPort: origin.port,
    caPath: certs.caPath,
    interceptCaPath: certs.interceptCaPath,
    caPem: certs.labCa.certPem,
    get scenario() {
      return scenario;
    },
    setScenario(name: LabScenario) {
      if (!isLabScenario(name))
        throw new Error(`unknown lab scenario '${String(name)}'; known: ${LAB_SCENARIOS.join(', ')}`);
      scenario = name;
    },
    probeOptions() {
      const need = SCENARIO_INFO[scenario].probe;
      return {
        proxy: { host: '127.0.0.1', port: proxy.port },
        extraCa: certs.labCa.certPem,
        ...(need.credentials ? { credentials: { ...LAB_CREDENTIALS } } : {}),
        ...(need.download ? { download: LAB_DOWNLOAD_URL } : {}),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([proxy.close(), origin.close()]);
    },
  };
}
