import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketStore } from '../../../src-main/core/store/index.js';
import type { StoreEngine, IndexInfo, ConversationInfo } from '../../../src-main/core/store/index.js';
import {
  PcapWriter,
  PcapngWriter,
  CaptureFileError,
  type RawPacket,
} from '../../../src-main/core/pcap/index.js';
import type { FieldSource, FieldValue, PacketSummary } from '../../../src-main/core/dissect/types.js';
import { FilterError } from '../../../src-main/core/filter/index.js';

// A fake engine over a toy packet format, so the store is tested on its own:
// byte 0 = protocol (1 "tcp", 2 "udp"); byte 1 = 1 when the packet is "http" (on tcp);
// byte 2 = conversation id; byte 3 = analysis flags; byte 4 = a value for field "x.val".
const PROTOS = ['', 'tcp', 'udp', 'http', 'x'];
function fakeEngine() {
  const calls = { index: 0, summary: 0, dissect: 0 };
  let fetch: ((no: number) => RawPacket | undefined) | undefined;
  const info: IndexInfo = {
    protocol: 0,
    protoMask: 0,
    conversation: -1,
    flags: 0,
    severity: 0,
  };
  const protos = (d: Uint8Array) => {
    const p = [PROTOS[d[0]], 'x'];
    if (d[1] === 1) p.push('http');
    return p;
  };
  const engine: StoreEngine & {
    calls: typeof calls;
    fetch: () => typeof fetch;
  } = {
    calls,
    fetch: () => fetch,
    index(raw) {
      calls.index++;
      const d = raw.data;
      info.protocol = d[1] === 1 ? 3 : d[0];
      info.protoMask = protos(d).reduce((m, n) => m | (1 << PROTOS.indexOf(n)), 0);
      info.conversation = d[2] === 255 ? -1 : d[2];
      info.flags = d[3];
      info.severity = d[3] ? 3 : 0;
      return info;
    },
    summary(raw, no): PacketSummary {
      calls.summary++;
      const s: PacketSummary = {
        no,
        time: raw.tsSec - 1000,
        src: 'a',
        dst: 'b',
        protocol: PROTOS[raw.data[1] === 1 ? 3 : raw.data[0]].toUpperCase(),
        length: raw.originalLength,
        info: `val=${raw.data[4]}`,
      };
      if (raw.comments) s.comment = raw.comments.join('\n');
      return s;
    },
    dissect(raw, no) {
      calls.dissect++;
      const d = raw.data.slice();
      const p = protos(d);
      const fields: FieldSource = {
        hasProtocol: (n) => p.includes(n),
        values: (f): readonly FieldValue[] =>
          f === 'x.val' ? [d[4]] : f === 'tcp.analysis.flags' && d[3] ? [true] : [],
      };
      return {
        summary: engine.summary(raw, no),
        tree: [],
        bytes: d,
        extraSources: [],
        expert: [],
        fields,
      };
    },
    protocolId: (n) => Math.max(0, PROTOS.indexOf(n)),
    analysisFlagsMask: 0xff,
    fieldNames: () => [
      'tcp',
      'udp',
      'http',
      'x',
      'x.val',
      'tcp.analysis.flags',
      'frame.number',
      'frame.len',
      'tcp.stream',
      'udp.stream',
    ],
    // conversation ids 0..9 of the toy format: even ids are TCP streams 0..4, odd ids UDP
    conversations: (): ConversationInfo[] =>
      Array.from(
        { length: 10 },
        (_, id) => ({ id, transport: id % 2 ? 'udp' : 'tcp', stream: id >> 1 }) as ConversationInfo,
      ),
    setFrameFetcher(f) {
      fetch = f;
    },
  };
  return engine;
}

