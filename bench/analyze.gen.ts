// Generates a synthetic explicit-proxy capture for bench/analyze.ts: many TCP conversations from
// clients to a proxy on port 3128 — three-way handshakes with MSS/SACK/TS/WS options, CONNECT,
// 200/403/407 answers, TLS 1.2 ClientHello / ServerHello+Certificate+ServerHelloDone flights split
// over several segments, application data both ways, and FIN or RST teardown.
import forge from 'node-forge';
import { PcapWriter } from '../src-main/core/pcap/index.js';

const PROXY_IP = [10, 10, 10, 100];
const PROXY_MAC = [0x00, 0x50, 0x56, 0x8d, 0x11, 0x22];
const CLIENT_MAC = [0x00, 0x50, 0x56, 0x8d, 0x76, 0x9d];
const PROXY_PORT = 3128;
const MSS = 1448;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

const enc = new TextEncoder();

/** A self-signed certificate made once, so the TLS flights carry a real, parseable Certificate. */
function certificateDer(): Uint8Array {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2027-01-01T00:00:00Z');
  const attrs = [{ name: 'commonName', value: 'tools.cisco.com' }];
  cert.setSubject(attrs);
  cert.setIssuer([{ name: 'commonName', value: 'Bench Proxy CA' }]);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'tools.cisco.com' }] }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return Uint8Array.from(der, (c) => c.charCodeAt(0));
}

