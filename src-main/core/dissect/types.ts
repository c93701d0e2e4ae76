// Shared shapes of dissection results, used by dissect/, tcp/, filter/, store/, diagnose/ and the
// renderer (through api.ts). Kept free of behaviour so every module can import it.

/** A field's value. Addresses are strings in their usual text form ("10.0.0.1", "00:50:56:8d:76:9d"). */
export type FieldValue = number | bigint | string | boolean | Uint8Array;

export type ExpertSeverity = 'chat' | 'note' | 'warn' | 'error';
export type ExpertGroup =
  'malformed' | 'sequence' | 'protocol' | 'request' | 'response' | 'security' | 'comment' | 'diagnosis';

/** An expert item (Wireshark's term): something a packet means, with a severity. */
export interface ExpertItem {
  /** stable id, e.g. "tcp.analysis.retransmission", "malformed", or a known-issue id */
  id: string;
  severity: ExpertSeverity;
  group: ExpertGroup;
  message: string;
}

/** One line of the details tree; offset/length index the bytes of `source` for the hex view. */
export interface FieldNode {
  label: string;
  /** filter name (e.g. "tcp.srcport"); absent for text-only lines */
  field?: string;
  value?: FieldValue;
  offset: number;
  length: number;
  /** 0 = the frame's bytes; n > 0 = PacketDetail.extraSources[n-1] (reassembled data) */
  source?: number;
  /** generated lines (Wireshark shows them in [brackets]) carry no bytes of their own */
  generated?: boolean;
  expert?: ExpertItem;
  children?: FieldNode[];
}

/** One row of the packet list, as Wireshark's default columns. */
export interface PacketSummary {
  no: number;
  /** seconds since the first packet */
  time: number;
  src: string;
  dst: string;
  protocol: string;
  length: number;
  info: string;
  comment?: string;
  /** worst expert severity on the packet, for colouring */
  severity?: ExpertSeverity;
}

export interface PacketDetail {
  summary: PacketSummary;
  tree: FieldNode[];
  bytes: Uint8Array;
  extraSources: { label: string; bytes: Uint8Array }[];
  expert: ExpertItem[];
}

/** What the display-filter evaluator needs from a dissected packet. */
export interface FieldSource {
  /** protocol names present ("eth", "ip", "tcp", "http", "tls", ...) */
  hasProtocol(name: string): boolean;
  /** every value of a field in this packet (a field may occur several times), empty if absent */
  values(field: string): readonly FieldValue[];
}
