// TCP reassembly: a payload dissector asks for more bytes and gets its PDU whole at the frame
// that completes it, with a "Reassembled TCP (N bytes)" data source; earlier frames show
// "[TCP segment of a reassembled PDU]". Uses a length-prefixed test protocol on port 47700 and a
// line protocol (one more segment at a time) on port 47701.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { createRegistry } from '../../../src-main/core/dissect/index.js';
import { DESEGMENT_ONE_MORE_SEGMENT } from '../../../src-main/core/dissect/engine-context.js';
import type { ProtocolModule } from '../../../src-main/core/dissect/registry.js';
import type { FieldNode } from '../../../src-main/core/dissect/types.js';
import { TCP_REASSEMBLED_PDU, TCP_SEGMENT_OF_PDU } from '../../../src-main/core/tcp/analysis.js';
import { ACK, PSH, TcpFlow, ascii, concat, raw } from '../../helpers/frames.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

/** PDU = 2-byte big-endian body length + body. Info lists the bodies as text. */
const lenModule: ProtocolModule = {
  name: 'lenpdu',
  column: 'LENPDU',
  title: 'Length-prefixed test protocol',
  fields: [{ name: 'lenpdu.body', label: 'Body', type: 'string' }],
  register(r) {
    r.table('tcp.port').add(47700, lenModule);
  },
  dissect(ctx, off, end, tree) {
    let p = off;
    const bodies: string[] = [];
    while (p < end) {
      if (end - p < 2) {
        ctx.requestDesegment(p, DESEGMENT_ONE_MORE_SEGMENT);
        break;
      }
      const len = (ctx.data[p] << 8) | ctx.data[p + 1];
      if (p + 2 + len > end) {
        ctx.requestDesegment(p, p + 2 + len - end);
        break;
      }
      ctx.enter(lenModule);
      const body = new TextDecoder().decode(ctx.data.subarray(p + 2, p + 2 + len));
      bodies.push(body);
      const t = ctx.protoTree(tree, lenModule, p, 2 + len);
      if (t) ctx.add(t, `Body: ${body}`, 'lenpdu.body', body, p + 2, len);
      p += 2 + len;
    }
    if (ctx.cols && bodies.length) ctx.setInfo(bodies.join(', '));
    return p - off;
  },
};

/** Lines ending in "\n": asks for one more segment until it has one. */
const lineModule: ProtocolModule = {
  name: 'linepdu',
  column: 'LINE',
  title: 'Line test protocol',
  fields: [{ name: 'linepdu.line', label: 'Line', type: 'string' }],
  register(r) {
    r.table('tcp.port').add(47701, lineModule);
  },
  dissect(ctx, off, end, tree) {
    const nl = ctx.data.subarray(off, end).indexOf(10);
    if (nl < 0) {
      ctx.requestDesegment(off, DESEGMENT_ONE_MORE_SEGMENT);
      return 0;
    }
    ctx.enter(lineModule);
    const line = new TextDecoder().decode(ctx.data.subarray(off, off + nl));
    if (ctx.cols) ctx.setInfo(`Line: ${line}`);
    const t = ctx.protoTree(tree, lineModule, off, nl + 1);
    if (t) ctx.add(t, line, 'linepdu.line', line, off, nl);
    return nl + 1;
  },
};

createRegistry([lenModule, lineModule]);

function pdu(body: string): Uint8Array {
  const b = ascii(body);
  return concat(Uint8Array.from([b.length >> 8, b.length & 255]), b);
}

function flowFrames(port: number, chunks: Uint8Array[]): RawPacket[] {
  const f = new TcpFlow({ ip: '10.0.0.2', port: 50000 }, { ip: '10.0.0.1', port });
  const frames = [...f.handshake(), ...chunks.map((c) => f.send(0, PSH | ACK, c)), f.send(1, ACK)];
  return frames.map((b, i) => raw(b, i * 0.001));
}

