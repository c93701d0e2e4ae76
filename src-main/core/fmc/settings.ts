/**
 * The FMC's proxy settings (System → Configuration → Management Interfaces → Proxy) and the
 * rules the FMC applies to them. Messages say which field, what is wrong and what to enter.
 */
import net from 'node:net';
import type { IprepProxyConf } from './iprep-conf.js';

export interface FmcProxySettings {
  enabled: boolean;
  /** IP address or FQDN */
  host: string;
  port: number;
  useAuth: boolean;
  username?: string;
  /** memory only */
  password?: string;
  /** what the proxy asks for; the FMC supports Basic and Digest, not NTLM */
  authType?: 'basic' | 'digest' | 'ntlm' | 'negotiate';
  /** Smart Licensing limits the FQDN to 64 characters (default true: the common case) */
  smartLicensing?: boolean;
}

export interface SettingsProblem {
  field: 'host' | 'port' | 'username' | 'password' | 'authType' | 'enabled';
  severity: 'error' | 'warning';
  message: string;
}

export const FQDN_MAX_WITH_SMART_LICENSING = 64;

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function isFqdn(host: string): boolean {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h.length === 0 || h.length > 253) return false;
  const labels = h.split('.');
  // a single label ("proxy") resolves through the search domain; allow it, but not all-numeric ones
  if (labels.every((l) => /^\d+$/.test(l))) return false;
  return labels.every((l) => LABEL.test(l));
}

/** Why a password is refused, without ever echoing it: the position and kind of the bad character. */
export function passwordProblem(password: string): string | undefined {
  const chars = [...password];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const code = c.codePointAt(0)!;
    if (c === ' ' || c === '\t')
      return `the password contains a space at position ${i + 1}; the FMC accepts only A–Z, a–z, 0–9 and special characters (no spaces)`;
    if (code < 0x20 || code === 0x7f)
      return `the password contains a control character at position ${i + 1}; the FMC accepts only A–Z, a–z, 0–9 and special characters`;
    if (code > 0x7e)
      return `the password contains a non-ASCII character at position ${i + 1} (letters with accents, Hangul, …); the FMC accepts only A–Z, a–z, 0–9 and special characters`;
  }
  return undefined;
}

export function validateFmcSettings(s: FmcProxySettings): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  const host = s.host.trim();
  if (host === '')
    out.push({
      field: 'host',
      severity: 'error',
      message: "HTTP Proxy is empty: enter the proxy's IP address or FQDN",
    });
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host))
    out.push({
      field: 'host',
      severity: 'error',
      message: `HTTP Proxy "${host}" includes a scheme: enter only the address (e.g. ${host.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[:/].*$/, '')}), without http://`,
    });
  else if (/^[^:[\]]+:\d+$/.test(host))
    out.push({
      field: 'host',
      severity: 'error',
      message: `HTTP Proxy "${host}" includes a port: put ${host.split(':')[1]} in the Port field and only ${host.split(':')[0]} here`,
    });
  else if (!net.isIP(host.replace(/^\[|\]$/g, ''))) {
    if (!isFqdn(host))
      out.push({
        field: 'host',
        severity: 'error',
        message: `HTTP Proxy "${host}" is neither an IP address nor a valid FQDN (letters, digits and hyphens in dot-separated labels of at most 63 characters)`,
      });
    else if ((s.smartLicensing ?? true) && host.length > FQDN_MAX_WITH_SMART_LICENSING)
      out.push({
        field: 'host',
        severity: 'error',
        message: `the proxy FQDN is ${host.length} characters; with Smart Licensing the FMC accepts at most ${FQDN_MAX_WITH_SMART_LICENSING}. Use a shorter DNS alias (CNAME) or the IP address`,
      });
  }
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
    out.push({
      field: 'port',
      severity: 'error',
      message: `Port ${String(s.port)} is out of range: enter a whole number from 1 to 65535 (commonly 3128, 8080 or 80)`,
    });
  if (s.useAuth) {
    if (!s.username || s.username.trim() === '')
      out.push({
        field: 'username',
        severity: 'error',
        message: 'Use Proxy Authentication is on but User Name is empty',
      });
    else if (/\s/.test(s.username))
      out.push({
        field: 'username',
        severity: 'warning',
        message: 'User Name contains a space; check it is exactly the proxy account name',
      });
    if (!s.password)
      out.push({
        field: 'password',
        severity: 'error',
        message: 'Use Proxy Authentication is on but Password is empty',
      });
    else {
      const why = passwordProblem(s.password);
      if (why) out.push({ field: 'password', severity: 'error', message: why });
    }
  }
  if (s.authType === 'ntlm' || s.authType === 'negotiate')
    out.push({
      field: 'authType',
      severity: 'error',
      message: `${s.authType === 'ntlm' ? 'NTLM' : 'Negotiate (Kerberos/NTLM)'} proxy authentication is not supported by the FMC: it supports Basic and Digest. Ask the proxy team to enable Basic or Digest for the FMC's account, or to exempt the FMC's address`,
    });
  if (!s.enabled)
    out.push({
      field: 'enabled',
      severity: 'warning',
      message: 'the proxy is not enabled: the FMC connects directly to the internet on TCP/443 and TCP/80',
    });
  return out;
}

export interface ConfigMismatch {
  field: 'host' | 'port' | 'username' | 'enabled';
  fmcFile: string;
  settings: string;
  message: string;
}

/** Differences between what the FMC actually uses (iprep_proxy.conf) and the settings given. */
export function compareConfWithSettings(conf: IprepProxyConf, s: FmcProxySettings): ConfigMismatch[] {
  const out: ConfigMismatch[] = [];
  const norm = (h: string) =>
    h
      .trim()
      .toLowerCase()
      .replace(/\.$/, '')
      .replace(/^\[|\]$/g, '');
  if (!s.enabled) {
    out.push({
      field: 'enabled',
      fmcFile: 'proxy configured',
      settings: 'disabled',
      message: 'iprep_proxy.conf names a proxy but the settings say the proxy is disabled',
    });
    return out;
  }
  if (conf.host === undefined || norm(conf.host) !== norm(s.host))
    out.push({
      field: 'host',
      fmcFile: conf.host ?? '(missing)',
      settings: s.host,
      message: `the FMC uses proxy host ${conf.host ?? '(none)'} but the settings say ${s.host}: the FMC has not applied the settings (save and deploy again) or they were changed elsewhere`,
    });
  if (conf.port !== s.port)
    out.push({
      field: 'port',
      fmcFile: conf.port === undefined ? '(missing)' : String(conf.port),
      settings: String(s.port),
      message: `the FMC uses proxy port ${conf.port ?? '(none)'} but the settings say ${s.port}`,
    });
  if (s.useAuth && conf.username !== undefined && conf.username !== s.username)
    out.push({
      field: 'username',
      fmcFile: conf.username,
      settings: s.username ?? '',
      message: `the FMC uses proxy user ${conf.username} but the settings say ${s.username ?? '(none)'}`,
    });
  return out;
}
