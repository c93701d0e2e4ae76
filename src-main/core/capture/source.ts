// What every capture backend gives the session: packets in batches, stats, a way to stop.
import type { RawPacket } from '../pcap/types.js';
import type { CaptureError } from './errors.js';
import type { HelperLauncher } from './helper-channel.js';
import type { BackendName } from './types.js';

export interface SourceStats {
  /** packets the backend took from libpcap */
  received: number;
  droppedByKernel: number | null;
  droppedByInterface: number | null;
  /** packets the capture helper dropped itself because the session did not keep up */
  helperDropped: number;
}

export interface SourceSink {
  /** a batch in arrival order; the packets' data belong to the receiver (already copied) */
  onPackets(packets: RawPacket[], bytes: number): void;
  /** the backend ended by itself (error, or the tool exited) */
  onEnd(error?: CaptureError): void;
}

export interface PacketSource {
  readonly backend: BackendName;
  readonly interfaceName: string;
  readonly linkType: number;
  readonly timestampSource: 'kernel' | 'dispatch';
  readonly promiscuous: boolean;
  stats(): SourceStats;
  /** stops capturing; resolves once every packet captured so far went to the sink */
  stop(): Promise<void>;
}

export interface SourceOptions {
  interface: string;
  filter: string;
  snapLength: number;
  promiscuous: boolean;
  /** kernel capture buffer (libpcap pcap_set_buffer_size / tcpdump -B / dumpcap -B) */
  bufferBytes: number;
  helperPath?: string;
  helperLauncher?: HelperLauncher;
}

const MiB = 1024 * 1024;

/**
 * The kernel buffer to ask for. In immediate mode libpcap on Linux uses fixed-size ring frames as
 * big as the interface MTU, so on lo (MTU 65536) 32 MiB holds only ~500 packets and a 10 ms pause
 * of the reader drops at 50k packets/s. Size for ~4096 frames: 32 MiB on Ethernet, 256 MiB on lo.
 */
export async function kernelBufferBytes(iface: string): Promise<number> {
  let mtu = 1500;
  if (process.platform === 'linux') {
    const { readFile, readdir } = await import('node:fs/promises');
    const read = async (name: string): Promise<number> =>
      Number((await readFile(`/sys/class/net/${name}/mtu`, 'utf8').catch(() => '1500')).trim()) || 1500;
    if (iface === 'any')
      mtu = Math.max(
        1500,
        ...(await Promise.all((await readdir('/sys/class/net').catch(() => [] as string[])).map(read))),
      );
    else if (/^[\w.@:-]+$/.test(iface)) mtu = await read(iface);
  }
  return Math.min(256 * MiB, Math.max(32 * MiB, Math.ceil(((mtu + 256) * 4096) / MiB) * MiB));
}

/** interface rx_dropped from sysfs (Linux); libpcap's ps_ifdrop comes from the same counters */
export async function readIfDropped(iface: string): Promise<number | null> {
  if (process.platform !== 'linux' || !/^[\w.@:-]+$/.test(iface)) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    return Number((await readFile(`/sys/class/net/${iface}/statistics/rx_dropped`, 'utf8')).trim());
  } catch {
    return null;
  }
}
