// Capture filters: the one built from the proxy settings, and a compile check before the capture
// starts. Compiling uses `tcpdump -d -r EMPTY.pcap FILTER`: libpcap compiles for the link type of
// that empty file, so no capture rights are needed and nothing is opened.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LinkType } from '../pcap/types.js';
import { CaptureError } from './errors.js';
import { findExecutable } from './tools.js';

export interface ProxyFilterSettings {
  /** proxy address or host name */
  host: string;
  port: number;
  /** add `or icmp or icmp6` (fragmentation-needed / packet-too-big evidence for MTU problems); default true */
  icmp?: boolean;
}

const HOST_RE = /^[A-Za-z0-9.:_-]+$/;

/** `host P and port N or icmp or icmp6` — parenthesised so the ICMP part stays independent */
export function buildProxyFilter(s: ProxyFilterSettings): string {
  const host = s.host.trim().replace(/^\[(.*)\]$/, '$1');
  if (!host || !HOST_RE.test(host))
    throw new CaptureError('bad-options', `The proxy host '${s.host}' cannot go into a capture filter.`, [
      "Use the proxy's IP address or plain host name.",
    ]);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
    throw new CaptureError('bad-options', `The proxy port ${s.port} is not a port number (1-65535).`);
  const main = `host ${host} and tcp port ${s.port}`;
  return s.icmp === false ? main : `(${main}) or icmp or icmp6`;
}

export interface CompileResult {
  ok: boolean;
  /** libpcap's message */
  message?: string;
  /** 0-based character offset of the first part of the filter that does not parse, when found */
  position?: number;
  /** false when no compiler (tcpdump) is available: the filter is checked when the capture opens */
  checked: boolean;
}

function emptyPcap(linkType: number): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(linkType, 20);
  return b;
}

function runCompile(tcpdump: string, file: string, filter: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      tcpdump,
      ['-d', '-r', file, '--', filter],
      { timeout: 10000, maxBuffer: 4 * 1024 * 1024 },
      (err, _out, stderr) => {
        if (!err) return resolve(null);
        const msg = String(stderr)
          .split('\n')
          .filter((l) => l.trim() && !/^reading from file/.test(l))
          .join(' ')
          .replace(/^tcpdump: /, '')
          .trim();
        resolve(msg || err.message);
      },
    );
  });
}

/** token start offsets of a filter (words, and parentheses/operators as their own tokens) */
function tokenStarts(filter: string): number[] {
  const out: number[] = [];
  const re = /[()]|[!<>=&|]+|[^\s()!<>=&|]+/g;
  for (let m = re.exec(filter); m; m = re.exec(filter)) out.push(m.index);
  return out;
}

/**
 * Compiles `filter` for `linkType`. libpcap's messages do not say where a syntax error is, so
 * on failure the longest prefix (in whole tokens) that compiles is found: the error lies in what
 * follows it.
 */
export async function compileFilter(
  filter: string,
  linkType: number = LinkType.ETHERNET,
): Promise<CompileResult> {
  if (!filter.trim()) return { ok: true, checked: true };
  const tcpdump = findExecutable('tcpdump');
  if (!tcpdump) return { ok: true, checked: false };
  const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-bpf-'));
  try {
    const file = path.join(dir, 'empty.pcap');
    writeFileSync(file, emptyPcap(linkType));
    const message = await runCompile(tcpdump, file, filter);
    if (message === null) return { ok: true, checked: true };
    const starts = tokenStarts(filter);
    let position: number | undefined;
    // "unknown host 'x'", "unknown port 'x'": the name is in the message
    const named = /'([^']+)'/.exec(message);
    if (named && filter.includes(named[1]!)) position = filter.indexOf(named[1]!);
    else {
      let goodTokens = 0;
      for (let k = starts.length - 1; k >= 1; k--) {
        const prefix = filter.slice(0, starts[k]).trim();
        if ((await runCompile(tcpdump, file, prefix)) === null) {
          goodTokens = k;
          break;
        }
      }
      // "tcp and portx": the valid part is "tcp", but the culprit is what follows the operator
      const opAt = (k: number): boolean =>
        k < starts.length &&
        /^(and|or|&&|\|\||not|!)$/i.test(filter.slice(starts[k], starts[k + 1] ?? filter.length).trim());
      while (goodTokens > 0 && opAt(goodTokens) && goodTokens + 1 < starts.length) goodTokens++;
      position = goodTokens < starts.length ? starts[goodTokens] : filter.length;
    }
    return { ok: false, message, position, checked: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** throws the bad-filter CaptureError, pointing at the position */
export async function assertFilterCompiles(filter: string, linkType?: number): Promise<CompileResult> {
  const r = await compileFilter(filter, linkType);
  if (!r.ok) {
    const caret =
      r.position !== undefined
        ? `\n  ${filter}\n  ${' '.repeat(r.position)}^ ${r.position === 0 ? 'here' : `the filter stops making sense here (character ${r.position + 1})`}`
        : '';
    throw new CaptureError(
      'bad-filter',
      `The capture filter is not valid: ${r.message}${caret}`,
      ['Check the BPF syntax (man pcap-filter), e.g.: host 192.0.2.10 and tcp port 3128 or icmp'],
      undefined,
      r.position,
    );
  }
  return r;
}

/** the link type a capture on this interface is likely to have, to compile filters for it */
export async function guessLinkType(iface: string): Promise<number> {
  if (iface === 'any') return LinkType.LINUX_SLL;
  if (process.platform === 'linux' && /^[\w.@:-]+$/.test(iface)) {
    try {
      const { readFile } = await import('node:fs/promises');
      return (
        arphrdToLinkType(Number((await readFile(`/sys/class/net/${iface}/type`, 'utf8')).trim())) ??
        LinkType.ETHERNET
      );
    } catch {
      // not a netdev (nflog, dbus…) or not Linux
    }
  }
  return LinkType.ETHERNET;
}

/** ARPHRD_* (include/uapi/linux/if_arp.h) to the LINKTYPE_* libpcap gives on Linux */
export function arphrdToLinkType(arphrd: number): number | null {
  switch (arphrd) {
    case 1: // ETHER
    case 772: // LOOPBACK: libpcap presents lo as Ethernet
      return LinkType.ETHERNET;
    case 65534: // NONE (tun, wireguard)
    case 776: // SIT
    case 768: // IPIP
    case 769: // TUNNEL6
    case 778: // IPGRE
      return LinkType.RAW;
    case 512: // PPP
      return LinkType.LINUX_SLL;
    case 801: // IEEE80211
      return 105;
    case 803: // IEEE80211_RADIOTAP
      return 127;
    default:
      return null;
  }
}
