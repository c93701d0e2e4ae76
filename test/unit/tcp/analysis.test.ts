// TCP sequence analysis: each scenario's frames carry Wireshark's Info prefixes, flag bits and
// expert items (tcp.analysis.*), independent of tshark (the cross-check compares with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import {
  TCP_ANALYSIS_MASK,
  TCP_A_DUPLICATE_ACK,
  TCP_A_RETRANSMISSION,
  TCP_A_ZERO_WINDOW,
} from '../../../src-main/core/tcp/analysis.js';
import { scenarios } from './scenarios.js';
import { ACK, PSH, SYN, TcpFlow, ascii, raw, linuxSynOptions } from '../../helpers/frames.js';

function run(packets: ReturnType<typeof scenarios>[number]['packets']) {
  const e = new PacketEngine();
  const fast = packets.map((p, i) => ({ ...e.index(p, i + 1) }));
  return { e, fast };
}

for (const sc of scenarios()) {
  test(`analysis: ${sc.name}`, () => {
    const { e, fast } = run(sc.packets);
    sc.packets.forEach((p, i) => {
      const no = i + 1;
      const s = e.summary(p, no);
      const want = sc.expect[no];
      if (want) assert.ok(s.info.startsWith(want), `frame ${no}: "${s.info}" should start with "${want}"`);
      else assert.ok(!s.info.startsWith('[TCP '), `frame ${no}: unexpected analysis "${s.info}"`);
      assert.equal(
        (fast[i].flags & TCP_ANALYSIS_MASK) !== 0,
        want !== undefined,
        `frame ${no} analysis bits`,
      );
      // random access gives the same row
      assert.deepEqual(e.summary(p, no), s);
    });
  });
}

test('analysis: expert items and fields of a retransmission and a dup ACK', () => {
  const sc = scenarios()[0];
  const { e, fast } = run(sc.packets);
  assert.ok(fast[4].flags & TCP_A_RETRANSMISSION);
  assert.ok(fast[6].flags & TCP_A_DUPLICATE_ACK);
  const retr = e.dissect(sc.packets[4], 5);
  assert.ok(retr.expert.some((x) => x.id === 'tcp.analysis.retransmission' && x.severity === 'note'));
  assert.deepEqual(retr.fields.values('tcp.analysis.flags'), [true]);
  assert.deepEqual(retr.fields.values('tcp.analysis.retransmission'), [true]);
  assert.equal(retr.summary.severity, 'note');
  const dup = e.dissect(sc.packets[6], 7);
  assert.deepEqual(dup.fields.values('tcp.analysis.duplicate_ack_num'), [1]);
  assert.deepEqual(dup.fields.values('tcp.analysis.duplicate_ack_frame'), [6]);
  assert.ok(
    dup.expert.some((x) => x.id === 'tcp.analysis.duplicate_ack' && x.message === 'Duplicate ACK (#1)'),
  );
  const plain = e.dissect(sc.packets[5], 6);
  assert.deepEqual(plain.fields.values('tcp.analysis.flags'), []);
});

test('analysis: zero window is a warning; RST carries tcp.connection.rst', () => {
  const sc = scenarios()[3];
  const { e, fast } = run(sc.packets);
  assert.ok(fast[4].flags & TCP_A_ZERO_WINDOW);
  assert.equal(fast[4].severity, 3);
  const rst = e.dissect(sc.packets[11], 12);
  assert.ok(rst.expert.some((x) => x.id === 'tcp.connection.rst' && x.severity === 'warn'));
  assert.deepEqual(rst.fields.values('tcp.flags.reset'), [true]);
});

test('analysis: relative sequence numbers, stream index, iRTT, window scaling', () => {
  const f = new TcpFlow({ ip: '10.0.0.2', port: 48716 }, { ip: '10.0.0.1', port: 8080 }, [0xfffffff0, 12345]);
  const packets = [
    raw(f.send(0, SYN, undefined, { win: 64240, options: linuxSynOptions(7, 0) }), 0),
    raw(f.send(1, SYN | ACK, undefined, { win: 65160, options: linuxSynOptions(8, 7) }), 0.1),
    raw(f.send(0, ACK), 0.176633),
    raw(f.send(0, PSH | ACK, ascii('x'.repeat(40))), 0.2),
  ];
  const e = new PacketEngine();
  packets.forEach((p, i) => e.index(p, i + 1));
  const d = e.dissect(packets[3], 4);
  // the ISN wraps past 2^32: relative numbers still count from 0
  assert.deepEqual(d.fields.values('tcp.seq'), [1]);
  assert.deepEqual(d.fields.values('tcp.nxtseq'), [41]);
  assert.deepEqual(d.fields.values('tcp.ack'), [1]);
  assert.deepEqual(d.fields.values('tcp.stream'), [0]);
  assert.deepEqual(d.fields.values('tcp.window_size'), [502 * 128]);
  assert.deepEqual(d.fields.values('tcp.window_size_scalefactor'), [128]);
  assert.deepEqual(d.fields.values('tcp.time_relative'), [0.2]);
  const irtt = d.fields.values('tcp.analysis.initial_rtt')[0] as number;
  assert.ok(Math.abs(irtt - 0.176633) < 1e-6, `iRTT ${irtt}`);
  const conv = e.conversations();
  assert.equal(conv.length, 1);
  assert.equal(conv[0].addressA, '10.0.0.2');
  assert.equal(conv[0].portB, 8080);
  assert.equal(conv[0].packets, 4);
  assert.equal(conv[0].packetsAtoB, 3);
  assert.ok(conv[0].tcp?.synSeen && conv[0].tcp.synAckSeen);
  assert.ok(Math.abs((conv[0].tcp?.irtt ?? 0) - 0.176633) < 1e-6);
});

test('analysis: port reuse starts a new stream', () => {
  const sc = scenarios()[5];
  const { e, fast } = run(sc.packets);
  assert.notEqual(fast[6].conv, fast[0].conv);
  assert.deepEqual(e.dissect(sc.packets[0], 1).fields.values('tcp.stream'), [0]);
  assert.deepEqual(e.dissect(sc.packets[8], 9).fields.values('tcp.stream'), [1]);
  assert.equal(e.conversations().length, 2);
});

test('a released conversation: a new SYN on its ports is a new conversation (port reuse), as with its state kept', () => {
  const reuse = scenarios().find((s) => s.name === 'port reuse')!;
  const kept = new PacketEngine({ sequential: true });
  const released = new PacketEngine({ sequential: true });
  const rowsKept = reuse.packets.map((p, i) => ({ ...kept.indexWithSummary(p, i + 1).summary }));
  const rowsReleased = reuse.packets.map((p, i) => {
    // the first connection has ended (FIN both ways, last ACK) before the new SYN of frame 7
    if (i + 1 === 7) released.releaseConversation(released.conversationOf(6));
    return { ...released.indexWithSummary(p, i + 1).summary };
  });
  assert.deepEqual(rowsReleased, rowsKept);
  assert.match(rowsReleased[6].info, /^\[TCP Port numbers reused\] /);
  assert.equal(released.conversations().length, 2);
  assert.deepEqual(
    released.conversations().map((c) => [c.firstFrame, c.packets]),
    kept.conversations().map((c) => [c.firstFrame, c.packets]),
  );
});
