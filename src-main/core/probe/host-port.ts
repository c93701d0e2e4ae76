// HOST:PORT as an admin types a proxy or target: an IPv4 address, a name, or [IPv6]:PORT.
// One parser for every place that reads one (CLI flags, capture files' --proxy).
import { isIPv6 } from 'node:net';
import type { HostPort } from './types.js';

/** Parses HOST:PORT or [IPv6]:PORT; throws an Error that starts with `label` and says what is wrong. */
export function parseHostPort(text: string, label = 'HOST:PORT'): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s[\]]+):(\d+)$/.exec(text);
  if (!m) {
    throw new Error(`${label} needs HOST:PORT (e.g. 10.10.10.1:3128 or [2001:db8::1]:8080), got '${text}'.`);
  }
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`${label}: port ${m[2]} is out of range 1-65535.`);
  if (text.startsWith('[') && !isIPv6(m[1]!)) throw new Error(`${label}: '${m[1]}' is not an IPv6 address.`);
  return { host: m[1]!, port };
}
