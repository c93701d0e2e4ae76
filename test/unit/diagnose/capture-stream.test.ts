// The streaming diagnosis (CaptureDiagnosis: a conversation is judged a few seconds after it
// closes, then its facts and the engine's state of it are dropped) must say what the diagnosis of
// every packet at once says, also when a client port is used again after its first conversation
// was judged (the same 4-tuple, a new SYN), and when a stray packet of a judged conversation comes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnosePackets } from '../../../src-main/core/diagnose/diagnose.js';
import { engineFacts } from '../../../src-main/core/diagnose/engine-facts.js';
import { CaptureDiagnosis } from '../../../src-main/core/diagnose/file.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import { tcpFrame } from '../dissect-app/pcap-helpers.js';
import { raw } from '../../helpers/frames.js';

const CLIENT: [string, number] = ['10.40.40.1', 48716];
const PROXY: [string, number] = ['10.10.10.1', 3128];
const S = 0x02,
  A = 0x10,
  F = 0x01,
  P = 0x08;

/** One CONNECT conversation on the fixed 4-tuple, from time t, answered with `answer`. */
function conversation(t: number, isn: [number, number], answer: string): { ts: number; data: Uint8Array }[] {
  const seq = [...isn];
  const out: { ts: number; data: Uint8Array }[] = [];
  const send = (dir: 0 | 1, flags: number, text = '') => {
    const [a, b] = dir === 0 ? [CLIENT, PROXY] : [PROXY, CLIENT];
    const payload = new TextEncoder().encode(text);
    out.push({
      ts: (t += 0.01),
      data: tcpFrame({
        src: a[0],
        sport: a[1],
        dst: b[0],
        dport: b[1],
        seq: seq[dir]!,
        ack: flags === S ? 0 : seq[1 - dir]!,
        flags,
        payload,
      }),
    });
    seq[dir] = seq[dir]! + payload.length + (flags & (S | F) ? 1 : 0);
  };
  send(0, S);
  send(1, S | A);
  send(0, A);
  send(0, P | A, 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n');
  send(1, P | A, answer);
  send(0, F | A);
  send(1, F | A);
  send(0, A);
  return out;
}

for (const stray of [false, true])
  test(`a client port used again after its first conversation was judged${stray ? ' (and a stray packet of it)' : ''}: two ladders, as without streaming`, () => {
    const first = conversation(1000, [1000, 50000], 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    const other = (ts: number, sport: number) => ({
      ts,
      data: tcpFrame({
        src: '10.40.40.2',
        sport,
        dst: '10.9.9.9',
        dport: 80,
        seq: 1,
        ack: 0,
        flags: S,
        payload: new Uint8Array(0),
      }),
    });
    const frames = [
      ...first,
      // another host's packet 10 s later: the first conversation is judged and forgotten then
      other(1010, 40000),
      // a stray copy of its last ACK
      ...(stray ? [{ ts: 1011, data: first[first.length - 1]!.data }] : []),
      // the same 4-tuple again, 20 s later
      ...conversation(1020, [900000, 7000], 'HTTP/1.1 200 Connection established\r\n\r\n'),
    ];
    const raws: RawPacket[] = frames.map((f) => raw(f.data, f.ts));
    const d = new CaptureDiagnosis();
    raws.forEach((r, i) => d.push(r, i + 1));
    const streamed = d.finish();
    const whole = diagnosePackets(engineFacts(raws));
    const stages = (r: typeof whole) =>
      r.ladders.map((l) => l.stages.map((s) => `${s.name}:${s.status}:${s.packets.join(',')}`));
    assert.equal(streamed.ladders.length, 2);
    assert.deepEqual(stages(streamed), stages(whole));
    assert.deepEqual(
      streamed.findings.map((f) => [f.id, f.packets]),
      whole.findings.map((f) => [f.id, f.packets]),
    );
    assert.equal(streamed.verdict.issue, whole.verdict.issue);
    assert.equal(streamed.verdict.issue, 'proxy-denied');
    // the second conversation got its 200 and no finding of its own
    assert.ok(streamed.ladders[1]!.stages.some((s) => s.name === 'response' && s.status === 'ok'));
  });
