/**
 * /etc/sf/iprep_proxy.conf, the file the FMC's services read their proxy from:
 *
 *   iprep_proxy {
 *   PROXY_HOST 10.10.10.1;
 *   PROXY_PORT 80;
 *   }
 *
 * The parser is strict about structure (so a malformed file is reported with line and what was
 * expected) and lenient about whitespace, `#` comments and unknown keys (kept, with a warning).
 */

export interface IprepEntry {
  key: string;
  value: string;
  line: number;
}

export interface IprepProxyConf {
  host?: string;
  port?: number;
  username?: string;
  /** true when the file holds a password entry; the value itself is never kept */
  hasPassword: boolean;
  entries: IprepEntry[];
}

export interface IprepProblem {
  line: number;
  severity: 'error' | 'warning';
  message: string;
  /** the text of that line (passwords masked) */
  text?: string;
}

export type IprepParseResult =
  | { ok: true; config: IprepProxyConf; warnings: IprepProblem[] }
  | { ok: false; errors: IprepProblem[]; warnings: IprepProblem[]; partial: IprepProxyConf };

const KNOWN_KEYS = new Set([
  'PROXY_HOST',
  'PROXY_PORT',
  'PROXY_USER',
  'PROXY_USERNAME',
  'PROXY_PASS',
  'PROXY_PASSWORD',
]);
const PASSWORD_KEYS = new Set(['PROXY_PASS', 'PROXY_PASSWORD']);

/** A password line with its value masked, whatever separates key and value (`PROXY_PASS=x` too). */
function maskLine(raw: string): string {
  return raw.replace(/^(\s*PROXY_PASS(?:WORD)?\b\s*[=:]?\s*)([^;\s].*?)(;?\s*)$/i, '$1[redacted]$3');
}

export function parseIprepProxyConf(text: string): IprepParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const errors: IprepProblem[] = [];
  const warnings: IprepProblem[] = [];
  const config: IprepProxyConf = { hasPassword: false, entries: [] };
  let state: 'before' | 'inside' | 'after' = 'before';
  const err = (line: number, message: string, raw?: string) =>
    errors.push({ line, severity: 'error', message, text: raw === undefined ? undefined : maskLine(raw) });

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    if (state === 'before') {
      const m = /^([A-Za-z_][\w]*)\s*\{\s*(.*)$/.exec(line);
      if (!m) return err(n, `expected the block opening \`iprep_proxy {\`, found \`${maskLine(line)}\``, raw);
      if (m[1] !== 'iprep_proxy') err(n, `expected the block name \`iprep_proxy\`, found \`${m[1]}\``, raw);
      state = 'inside';
      if (m[2]) err(n, 'expected a line break after `{`: put each entry on its own line', raw);
      return;
    }
    if (state === 'after')
      return err(
        n,
        `unexpected text after the closing \`}\` of the iprep_proxy block: \`${maskLine(line)}\``,
        raw,
      );
    if (line === '}' || line === '};') {
      state = 'after';
      return;
    }
    const m = /^([A-Za-z_][\w]*)(?:\s+(.*?))?\s*(;)?$/.exec(line);
    if (!m)
      return err(
        n,
        `expected an entry \`KEY value;\` (e.g. \`PROXY_HOST 10.10.10.1;\`), found \`${maskLine(line)}\``,
        raw,
      );
    const key = m[1]!.toUpperCase();
    const value = (m[2] ?? '').trim();
    if (!m[3]) err(n, `expected \`;\` at the end of the ${key} entry`, raw);
    if (value === '')
      return err(
        n,
        `expected a value after ${key} (e.g. \`${key === 'PROXY_PORT' ? 'PROXY_PORT 80;' : 'PROXY_HOST 10.10.10.1;'}\`)`,
        raw,
      );
    if (/\s/.test(value) && !PASSWORD_KEYS.has(key))
      err(n, `expected one value after ${key}, found several words \`${value}\``, raw);
    if (config.entries.some((e) => e.key === key))
      err(
        n,
        `${key} appears twice (first on line ${config.entries.find((e) => e.key === key)!.line}); the FMC would use only one of them`,
        raw,
      );
    config.entries.push({ key, value: PASSWORD_KEYS.has(key) ? '[redacted]' : value, line: n });
    if (!KNOWN_KEYS.has(key))
      warnings.push({
        line: n,
        severity: 'warning',
        message: `unknown key ${key} (expected PROXY_HOST, PROXY_PORT)`,
        text: maskLine(raw),
      });
    if (key === 'PROXY_HOST') config.host = value;
    else if (key === 'PROXY_PORT') {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
        err(n, `expected PROXY_PORT to be a number from 1 to 65535, found \`${value}\``, raw);
      else config.port = Number(value);
    } else if (key === 'PROXY_USER' || key === 'PROXY_USERNAME') config.username = value;
    else if (PASSWORD_KEYS.has(key)) config.hasPassword = true;
  });

  const last = lines.length;
  if (state === 'before')
    err(1, 'the file is empty: expected an `iprep_proxy { ... }` block (is the proxy enabled on the FMC?)');
  else if (state === 'inside')
    err(last, 'expected the closing `}` of the iprep_proxy block before the end of the file');
  if (state !== 'before' && config.host === undefined && !errors.some((e) => /PROXY_HOST/.test(e.message)))
    err(last, 'expected a PROXY_HOST entry in the iprep_proxy block');
  if (state !== 'before' && config.port === undefined && !errors.some((e) => /PROXY_PORT/.test(e.message)))
    err(last, 'expected a PROXY_PORT entry in the iprep_proxy block');
  errors.sort((a, b) => a.line - b.line);
  return errors.length ? { ok: false, errors, warnings, partial: config } : { ok: true, config, warnings };
}

/** One problem per line, `line N: message`, for CLI output and the wizard. */
export function formatIprepProblems(problems: IprepProblem[], file = 'iprep_proxy.conf'): string {
  return problems.map((p) => `${file}:${p.line}: ${p.severity}: ${p.message}`).join('\n');
}