function u16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}
function u24(n: number): number[] {
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function tlsRecord(type: number, body: number[]): number[] {
  return [type, 3, 3, ...u16(body.length), ...body];
}

function handshake(type: number, body: number[]): number[] {
  return [type, ...u24(body.length), ...body];
}

function clientHello(sni: string): Uint8Array {
  const name = [...enc.encode(sni)];
  const sniExt = [0, 0, ...u16(name.length + 5), ...u16(name.length + 3), 0, ...u16(name.length), ...name];
  const alpn = [...u16(16), ...u16(14), ...u16(12), 2, ...enc.encode('h2'), 8, ...enc.encode('http/1.1')];
  const versions = [0, 43, ...u16(5), 4, 3, 4, 3, 3];
  const groups = [0, 10, ...u16(6), ...u16(4), 0, 29, 0, 23];
  const exts = [...sniExt, ...alpn, ...versions, ...groups];
  const suites = [0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 0xc0, 0x30, 0x00, 0x9c];
  const body = [
    3,
    3,
    ...new Array(32).fill(7),
    32,
    ...new Array(32).fill(9),
    ...u16(suites.length),
    ...suites,
    1,
    0,
    ...u16(exts.length),
    ...exts,
  ];
  return Uint8Array.from(tlsRecord(22, handshake(1, body)));
}

function serverFlight(cert: Uint8Array): Uint8Array {
  const hello = handshake(2, [3, 3, ...new Array(32).fill(5), 0, 0xc0, 0x2f, 0, ...u16(5), 0xff, 1, 0, 1, 0]);
  const certs = [...u24(cert.length), ...cert];
  const certificate = handshake(11, [...u24(certs.length), ...certs]);
  const done = handshake(14, []);
  return Uint8Array.from([...tlsRecord(22, hello), ...tlsRecord(22, certificate), ...tlsRecord(22, done)]);
}

function appData(len: number, seed: number): Uint8Array {
  const body = new Array<number>(len);
  for (let i = 0; i < len; i++) body[i] = (seed + i * 31) & 255;
  return Uint8Array.from(tlsRecord(23, body));
}

interface Endpoint {
  mac: number[];
  ip: number[];
  port: number;
  seq: number;
  ts: number;
}

/** Builds one Ethernet/IPv4/TCP frame (IP checksum filled in; TCP checksum left 0 as offload does). */
function frame(
  src: Endpoint,
  dst: Endpoint,
  flags: number,
  payload: Uint8Array,
  ack: number,
  options: number[],
  ipId: number,
): Uint8Array {
  const tcpLen = 20 + options.length;
  const total = 20 + tcpLen + payload.length;
  const b = new Uint8Array(14 + total);
  b.set(dst.mac, 0);
  b.set(src.mac, 6);
  b[12] = 0x08;
  b[13] = 0x00;
  const ip = 14;
  b[ip] = 0x45;
  b[ip + 2] = total >> 8;
  b[ip + 3] = total & 255;
  b[ip + 4] = (ipId >> 8) & 255;
  b[ip + 5] = ipId & 255;
  b[ip + 6] = 0x40; // DF
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  b.set(src.ip, ip + 12);
  b.set(dst.ip, ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (b[ip + i] << 8) | b[ip + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const ck = ~sum & 0xffff;
  b[ip + 10] = ck >> 8;
  b[ip + 11] = ck & 255;
  const t = ip + 20;
  b[t] = src.port >> 8;
  b[t + 1] = src.port & 255;
  b[t + 2] = dst.port >> 8;
  b[t + 3] = dst.port & 255;
  const seq = src.seq >>> 0;
  b[t + 4] = seq >>> 24;
  b[t + 5] = (seq >>> 16) & 255;
  b[t + 6] = (seq >>> 8) & 255;
  b[t + 7] = seq & 255;
  const a = flags & ACK ? ack >>> 0 : 0;
  b[t + 8] = a >>> 24;
  b[t + 9] = (a >>> 16) & 255;
  b[t + 10] = (a >>> 8) & 255;
  b[t + 11] = a & 255;
  b[t + 12] = (tcpLen / 4) << 4;
  b[t + 13] = flags;
  const win = flags & SYN ? 64240 : 502;
  b[t + 14] = win >> 8;
  b[t + 15] = win & 255;
  b.set(options, t + 20);
  b.set(payload, t + tcpLen);
  return b;
}

function tsOption(ts: number, echo: number): number[] {
  return [
    1,
    1,
    8,
    10,
    ts >>> 24,
    (ts >>> 16) & 255,
    (ts >>> 8) & 255,
    ts & 255,
    echo >>> 24,
    (echo >>> 16) & 255,
    (echo >>> 8) & 255,
    echo & 255,
  ];
}

export interface GenerateResult {
  packets: number;
  conversations: number;
  bytes: number;
}

/** Writes `target` packets (exactly) of proxy traffic to `file` as classic pcap (Ethernet, µs). */
export function generateProxyCapture(file: string, target: number): GenerateResult {
  const w = new PcapWriter(file, { linkType: 1 });
  const cert = certificateDer();
  const flight = serverFlight(cert);
  let packets = 0;
  let conversations = 0;
  let usec = 0;
  let tsSec = 1_780_000_000;
  let ipId = 1;
  const write = (data: Uint8Array): void => {
    if (packets >= target) return;
    usec += 37 + (packets % 11) * 13;
    while (usec >= 1_000_000) {
      usec -= 1_000_000;
      tsSec++;
    }
    w.writePacket({ tsSec, tsNsec: usec * 1000, data });
    packets++;
  };

  while (packets < target) {
    const k = conversations++;
    const client: Endpoint = {
      mac: CLIENT_MAC,
      ip: [10, 1 + ((k >> 16) & 63), (k >> 8) & 255, 1 + (k & 127)],
      port: 20000 + (k % 40000),
      seq: (k * 2654435761) >>> 0,
      ts: k * 1000,
    };
    const proxy: Endpoint = {
      mac: PROXY_MAC,
      ip: PROXY_IP,
      port: PROXY_PORT,
      seq: (k * 40503 + 12345) >>> 0,
      ts: k * 1000 + 7,
    };
    const send = (
      from: Endpoint,
      to: Endpoint,
      flags: number,
      payload: Uint8Array = new Uint8Array(0),
      options?: number[],
    ): void => {
      from.ts += 1;
      const opts = options ?? [1, 1, ...tsOption(from.ts, to.ts).slice(2)];
      write(frame(from, to, flags, payload, to.seq, opts, ipId++ & 0xffff));
      from.seq = (from.seq + payload.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    };
    const segmented = (from: Endpoint, to: Endpoint, data: Uint8Array, firstCut?: number): void => {
      let off = 0;
      while (off < data.length) {
        const len = Math.min(off === 0 && firstCut ? firstCut : MSS, data.length - off);
        send(from, to, PSH | ACK, data.subarray(off, off + len));
        off += len;
      }
    };

    // handshake with MSS, SACK_PERM, timestamps, window scale
    send(client, proxy, SYN, undefined, [
      2,
      4,
      5,
      0xb4,
      4,
      2,
      ...tsOption(client.ts, 0).slice(2),
      1,
      3,
      3,
      7,
    ]);
    send(proxy, client, SYN | ACK, undefined, [
      2,
      4,
      5,
      0xb4,
      4,
      2,
      ...tsOption(proxy.ts, client.ts).slice(2),
      1,
      3,
      3,
      7,
    ]);
    send(client, proxy, ACK);
    const host = k % 5 === 0 ? 'tools.cisco.com' : `api${k % 97}.example.net`;
    send(
      client,
      proxy,
      PSH | ACK,
      enc.encode(
        `CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\nUser-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n`,
      ),
    );
    send(proxy, client, ACK);
    const kind = k % 10;
    if (kind === 7) {
      const body = '<html><body>Proxy authentication required</body></html>\n';
      send(
        proxy,
        client,
        PSH | ACK,
        enc.encode(
          `HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid/5.7\r\nProxy-Authenticate: Basic realm="Squid proxy"\r\nX-Squid-Error: ERR_CACHE_ACCESS_DENIED 0\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      send(client, proxy, ACK);
      send(proxy, client, FIN | ACK);
      send(client, proxy, FIN | ACK);
      send(proxy, client, ACK);
      continue;
    }
    if (kind === 8) {
      const body = '<html><body>Access denied</body></html>\n';
      send(
        proxy,
        client,
        PSH | ACK,
        enc.encode(
          `HTTP/1.1 403 Forbidden\r\nServer: squid/5.7\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      send(client, proxy, ACK);
      send(client, proxy, RST | ACK);
      continue;
    }
    send(proxy, client, PSH | ACK, enc.encode('HTTP/1.1 200 Connection established\r\n\r\n'));
    send(client, proxy, ACK);
    // TLS inside the tunnel: ClientHello cut in two, the server flight over several segments
    segmented(client, proxy, clientHello(host), 60);
    send(proxy, client, ACK);
    segmented(proxy, client, flight, 200);
    send(client, proxy, ACK);
    send(client, proxy, PSH | ACK, appData(150, k));
    for (let i = 0; i < 3; i++) {
      send(proxy, client, PSH | ACK, appData(1200, k + i));
      send(client, proxy, ACK);
    }
    send(client, proxy, PSH | ACK, appData(40, k + 9));
    if (kind === 3) {
      send(client, proxy, RST | ACK);
    } else {
      send(client, proxy, FIN | ACK);
      send(proxy, client, FIN | ACK);
      send(client, proxy, ACK);
    }
  }
  w.close();
  return { packets, conversations, bytes: w.bytesWritten };
}
