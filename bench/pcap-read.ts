// Benchmark of the capture-file layer: writes a 1,000,000-packet pcap and pcapng with our writers,
// then times reading them with our reader against `tcpdump -nn -r` and `capinfos`.
// Run: node --import tsx bench/pcap-read.ts [packets]   (the files live in a temp dir, removed after)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  LinkType,
  PcapngWriter,
  PcapWriter,
  readCaptureFile,
  readCaptureFileSync,
} from '../src-main/core/pcap/index.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const SIZES = [60, 66, 54, 74, 150, 583, 66, 1514]; // handshakes, ACKs, requests, a full-size segment

function frame(size: number): Uint8Array {
  const f = new Uint8Array(size);
  f.set([0, 0x50, 0x56, 0x8d, 0x76, 0x9d, 0, 0x0c, 0x29, 1, 2, 3, 0x08, 0x00], 0); // Ethernet, IPv4
  f.set(
    [0x45, 0, (size - 14) >> 8, (size - 14) & 0xff, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 10, 10, 2, 10, 10, 10, 1],
    14,
  );
  f.set([0xbe, 0x50, 0x0c, 0x38, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xfa, 0xf0, 0, 0, 0, 0], 34); // TCP 48720 → 3128
  return f;
}
const frames = SIZES.map(frame);

function time<T>(fn: () => T): { ms: number; cpuMs: number; result: T } {
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

/** wall seconds and peak RSS of an external command, its stdout to /dev/null */
function external(cmd: string, args: string[]): string {
  if (!['/usr/bin', '/usr/sbin'].some((d) => existsSync(path.join(d, cmd)))) return `${cmd}: not installed`;
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', 'sh', '-c', `${cmd} ${args.join(' ')} > /dev/null 2>/dev/null`],
    { encoding: 'utf8' },
  );
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return `${(wall * 1000).toFixed(0)} ms wall, ${((user + sys) * 1000).toFixed(0)} ms CPU, peak RSS ${(rssKb / 1024).toFixed(0)} MiB`;
}

const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-bench-pcap-'));
try {
  const pcap = path.join(dir, 'big.pcap');
  const pcapng = path.join(dir, 'big.pcapng');
  const base = 1764213000;
  const w1 = time(() => {
    const w = new PcapWriter(pcap, { linkType: LinkType.ETHERNET });
    for (let i = 0; i < COUNT; i++)
      w.writePacket({
        tsSec: base + Math.floor(i / 1000),
        tsNsec: (i % 1000) * 1_000_000,
        data: frames[i & 7],
      });
    w.close();
  });
  const w2 = time(() => {
    const w = new PcapngWriter(pcapng);
    const eth = w.addInterface({ linkType: LinkType.ETHERNET, name: 'eth0' });
    for (let i = 0; i < COUNT; i++)
      w.writePacket({
        interfaceId: eth,
        tsSec: base + Math.floor(i / 1000),
        tsNsec: (i % 1000) * 1_000_000 + 7,
        data: frames[i & 7],
        comments: i % 10000 === 0 ? ['marker'] : undefined,
      });
    w.close();
  });
  const mb = (f: string) => (statSync(f).size / 1048576).toFixed(0);
  console.log(`packets: ${COUNT}; pcap ${mb(pcap)} MiB, pcapng ${mb(pcapng)} MiB`);
  console.log(`write pcap   (PcapWriter):   ${w1.ms.toFixed(0)} ms wall, ${w1.cpuMs.toFixed(0)} ms CPU`);
  console.log(`write pcapng (PcapngWriter): ${w2.ms.toFixed(0)} ms wall, ${w2.cpuMs.toFixed(0)} ms CPU`);

  for (const file of [pcap, pcapng]) {
    const name = path.basename(file);
    let bytes = 0;
    const sync = time(() => readCaptureFileSync(file, (p) => (bytes += p.capturedLength)));
    if (sync.result.packets !== COUNT)
      throw new Error(`read ${sync.result.packets} packets, expected ${COUNT}`);
    const t0 = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const asyncResult = await readCaptureFile(file, (p) => (bytes += p.capturedLength));
    const asyncMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const asyncCpu = process.cpuUsage(cpu);
    if (asyncResult.packets !== COUNT) throw new Error('async count mismatch');
    console.log(
      `${name}: ProxyScope readCaptureFileSync ${sync.ms.toFixed(0)} ms wall, ${sync.cpuMs.toFixed(0)} ms CPU`,
    );
    console.log(
      `${name}: ProxyScope readCaptureFile     ${asyncMs.toFixed(0)} ms wall, ${((asyncCpu.user + asyncCpu.system) / 1000).toFixed(0)} ms CPU`,
    );
    console.log(`${name}: tcpdump -nn -r > /dev/null     ${external('tcpdump', ['-nn', '-r', file])}`);
    console.log(`${name}: capinfos                       ${external('capinfos', [file])}`);
  }
  console.log(`ProxyScope bench process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
