// A tiny proxied-CONNECT capture built byte by byte, for tests of the packets.* methods and the
// packet list. Addresses are the FMC document's example data: never contacted.
/** Ethernet + IPv4 + TCP from 10.40.40.1:40220 (or back) to 10.10.10.1:80 (data only, never contacted). */
export function tcpFrame(toProxy: boolean, flags: number, seq: number, ack: number, payload = ''): Buffer {
  const data = Buffer.from(payload, 'latin1');
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(toProxy ? 40220 : 80, 0);
  tcp.writeUInt16BE(toProxy ? 80 : 40220, 2);
  tcp.writeUInt32BE(seq, 4);
  tcp.writeUInt32BE(ack, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(64240, 14);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + data.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  const a = [10, 40, 40, 1];
  const b = [10, 10, 10, 1];
  Buffer.from(toProxy ? a : b).copy(ip, 12);
  Buffer.from(toProxy ? b : a).copy(ip, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const eth = Buffer.from('00505600000100505600000208 00'.replace(/ /g, ''), 'hex');
  return Buffer.concat([eth, ip, tcp, data]);
}

export function pcap(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000, 0);
    rec.writeUInt32LE(i * 1000, 4);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, f);
  });
  return Buffer.concat(parts);
}

export const SYN = 0x02;
export const ACK = 0x10;
export const PSH = 0x08;
export const CONNECT = 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n';

/** SYN, SYN-ACK, ACK, then the CONNECT request: four packets. */
export function connectCapture(): Buffer {
  return pcap([
    tcpFrame(true, SYN, 1000, 0),
    tcpFrame(false, SYN | ACK, 5000, 1001),
    tcpFrame(true, ACK, 1001, 5001),
    tcpFrame(true, PSH | ACK, 1001, 5001, CONNECT),
  ]);
}
