import type { KnownIssueId } from '../diagnose/issue-ids.js';

export const LAB_SCENARIOS = [
  'healthy',
  'acl-403',
  'bad-gateway-502',
  'gateway-timeout-504',
  'auth-basic',
  'auth-digest',
  'ntlm-only',
  'stall-after-tunnel',
  'close-mid-download',
  'reset-on-large-segment',
  'tls-intercept',
  'slow-proxy',
] as const;

export type LabScenario = (typeof LAB_SCENARIOS)[number];

export function isLabScenario(v: unknown): v is LabScenario {
  return typeof v === 'string' && (LAB_SCENARIOS as readonly string[]).includes(v);
}

/** Credentials the auth scenarios accept (lab data, not a secret). */
export const LAB_CREDENTIALS = { username: 'admin', password: 'Lab-Pass1!' } as const;

/** A download URL that exercises the stall / close scenarios (any host maps to the lab origin). */
export const LAB_DOWNLOAD_URL = 'https://tools.cisco.com/download?size=1048576';

export interface LabScenarioInfo {
  name: LabScenario;
  /** the verdict a probe run as `probe` describes should give */
  issue: KnownIssueId;
  description: string;
  /** what the probe needs to see the fault (the issue appears only with these) */
  probe: { credentials?: boolean; download?: boolean; trustLabCa: boolean };
}

export const SCENARIO_INFO: Record<LabScenario, LabScenarioInfo> = {
  healthy: {
    name: 'healthy',
    issue: 'ok',
    description: 'CONNECT answered 200, the tunnel relays everything',
    probe: { trustLabCa: true, download: true },
  },
  'acl-403': {
    name: 'acl-403',
    issue: 'proxy-denied',
    description: '403 Forbidden with X-Squid-Error: ERR_ACCESS_DENIED 0, Connection: close, then FIN',
    probe: { trustLabCa: true },
  },
  'bad-gateway-502': {
    name: 'bad-gateway-502',
    issue: 'proxy-upstream-failure',
    description: '502 Bad Gateway (X-Squid-Error: ERR_CONNECT_FAIL 111): the proxy cannot reach the origin',
    probe: { trustLabCa: true },
  },
  'gateway-timeout-504': {
    name: 'gateway-timeout-504',
    issue: 'proxy-upstream-failure',
    description: '504 Gateway Timeout (X-Squid-Error: ERR_CONNECT_FAIL 110)',
    probe: { trustLabCa: true },
  },
  'auth-basic': {
    name: 'auth-basic',
    issue: 'ok',
    description: `407 with Basic; accepts ${LAB_CREDENTIALS.username} / ${LAB_CREDENTIALS.password}; closes the connection after each 407`,
    probe: { trustLabCa: true, credentials: true },
  },
  'auth-digest': {
    name: 'auth-digest',
    issue: 'ok',
    description: `407 with Digest (SHA-256 and MD5, qop=auth, RFC 7616); accepts ${LAB_CREDENTIALS.username} / ${LAB_CREDENTIALS.password}; keeps the connection after 407`,
    probe: { trustLabCa: true, credentials: true },
  },
  'ntlm-only': {
    name: 'ntlm-only',
    issue: 'proxy-auth-unsupported',
    description: '407 offering only NTLM and Negotiate',
    probe: { trustLabCa: true },
  },
  'stall-after-tunnel': {
    name: 'stall-after-tunnel',
    issue: 'transfer-stalled',
    description: '200, then relays the first 64 KiB toward the client and nothing more (the download stalls)',
    probe: { trustLabCa: true, download: true },
  },
  'close-mid-download': {
    name: 'close-mid-download',
    issue: 'transfer-stalled',
    description: '200, relays the first 64 KiB toward the client, then closes the connection (FIN)',
    probe: { trustLabCa: true, download: true },
  },
  'reset-on-large-segment': {
    name: 'reset-on-large-segment',
    issue: 'mtu-blackhole',
    description:
      "an MTU black hole: any single chunk of 1400 bytes or more in either direction (a padded CONNECT, the origin's certificate flight) makes the proxy reset the client connection (RST)",
    probe: { trustLabCa: true },
  },
  'tls-intercept': {
    name: 'tls-intercept',
    issue: 'tls-intercepted',
    description:
      'SSL inspection: the proxy terminates TLS with a certificate re-signed by its own "intercept" CA',
    probe: { trustLabCa: true },
  },
  'slow-proxy': {
    name: 'slow-proxy',
    issue: 'ok',
    description: 'answers CONNECT after ~2 s, then works (a warning, not a failure)',
    probe: { trustLabCa: true },
  },
};

/** Bytes relayed toward the client before the stall / close scenarios cut in (TLS + HEAD fit well below it). */
export const RELAY_BUDGET_BYTES = 64 * 1024;
/** A chunk at least this big counts as a full-size segment for reset-on-large-segment. */
export const LARGE_SEGMENT_BYTES = 1400;
export const SLOW_PROXY_DELAY_MS = 2000;