function toy(proto: number, http: boolean, conv: number, flags: number, val: number): Uint8Array {
  return Uint8Array.of(proto, http ? 1 : 0, conv, flags, val, 0xaa, 0xbb, 0xcc);
}

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'store-test-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** 1000 packets: every 3rd udp, every 5th http (when tcp), every 7th flagged; x.val = no % 256. */
function writeToyPcap(file: string, n = 1000): void {
  const w = new PcapWriter(file, { linkType: 101 });
  for (let no = 1; no <= n; no++) {
    const udp = no % 3 === 0;
    w.writePacket({
      tsSec: 1000 + no,
      tsNsec: 0,
      data: toy(udp ? 2 : 1, !udp && no % 5 === 0, no % 10, no % 7 === 0 ? 4 : 0, no % 256),
    });
  }
  w.close();
}

test(
  'openFile indexes every packet; rows are built only for the rows asked for',
  withDir(async (dir) => {
    const file = path.join(dir, 'toy.pcap');
    writeToyPcap(file);
    const engine = fakeEngine();
    const store = await PacketStore.openFile(file, { engine });
    await store.loaded;
    assert.equal(store.count, 1000);
    assert.equal(engine.calls.index, 1000);
    assert.equal(engine.calls.summary, 0);
    const rows = store.rows(null, 10, 3);
    assert.deepEqual(
      rows.map((r) => [r.no, r.protocol, r.info, r.time]),
      [
        [11, 'TCP', 'val=11', 11],
        [12, 'UDP', 'val=12', 12],
        [13, 'TCP', 'val=13', 13],
      ],
    );
    assert.equal(engine.calls.summary, 3);
    store.rows(null, 10, 3); // cached
    assert.equal(engine.calls.summary, 3);
    assert.deepEqual(
      store.rows(null, 998, 10).map((r) => r.no),
      [999, 1000],
    );
    assert.deepEqual([...store.bytes(5)], [...toy(1, true, 5, 0, 5)]);
    assert.equal(store.detail(5).summary.no, 5);
    assert.equal(store.severity(7), 3);
    assert.equal(store.conversationOf(13), 3);
    const mem = store.memory();
    assert.equal(mem.packets, 1000);
    assert.ok(mem.bytesPerPacket <= 64, `index uses ${mem.bytesPerPacket} bytes a packet`);
    store.close();
  }),
);

test(
  'protocol-only filters come from the index; field filters dissect only packets that can match',
  withDir(async (dir) => {
    const file = path.join(dir, 'toy.pcap');
    writeToyPcap(file);
    const engine = fakeEngine();
    const store = await PacketStore.openFile(file, { engine });
    await store.loaded;
    const expect = (pred: (no: number) => boolean) =>
      Array.from({ length: 1000 }, (_, i) => i + 1).filter(pred);
    const isUdp = (no: number) => no % 3 === 0;
    const isHttp = (no: number) => !isUdp(no) && no % 5 === 0;

    const udp = store.filter('udp')!;
    assert.deepEqual([...udp.packets], expect(isUdp));
    assert.deepEqual(
      [...store.filter('http || tcp.analysis.flags')!.packets],
      expect((no) => isHttp(no) || no % 7 === 0),
    );
    assert.deepEqual(
      [...store.filter('tcp && !http')!.packets],
      expect((no) => !isUdp(no) && !isHttp(no)),
    );
    assert.equal(engine.calls.dissect, 0, 'presence-only filters never dissect');

    // frame fields and stream numbers come from the index too ("follow stream" without dissecting)
    assert.deepEqual(
      [...store.filter('frame.number <= 3 || frame.number == 1000')!.packets],
      [1, 2, 3, 1000],
    );
    assert.equal(store.filter('frame.len == 8')!.packets.length, 1000);
    assert.deepEqual(
      [...store.filter('tcp.stream == 2')!.packets],
      expect((no) => no % 10 === 4),
    );
    assert.deepEqual([...store.filter('udp.stream == 0')!.packets].slice(0, 3), [1, 11, 21]);
    assert.equal(engine.calls.dissect, 0, 'index fields never dissect');

    const v = store.filter('http && x.val > 100')!;
    assert.deepEqual(
      [...v.packets],
      expect((no) => isHttp(no) && no % 256 > 100),
    );
    assert.equal(engine.calls.dissect, expect(isHttp).length, 'only http packets were dissected');

    // rows of a view: positions within the view
    assert.deepEqual(
      store.rows(udp, 0, 3).map((r) => r.no),
      [3, 6, 9],
    );
    assert.equal(store.filter('  '), null);
    assert.deepEqual([...(await store.filterAsync('x.val == 7'))!.packets], [7, 263, 519, 775]);
    assert.throws(
      () => store.filter('x.vall == 1'),
      (e: unknown) =>
        e instanceof FilterError && e.message === "1:1: 'x.vall' is not a known field; did you mean 'x.val'?",
    );
    store.close();
  }),
);