function engines(packets: RawPacket[]) {
  const withFetch = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
  const retained = new PacketEngine();
  const fast = packets.map((p, i) => ({ ...withFetch.index(p, i + 1) }));
  packets.forEach((p, i) => retained.index(p, i + 1));
  return { withFetch, retained, fast };
}

function find(nodes: FieldNode[], field: string): FieldNode | undefined {
  for (const n of nodes) {
    if (n.field === field) return n;
    const c = n.children && find(n.children, field);
    if (c) return c;
  }
  return undefined;
}

test('reassembly: one PDU over three segments is dissected whole at the last one', () => {
  const whole = pdu('hello reassembled world');
  const packets = flowFrames(47700, [whole.subarray(0, 5), whole.subarray(5, 12), whole.subarray(12)]);
  const { withFetch, retained, fast } = engines(packets);
  // frames 4, 5 carry pieces; 6 completes
  for (const no of [4, 5]) {
    const s = withFetch.summary(packets[no - 1], no);
    assert.equal(s.protocol, 'TCP');
    assert.match(s.info, / \[TCP segment of a reassembled PDU\]$/);
    assert.ok(fast[no - 1].flags & TCP_SEGMENT_OF_PDU);
    const d = withFetch.dissect(packets[no - 1], no);
    assert.deepEqual(d.fields.values('tcp.reassembled_in'), [6]);
  }
  assert.ok(fast[5].flags & TCP_REASSEMBLED_PDU);
  assert.equal(fast[5].proto, withFetch.registry.protocolId('lenpdu'));
  for (const e of [withFetch, retained]) {
    const d = e.dissect(packets[5], 6);
    assert.equal(d.summary.protocol, 'LENPDU');
    assert.equal(d.summary.info, 'hello reassembled world');
    assert.equal(d.extraSources.length, 1);
    assert.equal(d.extraSources[0].label, `Reassembled TCP (${whole.length} bytes)`);
    assert.deepEqual(d.extraSources[0].bytes, whole);
    assert.deepEqual(d.fields.values('lenpdu.body'), ['hello reassembled world']);
    assert.deepEqual(d.fields.values('tcp.segment'), [4, 5, 6]);
    assert.deepEqual(d.fields.values('tcp.reassembled.length'), [whole.length]);
    // the body's node points into the reassembled source
    const body = find(d.tree, 'lenpdu.body')!;
    assert.equal(body.source, 1);
    assert.equal(body.offset, 2);
    assert.equal(body.length, whole.length - 2);
    assert.ok(d.protocols.includes('lenpdu'));
  }
});

test('reassembly: a segment ending one PDU, holding another and starting a third', () => {
  const a = pdu('first');
  const b = pdu('second');
  const c = pdu('third PDU');
  const stream = concat(a, b, c);
  const cut1 = 4;
  const cut2 = a.length + b.length + 3;
  const packets = flowFrames(47700, [
    stream.subarray(0, cut1),
    stream.subarray(cut1, cut2),
    stream.subarray(cut2),
  ]);
  const { withFetch } = engines(packets);
  const s5 = withFetch.dissect(packets[4], 5);
  // the reassembled "first", then "second" straight from the frame
  assert.deepEqual(s5.fields.values('lenpdu.body'), ['first', 'second']);
  assert.equal(s5.extraSources.length, 1);
  assert.deepEqual(s5.fields.values('tcp.reassembled_in'), [6]);
  const s6 = withFetch.dissect(packets[5], 6);
  assert.deepEqual(s6.fields.values('lenpdu.body'), ['third PDU']);
  assert.equal(s6.summary.info, 'third PDU');
});

test('reassembly: "one more segment" requests collect until the dissector is satisfied', () => {
  const packets = flowFrames(47701, [ascii('abc'), ascii('def'), ascii('ghi\n')]);
  const { withFetch } = engines(packets);
  assert.equal(withFetch.summary(packets[3], 4).protocol, 'TCP');
  assert.equal(withFetch.summary(packets[4], 5).protocol, 'TCP');
  const d = withFetch.dissect(packets[5], 6);
  assert.equal(d.summary.protocol, 'LINE');
  assert.equal(d.summary.info, 'Line: abcdefghi');
  assert.equal(d.extraSources[0].label, 'Reassembled TCP (10 bytes)');
});

