// The per-packet facts the diagnosis needs, and nothing more. Kept independent of the dissection
// engine so the ladder and the rules can be tested on hand-written packets; engine-facts.ts fills
// them from the packet engine (its first pass, and field values for the few frames that need it).

export interface TcpFacts {
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  psh?: boolean;
  /** raw (absolute) sequence and acknowledgement numbers; the diagnosis makes them relative */
  seq: number;
  ackNo: number;
  payloadLength: number;
  window?: number;
  /** MSS option of a SYN / SYN-ACK */
  mss?: number;
  /** the engine's TCP analysis (hand-written facts may leave it out: the diagnosis then derives it) */
  analysis?: { retransmission?: boolean; dupAck?: boolean; zeroWindow?: boolean; lostSegment?: boolean };
  /** the segment's payload bytes when available: lets the diagnosis see a TLS record cut short */
  payload?: Uint8Array;
  /** on a FIN/RST: the sender's TLS byte stream stops inside a record (a transfer cut short) */
  tlsRecordOpen?: boolean;
  /** on a FIN/RST: the other side's TLS byte stream is inside a record (data it never finished) */
  peerTlsRecordOpen?: boolean;
}

export interface HttpFacts {
  request?: {
    method: string;
    uri: string;
    /** a Proxy-Authorization header was present; its scheme ("Basic", "Digest"), never its value */
    proxyAuthorization?: string;
  };
  response?: {
    code: number;
    phrase?: string;
    /** auth schemes of every Proxy-Authenticate header ("Basic", "Digest", "NTLM", "Negotiate") */
    proxyAuthenticate?: string[];
    /** X-Squid-Error (or a similar proxy error marker) value */
    proxyError?: string;
  };
}

export interface TlsFacts {
  /** record content types in this packet (20 ccs, 21 alert, 22 handshake, 23 application data) */
  contentTypes: number[];
  /** handshake message types (1 ClientHello, 2 ServerHello, 11 Certificate, ...) */
  handshakeTypes: number[];
  sni?: string;
  /** negotiated version from ServerHello (0x0304 for TLS 1.3 via supported_versions) */
  serverVersion?: number;
  alert?: { level: number; description: number };
  /** issuer / subject of each certificate in a Certificate message, leaf first */
  certIssuers?: string[];
  certSubjects?: string[];
}

export interface IcmpFacts {
  type: number;
  code: number;
  /** next-hop MTU of a "fragmentation needed" (type 3 code 4) or ICMPv6 packet-too-big */
  mtu?: number;
  /** the quoted packet's addresses and ports (which conversation the error is about) */
  inner?: { src: string; dst: string; srcPort?: number; dstPort?: number };
}

export interface DnsFacts {
  isResponse: boolean;
  id?: number;
  queryName?: string;
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ... */
  rcode?: number;
  answerCount?: number;
}

export interface PacketFacts {
  /** frame number, 1-based as in the packet list */
  no: number;
  /** seconds (any origin, the same for every packet of the capture) */
  time: number;
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  /** length of the IP packet (header + payload), for "full-size segment" decisions */
  ipLength?: number;
  tcp?: TcpFacts;
  http?: HttpFacts;
  tls?: TlsFacts;
  icmp?: IcmpFacts;
  dns?: DnsFacts;
}

export interface Endpoint {
  host: string;
  port: number;
}
