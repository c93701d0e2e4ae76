// Messages between the session and the capture helper process (IPC, 'advanced' serialization).

export interface OpenRequest {
  t: 'open';
  device: string;
  filter: string;
  /** libpcap kernel buffer size in bytes */
  bufferBytes: number;
  /** send a batch at least this often (ms)... */
  batchMs: number;
  /** ...or as soon as it holds this many packets */
  batchPackets: number;
  /** batches the helper keeps while the parent is slow; beyond that the oldest is dropped */
  maxPendingBatches: number;
}

export interface ListRequest {
  t: 'list';
  /** open every interface briefly to learn its link type and whether capture is permitted */
  tryOpen: boolean;
}

export type ToHelper = OpenRequest | ListRequest | { t: 'stop' };

export interface HelperInterface {
  name: string;
  description?: string;
  addresses: { addr: string; netmask?: string; broadaddr?: string }[];
  loopback: boolean;
  linkType: number | null;
  capturePermitted: boolean | null;
  captureError?: string;
}

export type FromHelper =
  | { t: 'ready' }
  | { t: 'opened'; linkType: number; linkName: string }
  | { t: 'error'; message: string; phase: 'load' | 'open' | 'list' | 'run' }
  | { t: 'batch'; buf: Uint8Array; count: number }
  | { t: 'stats'; received: number; helperDropped: number }
  | { t: 'list'; interfaces: HelperInterface[] }
  | { t: 'stopped'; received: number; helperDropped: number };
