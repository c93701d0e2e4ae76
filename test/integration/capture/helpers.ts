// Shared bits of the capture integration tests: a loopback TCP traffic maker, a minimal
// Ethernet/IPv4/TCP parse of what was captured, and tool checks.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { u16be, u32be } from '../../../src-main/core/pcap/bytes.js';
import { findExecutable } from '../../../src-main/core/capture/tools.js';
import { detectBackends, type BackendName } from '../../../src-main/core/capture/index.js';

export const isRoot = process.getuid?.() === 0;
export const isLinux = process.platform === 'linux';
export const tshark = findExecutable('tshark');

/** the capture backends installed here */
export const presentBackends: ReadonlySet<BackendName> = new Set(
  detectBackends()
    .filter((b) => b.present)
    .map((b) => b.name),
);

export function skipUnlessRootLinux(): string | false {
  if (!isLinux) return 'capture tests run on Linux';
  if (!isRoot) return 'capture on lo needs root';
  return false;
}

export interface TcpSegment {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  payload: number;
}

/** Ethernet (lo) + IPv4 + TCP; null for anything else */
export function parseEthIpv4Tcp(d: Uint8Array): TcpSegment | null {
  if (d.length < 14 + 20 + 20) return null;
  if (u16be(d, 12) !== 0x0800) return null;
  const ip = 14;
  const ihl = (d[ip]! & 0x0f) * 4;
  if (d[ip + 9] !== 6) return null;
  const total = u16be(d, ip + 2);
  const tcp = ip + ihl;
  const doff = (d[tcp + 12]! >> 4) * 4;
  return {
    src: `${d[ip + 12]}.${d[ip + 13]}.${d[ip + 14]}.${d[ip + 15]}`,
    dst: `${d[ip + 16]}.${d[ip + 17]}.${d[ip + 18]}.${d[ip + 19]}`,
    sport: u16be(d, tcp),
    dport: u16be(d, tcp + 2),
    flags: d[tcp + 13]!,
    payload: total - ihl - doff,
  };
}

export const FIN = 0x01;
export const SYN = 0x02;
export const ACK = 0x10;

export interface EchoServer {
  port: number;
  close(): Promise<void>;
}

/** a server that answers each connection's data with the same bytes, then closes */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** one connection: send `bytes` bytes, read them back, close; resolves with the client port */
export function echoOnce(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = 0;
    let localPort = 0;
    c.on('connect', () => {
      localPort = c.localPort!;
      c.write(Buffer.alloc(bytes, 0x61));
    });
    c.on('data', (d) => {
      got += d.length;
      if (got >= bytes) c.end();
    });
    c.on('close', () => resolve(localPort));
    c.on('error', reject);
  });
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** tshark's packet count for a file (null when tshark is missing) */
export function tsharkCount(file: string): number | null {
  if (!tshark) return null;
  const r = spawnSync(tshark, ['-r', file, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

/** UDP datagrams to a bound socket on 127.0.0.1; each payload starts with its sequence number (u32 BE). */
export async function udpSender(): Promise<{
  port: number;
  send(n: number, size?: number, from?: number): Promise<void>;
  close(): void;
}> {
  const rx = dgram.createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  const port = (rx.address() as { port: number }).port;
  const tx = dgram.createSocket('udp4');
  return {
    port,
    async send(n, size = 100, from = 0) {
      for (let i = 0; i < n; i++) {
        const b = Buffer.alloc(size, 0x62);
        b.writeUInt32BE(from + i, 0);
        await new Promise<void>((r) => tx.send(b, port, '127.0.0.1', () => r()));
      }
    },
    close() {
      rx.close();
      tx.close();
    },
  };
}

/** the sequence number udpSender put first in the UDP payload (Ethernet + 20-byte IPv4 + UDP) */
export function udpFirstWord(frame: Uint8Array): number {
  return u32be(frame, 14 + 20 + 8);
}
