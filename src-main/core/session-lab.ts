// The session's demo lab: the built-in fault-injecting proxy on 127.0.0.1, one scenario at a time.
// While it runs it stands in for the Setup proxy: the probe, the capture filter and the diagnosis
// point at it, the lab CA is trusted, and the auth scenarios' password stays here in memory.
import { ApiError, type LabScenarioView, type LabStatus } from './api.js';
import {
  LAB_CREDENTIALS,
  LAB_SCENARIOS,
  SCENARIO_INFO,
  startLab,
  type Lab,
  type LabScenario,
} from './lab/index.js';

/** What the wizard shows as the probe's target; the lab maps any name to its own origin. */
export const LAB_TARGET = { host: 'tools.cisco.com', port: 443 } as const;
/** Seconds without data that count as a stall in the lab (its stall scenarios stop at once). */
export const LAB_STALL_SECONDS = 1.5;

export const LAB_SCENARIO_VIEWS: LabScenarioView[] = LAB_SCENARIOS.map((name) => ({
  name,
  issue: SCENARIO_INFO[name].issue,
  // the descriptions name the lab password; the page never needs it (the main side answers 407)
  description: SCENARIO_INFO[name].description.replaceAll(LAB_CREDENTIALS.password, '••••••'),
  credentials: SCENARIO_INFO[name].probe.credentials === true,
}));

/** What a probe of the lab needs beyond the proxy address. */
export interface LabProbeExtras {
  proxy: { host: string; port: number };
  extraCa: string;
  credentials?: { username: string; password: string };
  download?: string;
  stallSeconds: number;
  scenario: LabScenario;
}

export class SessionLab {
  private lab: Lab | null = null;
  private starting: Promise<Lab> | null = null;

  constructor(
    /** the lab's certificate cache (made once, reused) */
    private readonly dir: string,
    /** the loopback interface's name on this OS */
    private readonly loopback: () => string,
    private readonly onChange: (status: LabStatus) => void,
  ) {}

  status(): LabStatus {
    const lab = this.lab;
    return {
      running: lab !== null,
      scenario: lab ? lab.scenario : null,
      proxy: lab ? { host: '127.0.0.1', port: lab.proxyPort } : null,
      username: LAB_CREDENTIALS.username,
      target: { ...LAB_TARGET },
      interface: this.loopback(),
      scenarios: LAB_SCENARIO_VIEWS,
    };
  }

  /** Starts the lab, or switches the running lab to `scenario`. */
  async start(scenario: LabScenario): Promise<LabStatus> {
    if (!this.lab) {
      this.starting ??= startLab({ scenario, dir: this.dir }).finally(() => (this.starting = null));
      try {
        this.lab = await this.starting;
      } catch (e) {
        throw new ApiError(
          'INTERNAL',
          `The demo lab could not start: ${e instanceof Error ? e.message : String(e)}`,
          'Check that 127.0.0.1 accepts local connections and the config folder is writable.',
        );
      }
    }
    this.lab.setScenario(scenario);
    const status = this.status();
    this.onChange(status);
    return status;
  }

  async stop(): Promise<LabStatus> {
    const lab = this.lab;
    this.lab = null;
    if (lab) {
      await lab.close();
      this.onChange(this.status());
    }
    return this.status();
  }

  /** The probe's settings for the running lab, or null when it is off. */
  probeExtras(): LabProbeExtras | null {
    const lab = this.lab;
    if (!lab) return null;
    const { extraCa, ...probe } = lab.probeOptions();
    return {
      ...probe,
      extraCa: extraCa ?? lab.caPem,
      stallSeconds: LAB_STALL_SECONDS,
      scenario: lab.scenario,
    };
  }

  close(): Promise<void> {
    const lab = this.lab;
    this.lab = null;
    return lab ? lab.close() : Promise.resolve();
  }
}
