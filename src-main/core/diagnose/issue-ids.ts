/**
 * Stable ids of the known issues ProxyScope can name. Shared by the probe (its own verdict),
 * the packet diagnosis and the catalog (src-main/core/diagnose/catalog.ts holds the texts).
 * Ids are part of the CLI's JSON output and the UI: never rename one, only add.
 */
export const KNOWN_ISSUE_IDS = [
  'ok',
  'proxy-dns-failure',
  'proxy-unreachable',
  'proxy-denied',
  'proxy-upstream-failure',
  'proxy-auth-required',
  'proxy-auth-failed',
  'proxy-auth-unsupported',
  'tls-intercepted',
  'tls-handshake-failed',
  'transfer-stalled',
  'mtu-blackhole',
  'origin-http-error',
  'config-mismatch',
] as const;

export type KnownIssueId = (typeof KNOWN_ISSUE_IDS)[number];

export function isKnownIssueId(value: unknown): value is KnownIssueId {
  return typeof value === 'string' && (KNOWN_ISSUE_IDS as readonly string[]).includes(value);
}