test('reassembly: a retransmitted piece is not fed twice', () => {
  const whole = pdu('0123456789');
  const f = new TcpFlow({ ip: '10.0.0.2', port: 50001 }, { ip: '10.0.0.1', port: 47700 });
  const frames = [...f.handshake(), f.send(0, PSH | ACK, whole.subarray(0, 6))];
  frames.push(f.send(0, PSH | ACK, whole.subarray(0, 6), { seq: f.seq[0] - 6 }));
  frames.push(f.send(0, PSH | ACK, whole.subarray(6)));
  const packets = frames.map((b, i) => raw(b, i * 0.3));
  const { withFetch } = engines(packets);
  assert.match(withFetch.summary(packets[4], 5).info, /^\[TCP Retransmission\] /);
  const d = withFetch.dissect(packets[5], 6);
  assert.deepEqual(d.fields.values('lenpdu.body'), ['0123456789']);
});

test('reassembly: a keep-alive between two pieces does not break the PDU', () => {
  const whole = pdu('kept alive');
  const f = new TcpFlow({ ip: '10.0.0.2', port: 50002 }, { ip: '10.0.0.1', port: 47700 });
  const frames = [...f.handshake(), f.send(0, PSH | ACK, whole.subarray(0, 5))];
  frames.push(f.send(0, ACK, new Uint8Array(1), { seq: f.seq[0] - 1 }));
  frames.push(f.send(0, PSH | ACK, whole.subarray(5)));
  const packets = frames.map((b, i) => raw(b, i * 0.5));
  const { withFetch } = engines(packets);
  assert.match(withFetch.summary(packets[4], 5).info, /^\[TCP Keep-Alive\] /);
  assert.deepEqual(withFetch.dissect(packets[5], 6).fields.values('lenpdu.body'), ['kept alive']);
});

test('reassembly: when earlier frames cannot be read again, the row says so instead of failing', () => {
  const whole = pdu('needs frame four');
  const chunks = [whole.subarray(0, 7), whole.subarray(7)];
  // more split PDUs after it push it out of the engine's small cache of recent PDUs
  for (let i = 0; i < 70; i++) chunks.push(pdu(`filler ${i}`).subarray(0, 3), pdu(`filler ${i}`).subarray(3));
  const packets = flowFrames(47700, chunks);
  const e = new PacketEngine({ fetchFrame: () => undefined });
  packets.forEach((p, i) => e.index(p, i + 1));
  const d = e.dissect(packets[4], 5);
  assert.equal(d.extraSources.length, 0);
  assert.ok(JSON.stringify(d.tree).includes('unavailable'));
});

test('reassembly: mutated and truncated flows never throw (index, summary, dissect)', () => {
  let seed = 777;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const stream = concat(pdu('alpha'), pdu('beta gamma'), pdu('delta'), pdu('x'.repeat(300)));
  let runs = 0;
  for (let iter = 0; iter < 150; iter++) {
    const cuts = [0, 3, 9, 20, 40, 200, stream.length];
    const chunks = cuts.slice(1).map((c, i) => stream.subarray(cuts[i], c));
    const packets = flowFrames(iter % 2 ? 47700 : 47701, chunks);
    for (const p of packets) {
      const r = rnd();
      if (r < 0.3) p.data = p.data.slice(0, Math.floor(rnd() * p.data.length));
      else if (r < 0.6) {
        p.data = p.data.slice();
        for (let k = 0; k < 3; k++)
          p.data[14 + Math.floor(rnd() * (p.data.length - 14))] = Math.floor(rnd() * 256);
      }
      p.capturedLength = p.data.length;
    }
    const e = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
    packets.forEach((p, i) => e.index(p, i + 1));
    packets.forEach((p, i) => {
      e.summary(p, i + 1);
      e.dissect(p, i + 1);
      runs++;
    });
  }
  assert.ok(runs > 1000);
});
