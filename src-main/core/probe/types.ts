import type { KnownIssueId } from '../diagnose/issue-ids.js';
import type { CertificateInfo } from './certificates.js';

export type { KnownIssueId } from '../diagnose/issue-ids.js';
export type { CertificateInfo } from './certificates.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface ProxyCredentials {
  username: string;
  /** kept in memory only; never written to the transcript, findings or errors */
  password: string;
}

export interface ProbeOptions {
  proxy: HostPort;
  /** what the FMC reaches through the proxy; default tools.cisco.com:443 */
  target?: HostPort;
  credentials?: ProxyCredentials;
  /** which scheme to answer a 407 with; 'any' (default) prefers Digest over Basic, as curl --proxy-anyauth */
  auth?: 'basic' | 'digest' | 'any';
  /** extra trusted CA certificates (PEM text), added to the system roots */
  extraCa?: string;
  /** https URL fetched through its own tunnel after HEAD; omitted → the download stage is skipped */
  download?: string;
  /** idle seconds during the download that count as a stall (default 10) */
  stallSeconds?: number;
  /** per-phase timeouts in ms */
  timeouts?: { connect?: number; response?: number; tls?: number; http?: number };
  /** the padded-CONNECT test (default true) */
  largeRequestTest?: boolean;
  /** TCP payload size of the padded CONNECT (default 1460: a full-size segment on a 1500-byte MTU path) */
  largeRequestBytes?: number;
  userAgent?: string;
  signal?: AbortSignal;
  /**
   * Resolves the proxy's name to its addresses (default: the system resolver, dns.lookup). A
   * test passes its own so that no name query leaves the machine.
   */
  lookup?: (host: string) => Promise<string[]>;
  /** called when a stage finishes, for live progress */
  onStage?: (stage: ProbeStage) => void;
}

export type StageName =
  'dns' | 'connect' | 'connect-response' | 'proxy-auth' | 'tls' | 'head' | 'download' | 'large-request';

export interface ProbeStage {
  name: StageName;
  status: 'ok' | 'failed' | 'skipped';
  /** duration in ms (0 when skipped) */
  ms: number;
  detail: string;
  /** `detail` in Korean, the same facts and numbers (always set by runProbe; optional for older producers) */
  detailKo?: string;
}

export interface ProbeFinding {
  /** the known issue this finding supports; 'ok' for informational notes */
  issue: KnownIssueId;
  severity: 'info' | 'warning' | 'error';
  stage: StageName;
  title: string;
  detail: string;
  /** `title` and `detail` in Korean (always set by runProbe; optional for older producers) */
  titleKo?: string;
  detailKo?: string;
}

export interface ProbeVerdict {
  issue: KnownIssueId;
  ok: boolean;
  summary: string;
  /** `summary` in Korean (always set by runProbe; optional for older producers) */
  summaryKo?: string;
}

export interface ProxyAnswer {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  bodyExcerpt: string;
  /** the scheme the probe answered a 407 with, if any */
  auth?: { scheme: 'basic' | 'digest'; algorithm?: string };
  /** every scheme the proxy offered in Proxy-Authenticate */
  offeredSchemes: string[];
}

export interface TlsInfo {
  servername: string;
  protocol: string;
  cipher: string;
  alpn?: string;
  /** chain verifies against the system roots (+ extra CA) and matches the name */
  trusted: boolean;
  /** OpenSSL's reason when not trusted, e.g. SELF_SIGNED_CERT_IN_CHAIN */
  verifyError?: string;
  chain: CertificateInfo[];
}

export interface HttpInfo {
  status: number;
  reason: string;
  location?: string;
  headers: Array<[string, string]>;
}

export interface DownloadInfo {
  url: string;
  status?: number;
  bytes: number;
  /** Content-Length when the origin sent one */
  expectedBytes?: number;
  ms: number;
  complete: boolean;
  /** bytes received so far at each sample time (ms since the request) */
  samples: Array<{ ms: number; bytes: number }>;
  /** why it ended early: stall, close, reset */
  failure?: string;
  /** `failure` in Korean (without the stall/close/reset prefix) */
  failureKo?: string;
  bytesPerSecond: number;
}

export interface LargeRequestInfo {
  bytes: number;
  outcome: 'answered' | 'reset' | 'closed' | 'timeout' | 'not-connected';
  status?: number;
  ms: number;
}

export interface ProbeResult {
  verdict: ProbeVerdict;
  stages: ProbeStage[];
  findings: ProbeFinding[];
  /** curl -v style; credentials masked */
  transcript: string;
  /** every local TCP port the probe used, to tie captured packets to it */
  localPorts: number[];
  proxy: HostPort & { addresses: string[] };
  target: HostPort;
  startedAt: string;
  durationMs: number;
  connect?: ProxyAnswer;
  tls?: TlsInfo;
  http?: HttpInfo;
  download?: DownloadInfo;
  largeRequest?: LargeRequestInfo;
}
