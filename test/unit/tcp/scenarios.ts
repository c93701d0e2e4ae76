// TCP scenarios built with the frame builders, shared by the analysis tests and the tshark
// cross-check. Each returns RawPackets with realistic spacing (1 ms unless stated).

import { ACK, FIN, PSH, RST, SYN, TcpFlow, raw, linuxSynOptions, type Bytes } from '../../helpers/frames.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

export interface Scenario {
  name: string;
  packets: RawPacket[];
  /** expected Info prefix per frame number (only frames with one) */
  expect: Record<number, string>;
}

function data(n: number, fill = 0): Bytes {
  return new Uint8Array(n).fill(fill);
}

/** Frames with explicit times. */
function timed(list: [number, Bytes][]): RawPacket[] {
  return list.map(([t, f]) => raw(f, t));
}

export function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  {
    // retransmission (RTO-like: 200 ms later) and duplicate ACKs
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47001 }, { ip: '10.10.10.1', port: 47002 });
    const [s, sa, a] = f.handshake();
    const d1 = f.send(0, PSH | ACK, data(100));
    const retr = f.send(0, PSH | ACK, data(100), { seq: f.seq[0] - 100 });
    const ack1 = f.send(1, ACK);
    const dup1 = f.send(1, ACK);
    const dup2 = f.send(1, ACK);
    out.push({
      name: 'retransmission and dup acks',
      packets: timed([
        [0, s],
        [0.01, sa],
        [0.02, a],
        [0.03, d1],
        [0.25, retr],
        [0.26, ack1],
        [0.27, dup1],
        [0.28, dup2],
      ]),
      expect: { 5: '[TCP Retransmission] ', 7: '[TCP Dup ACK 6#1] ', 8: '[TCP Dup ACK 6#2] ' },
    });
  }
  {
    // lost segment, three dup ACKs, fast retransmission
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47003 }, { ip: '10.10.10.1', port: 47004 });
    const hs = f.handshake();
    const seg1 = f.send(0, ACK, data(100));
    const lostSeq = f.seq[0];
    f.seq[0] += 100; // segment 2 never captured
    const seg3 = f.send(0, ACK, data(100));
    // receiver ACKs seg1 then dups (SACK-less)
    const ack = f.send(1, ACK, undefined, { ack: lostSeq });
    const d1 = f.send(1, ACK, undefined, { ack: lostSeq });
    const d2 = f.send(1, ACK, undefined, { ack: lostSeq });
    const d3 = f.send(1, ACK, undefined, { ack: lostSeq });
    const fast = f.send(0, ACK, data(100), { seq: lostSeq });
    out.push({
      name: 'lost segment and fast retransmission',
      packets: timed([
        [0, hs[0]],
        [0.01, hs[1]],
        [0.02, hs[2]],
        [0.03, seg1],
        [0.031, seg3],
        [0.04, ack],
        [0.041, d1],
        [0.042, d2],
        [0.043, d3],
        [0.045, fast],
      ]),
      expect: {
        5: '[TCP Previous segment not captured] ',
        7: '[TCP Dup ACK 6#1] ',
        8: '[TCP Dup ACK 6#2] ',
        9: '[TCP Dup ACK 6#3] ',
        10: '[TCP Fast Retransmission] ',
      },
    });
  }
  {
    // out-of-order: a segment older than the highest, arriving within the iRTT
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47005 }, { ip: '10.10.10.1', port: 47006 });
    const hs = f.handshake();
    const s1Seq = f.seq[0];
    f.seq[0] += 100;
    const s2 = f.send(0, ACK, data(100));
    const s1 = f.send(0, ACK, data(100), { seq: s1Seq });
    out.push({
      name: 'out of order',
      packets: timed([
        [0, hs[0]],
        [0.05, hs[1]],
        [0.1, hs[2]],
        [0.2, s2],
        [0.201, s1],
      ]),
      expect: { 4: '[TCP Previous segment not captured] ', 5: '[TCP Out-Of-Order] ' },
    });
  }
  {
    // zero window, zero-window probe and its ACK, window update, keep-alive and its ACK, FIN, RST
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47007 }, { ip: '10.10.10.1', port: 47008 });
    const hs = f.handshake();
    const d = f.send(0, PSH | ACK, data(50));
    const zw = f.send(1, ACK, undefined, { win: 0 });
    const probe = f.send(0, ACK, data(1), { seq: f.seq[0] });
    const probeAck = f.send(1, ACK, undefined, { win: 0 });
    const upd = f.send(1, ACK, undefined, { win: 300 });
    const ka = f.send(0, ACK, undefined, { seq: f.seq[0] - 1 });
    const kaAck = f.send(1, ACK, undefined, { win: 300 });
    const fin = f.send(0, FIN | ACK);
    const rst = f.send(1, RST | ACK);
    out.push({
      name: 'zero window, probes, window update, keep-alive, FIN, RST',
      packets: timed([
        [0, hs[0]],
        [0.01, hs[1]],
        [0.02, hs[2]],
        [0.03, d],
        [0.04, zw],
        [0.3, probe],
        [0.31, probeAck],
        [0.5, upd],
        [10, ka],
        [10.01, kaAck],
        [11, fin],
        [11.01, rst],
      ]),
      expect: {
        5: '[TCP ZeroWindow] ',
        6: '[TCP ZeroWindowProbe] ',
        7: '[TCP ZeroWindowProbeAck] [TCP ZeroWindow] ',
        8: '[TCP Window Update] ',
        9: '[TCP Keep-Alive] ',
        10: '[TCP Keep-Alive ACK] ',
      },
    });
  }
  {
    // capture starting mid-stream: ACKed unseen segment; SACK blocks; a data segment filling the window
    const f = new TcpFlow(
      { ip: '10.10.10.5', port: 47009 },
      { ip: '10.10.10.1', port: 47010 },
      [100000, 200000],
    );
    const a = f.send(0, ACK, data(200));
    const b = f.send(1, ACK, undefined, {
      ack: f.seq[0] + 500,
      options: [
        { kind: 'nop' },
        { kind: 'nop' },
        { kind: 'sack', blocks: [[f.seq[0] + 600, f.seq[0] + 700]] },
      ],
    });
    out.push({
      name: 'mid-stream start, SACK',
      packets: timed([
        [0, a],
        [0.01, b],
      ]),
      expect: { 2: '[TCP ACKed unseen segment] ' },
    });
  }
  {
    // port reuse: a second connection on the same 4-tuple with a new ISN
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47011 }, { ip: '10.10.10.1', port: 47012 });
    const hs = f.handshake();
    const fin1 = f.send(0, FIN | ACK);
    const fin2 = f.send(1, FIN | ACK);
    const last = f.send(0, ACK);
    const g = new TcpFlow(
      { ip: '10.10.10.5', port: 47011 },
      { ip: '10.10.10.1', port: 47012 },
      [9999999, 7777777],
    );
    const hs2 = g.handshake();
    out.push({
      name: 'port reuse',
      packets: timed([
        [0, hs[0]],
        [0.01, hs[1]],
        [0.02, hs[2]],
        [0.03, fin1],
        [0.04, fin2],
        [0.05, last],
        [5, hs2[0]],
        [5.01, hs2[1]],
        [5.02, hs2[2]],
      ]),
      expect: { 7: '[TCP Port numbers reused] ' },
    });
  }
  {
    // window scaling, a segment that fills the receiver's window exactly, SYN without options
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47013 }, { ip: '10.10.10.1', port: 47014 });
    const syn = f.send(0, SYN, undefined, { win: 64240, options: linuxSynOptions(1, 0, 1460, 0) });
    const synAck = f.send(1, SYN | ACK, undefined, { win: 100, options: linuxSynOptions(2, 1, 1460, 0) });
    const ack = f.send(0, ACK, undefined, { win: 500 });
    const full = f.send(0, PSH | ACK, data(100), { win: 500 });
    out.push({
      name: 'window full',
      packets: timed([
        [0, syn],
        [0.01, synAck],
        [0.02, ack],
        [0.03, full],
      ]),
      expect: { 4: '[TCP Window Full] ' },
    });
  }
  {
    // spurious retransmission: data the receiver already ACKed is sent again
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47015 }, { ip: '10.10.10.1', port: 47016 });
    const hs = f.handshake();
    const d = f.send(0, PSH | ACK, data(80));
    const ack = f.send(1, ACK);
    const again = f.send(0, PSH | ACK, data(80), { seq: f.seq[0] - 80 });
    out.push({
      name: 'spurious retransmission',
      packets: timed([
        [0, hs[0]],
        [0.01, hs[1]],
        [0.02, hs[2]],
        [0.03, d],
        [0.04, ack],
        [0.5, again],
      ]),
      expect: { 6: '[TCP Spurious Retransmission] ' },
    });
  }
  {
    // the same over IPv6: retransmission and a duplicate ACK
    const f = new TcpFlow({ ip: '2001:db8::5', port: 47017 }, { ip: '2001:db8::1', port: 47018 }, [1, 2], 6);
    const hs = f.handshake();
    const d = f.send(0, PSH | ACK, data(60));
    const retr = f.send(0, PSH | ACK, data(60), { seq: f.seq[0] - 60 });
    const ack = f.send(1, ACK);
    const dup = f.send(1, ACK);
    out.push({
      name: 'IPv6 retransmission and dup ack',
      packets: timed([
        [0, hs[0]],
        [0.01, hs[1]],
        [0.02, hs[2]],
        [0.03, d],
        [0.4, retr],
        [0.41, ack],
        [0.42, dup],
      ]),
      expect: { 5: '[TCP Retransmission] ', 7: '[TCP Dup ACK 6#1] ' },
    });
  }
  return out;
}
