// engine.fields() (values without the tree) gives exactly dissect().fields: every field the
// registry declares, on every frame of the lab's sample captures and of built captures, in
// random access and in the sequential mode the diagnosis uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { readCaptureFileSync, type RawPacket } from '../../../src-main/core/pcap/index.js';
import { mixedEthernet, otherLinks } from './mixed.js';
import { generateProxyCapture } from '../../../bench/analyze.gen.js';
import { FACT_FIELDS, factsFromFields } from '../../../src-main/core/diagnose/engine-facts.js';

const DIR = path.resolve('resources/samples');
const samples = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.pcapng?$/.test(f)) : [];

function read(file: string): RawPacket[] {
  const packets: RawPacket[] = [];
  readCaptureFileSync(file, (p) => packets.push({ ...p, data: p.data.slice() }));
  return packets;
}

/** Compares fields() with dissect().fields for every frame; returns the number of values compared. */
function compare(name: string, packets: RawPacket[]): number {
  const engine = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
  packets.forEach((p, i) => engine.index(p, i + 1));
  const names = [...engine.registry.fields()].map((f) => f.name);
  const protos = engine.registry.protocols().map((m) => m.name);
  let compared = 0;
  packets.forEach((p, i) => {
    const no = i + 1;
    const full = engine.dissect(p, no).fields;
    const lean = engine.fields(p, no);
    for (const f of names) {
      const want = full.values(f);
      assert.deepEqual(lean.values(f), want, `${name} frame ${no} field ${f}`);
      compared += want.length;
    }
    for (const m of [...protos, 'ethertype'])
      assert.equal(lean.hasProtocol(m), full.hasProtocol(m), `${name} frame ${no} protocol ${m}`);
  });
  return compared;
}

test(
  'fields() equals dissect().fields on every sample capture',
  { skip: samples.length === 0 ? 'no sample captures in resources/samples' : false },
  () => {
    let compared = 0;
    for (const f of samples) compared += compare(f, read(path.join(DIR, f)));
    assert.ok(compared > 1000, `only ${compared} values compared`);
  },
);

test('fields() equals dissect().fields on built captures (lower layers, other link types, a proxied capture)', () => {
  let compared = compare('mixed', mixedEthernet());
  for (const o of otherLinks()) compared += compare(o.name, [o.packet]);
  const dir = mkdtempSync(path.join(tmpdir(), 'engine-fields-'));
  try {
    const file = path.join(dir, 'proxy.pcap');
    generateProxyCapture(file, 3000);
    compared += compare('proxy', read(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(compared > 1000, `only ${compared} values compared`);
});

test(
  'fields() right after index() in sequential mode (the diagnosis) equals dissect() there',
  { skip: samples.length === 0 ? 'no sample captures' : false },
  () => {
    // a one-pass engine knows less than a two-pass one (e.g. a later ACK's RTT), so the reference
    // is the sequential engine's own dissect() of the frame just indexed
    for (const f of samples) {
      const packets = read(path.join(DIR, f));
      const seq = new PacketEngine({ sequential: true });
      const names = [...seq.registry.fields()].map((d) => d.name);
      packets.forEach((p, i) => {
        seq.index(p, i + 1);
        const full = seq.dissect(p, i + 1).fields;
        const lean = seq.fields(p, i + 1);
        for (const n of names)
          assert.deepEqual(lean.values(n), full.values(n), `${f} frame ${i + 1} field ${n}`);
      });
    }
  },
);

test(
  'fields() with a wanted set still gives the wanted fields (certificates skipped unless wanted)',
  { skip: samples.length === 0 ? 'no sample captures' : false },
  () => {
    const wanted = new Set(['http.request.method', 'tls.handshake.type', 'tcp.stream']);
    const withCerts = new Set(['x509af.subject']);
    let certs = 0;
    for (const f of samples) {
      const packets = read(path.join(DIR, f));
      const engine = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
      packets.forEach((p, i) => engine.index(p, i + 1));
      packets.forEach((p, i) => {
        const full = engine.dissect(p, i + 1).fields;
        const lean = engine.fields(p, i + 1, wanted);
        for (const n of wanted)
          assert.deepEqual(lean.values(n), full.values(n), `${f} frame ${i + 1} field ${n}`);
        const subjects = engine.fields(p, i + 1, withCerts).values('x509af.subject');
        assert.deepEqual(subjects, full.values('x509af.subject'));
        certs += subjects.length;
      });
    }
    assert.ok(certs > 0, 'no certificate in the samples');
  },
);

test('the diagnosis facts from fields(FACT_FIELDS) equal the facts from a full dissection', () => {
  const sets = samples.map((f) => ({ name: f, packets: read(path.join(DIR, f)) }));
  sets.push({ name: 'mixed', packets: mixedEthernet() });
  const dir = mkdtempSync(path.join(tmpdir(), 'engine-fields-'));
  try {
    const file = path.join(dir, 'proxy.pcap');
    generateProxyCapture(file, 2000);
    sets.push({ name: 'proxy', packets: read(file) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const { name, packets } of sets) {
    const engine = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
    packets.forEach((p, i) => engine.index(p, i + 1));
    packets.forEach((p, i) => {
      const no = i + 1;
      assert.deepEqual(
        factsFromFields(no, 0, engine.fields(p, no, FACT_FIELDS)),
        factsFromFields(no, 0, engine.dissect(p, no).fields),
        `${name} frame ${no}`,
      );
    });
  }
});