test(
  'openFile resolves after the first chunk while indexing continues; progress is reported',
  withDir(async (dir) => {
    const file = path.join(dir, 'toy.pcap');
    writeToyPcap(file, 20000);
    const progress: number[] = [];
    const store = await PacketStore.openFile(file, {
      engine: fakeEngine(),
      chunkSize: 8192,
      onProgress: (p) => progress.push(p.packets),
    });
    const early = store.count;
    assert.ok(early > 0 && early < 20000, `first rows available early (count ${early})`);
    assert.equal(store.rows(null, 0, 1)[0].no, 1);
    await store.loaded;
    assert.equal(store.count, 20000);
    assert.equal(progress.at(-1), 20000);
    store.close();
  }),
);

test(
  'pcapng comments reach the rows; append indexes a live capture file',
  withDir(async (dir) => {
    const file = path.join(dir, 'live.pcapng');
    const w = new PcapngWriter(file);
    const ifc = w.addInterface({ linkType: 101, name: 'lo' });
    const engine = fakeEngine();
    const store = await PacketStore.forCapture(file, { engine });
    for (let no = 1; no <= 5; no++) {
      const data = toy(1, no === 2, 1, 0, no);
      const comments = no === 4 ? ['looks like a 407'] : undefined;
      const off = w.writePacket({
        interfaceId: ifc,
        tsSec: 2000 + no,
        tsNsec: 0,
        data,
        comments,
      });
      w.flush();
      store.append(
        {
          tsSec: 2000 + no,
          tsNsec: 0,
          capturedLength: data.length,
          originalLength: data.length,
          interfaceId: ifc,
          linkType: 101,
          data,
          dataOffset: off,
          comments,
        },
        w.bytesWritten,
      );
    }
    w.close();
    assert.equal(store.count, 5);
    assert.equal(store.rows(null, 3, 1)[0].comment, 'looks like a 407');
    assert.deepEqual([...store.filter('http')!.packets], [2]);
    assert.equal(store.detail(5).summary.info, 'val=5');
    // the engine can fetch earlier frames for reassembly
    assert.equal(engine.fetch()!(3)!.data[4], 3);
    store.close();

    const reopened = await PacketStore.openFile(file, { engine: fakeEngine() });
    await reopened.loaded;
    assert.equal(reopened.count, 5);
    assert.equal(reopened.rows(null, 3, 1)[0].comment, 'looks like a 407');
    reopened.close();
  }),
);

test(
  'a missing or non-capture file is rejected; a truncated file keeps the packets before the damage',
  withDir(async (dir) => {
    await assert.rejects(
      PacketStore.openFile(path.join(dir, 'nope.pcap'), {
        engine: fakeEngine(),
      }),
      (e: unknown) => e instanceof CaptureFileError && /Cannot read .*nope\.pcap/.test(e.message),
    );
    const junk = path.join(dir, 'junk.pcap');
    writeFileSync(junk, 'hello, this is not a capture file at all');
    await assert.rejects(
      PacketStore.openFile(junk, { engine: fakeEngine() }),
      (e: unknown) => e instanceof CaptureFileError && e.code === 'not-a-capture',
    );
    const cut = path.join(dir, 'cut.pcap');
    writeToyPcap(cut, 10);
    appendFileSync(cut, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const store = await PacketStore.openFile(cut, { engine: fakeEngine() });
    await assert.rejects(
      store.loaded,
      (e: unknown) => e instanceof CaptureFileError && e.code === 'truncated',
    );
    assert.equal(store.count, 10);
    assert.ok(store.error instanceof CaptureFileError);
    store.close();
  }),
);
