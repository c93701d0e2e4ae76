// Shapes of live capture: backends, options, stats, interfaces. Used by the session, CLI and UI.
import type { RawPacket } from '../pcap/types.js';
import type { HelperLauncher } from './helper-channel.js';

/** `cap`: the libpcap binding in a capture helper process; `tcpdump`/`dumpcap`: a pipe from the tool. */
export type BackendName = 'cap' | 'tcpdump' | 'dumpcap';

/** Which backends this machine has, and what is missing for the others. */
export interface BackendAvailability {
  name: BackendName;
  present: boolean;
  /** executable (tcpdump/dumpcap) or the helper module (cap) */
  path?: string;
  /** when absent: why, and how to get it on this OS */
  missingReason?: string;
  install?: string[];
}

export interface CaptureLimits {
  /** stop after this many packets */
  count?: number;
  /** stop after this many seconds */
  durationSec?: number;
  /** stop after this many bytes written to the capture file(s) */
  maxBytes?: number;
}

export interface RingBufferOptions {
  /** keep the last `files` files... */
  files: number;
  /** ...of about `fileBytes` each */
  fileBytes: number;
}

export interface CaptureOptions {
  interface: string;
  /** BPF capture filter ('' or absent: everything) */
  filter?: string;
  /** 'auto' (default) picks the best present and permitted backend */
  backend?: BackendName | 'auto';
  /** write every packet to this pcapng file (ring mode: the base name of the files) */
  writePath?: string;
  ring?: RingBufferOptions;
  limits?: CaptureLimits;
  /** called with every batch of packets in arrival order (the store appends them) */
  onBatch?: (packets: RawPacket[]) => void | Promise<void>;
  /** snapshot length for pipe backends (cap always uses 65535) */
  snapLength?: number;
  /** kernel capture buffer in bytes (default: sized from the MTU, 32 MiB on Ethernet, 256 MiB on lo) */
  bufferBytes?: number;
  /** most batches waiting for the consumer before the oldest is dropped (default 1024) */
  maxQueuedBatches?: number;
  /** most bytes waiting for the consumer before the oldest batch is dropped (default 64 MiB) */
  maxQueuedBytes?: number;
  /** pcapng flush interval in ms (default 250; the contract is at most 500) */
  flushIntervalMs?: number;
  /** the capture helper to fork for `cap` (default: found next to this module) */
  helperPath?: string;
  /** starts the helper (default: child_process.fork; Electron: channelFromUtilityProcess) */
  helperLauncher?: HelperLauncher;
  /** let libpcap put the interface in promiscuous mode (pipe backends only; cap always does) */
  promiscuous?: boolean;
}

export interface CaptureStats {
  backend: BackendName;
  interface: string;
  linkType: number;
  /** packets handed to ProxyScope by the backend */
  received: number;
  /** packets given to the consumer and the file (received minus queue drops) */
  delivered: number;
  bytesWritten: number;
  /** libpcap ps_drop: dropped by the kernel buffer; null when the backend cannot tell */
  droppedByKernel: number | null;
  /** libpcap ps_ifdrop (or the interface's rx_dropped delta); null when unknown */
  droppedByInterface: number | null;
  /** packets ProxyScope itself dropped because its queue was full (oldest batch first) */
  droppedByQueue: number;
  /** pcapng files written so far (ring mode: only the ones kept) */
  files: string[];
  startedAt: number;
  running: boolean;
  /** why the capture ended, once it has */
  stopReason?: StopReason;
  /** how the timestamps were taken */
  timestampSource: 'kernel' | 'dispatch';
  promiscuous: boolean;
}

export type StopReason = 'stopped' | 'count' | 'duration' | 'size' | 'error' | 'backend-exited';

export interface InterfaceAddress {
  addr: string;
  netmask?: string;
  broadaddr?: string;
}

export interface CaptureInterface {
  name: string;
  description?: string;
  addresses: InterfaceAddress[];
  /** LINKTYPE_* a capture on it gives (from a trial open, else /sys/class/net/IF/type) */
  linkType: number | null;
  up: boolean;
  running: boolean;
  loopback: boolean;
  /** could the capture backend open it? null when not tried */
  capturePermitted: boolean | null;
  /** when not permitted: libpcap's reason */
  captureError?: string;
}
