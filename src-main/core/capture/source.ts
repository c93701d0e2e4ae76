// What every capture backend gives the session: packets in batches, stats, a way to stop.
import type { RawPacket } from '../pcap/types.js';
import type { CaptureError } from './errors.js';
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
  helperPath?: string;
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
