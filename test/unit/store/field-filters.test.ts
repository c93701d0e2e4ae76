import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PacketStore } from '../../../src-main/core/store/index.js';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { readCaptureFileSync } from '../../../src-main/core/pcap/index.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import type { FieldSource } from '../../../src-main/core/dissect/types.js';

/** Packet numbers a full dissection (tree and all) selects, the reference for the store. */
function selectedByFullDissection(file: string, test: (s: FieldSource) => boolean): number[] {
  const packets: RawPacket[] = [];
  readCaptureFileSync(file, (p) => packets.push({ ...p, data: p.data.slice() }));
  const engine = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
  packets.forEach((p, i) => engine.index(p, i + 1));
  const out: number[] = [];
  packets.forEach((p, i) => {
    if (test(engine.dissect(p, i + 1).fields)) out.push(i + 1);
  });
  return out;
}

const samples = path.resolve(import.meta.dirname, '../../../resources/samples');

// Field filters are evaluated on field values alone (no tree); protocol byte filters use the
// tree. Either way the packets a user sees must be those a full dissection selects.
test('field filters on the lab samples select the packets a full dissection selects', async () => {
  const filters = [
    'http.request.method == "CONNECT"',
    'http.response.code >= 400',
    'tls.handshake.extensions_server_name contains "cisco"',
    'tcp.flags.reset == 1 || tcp.analysis.flags',
    'tcp.port in {80, 443} && !(ip.src == 10.0.0.0/8)',
    'http contains "Forbidden"',
  ];
  const files = readdirSync(samples).filter((f) => f.endsWith('.pcapng'));
  assert.ok(files.length >= 10, 'the lab samples are in resources/samples');
  let selected = 0;
  for (const file of files) {
    const store = await PacketStore.openFile(path.join(samples, file));
    await store.loaded;
    for (const expr of filters) {
      const view = store.filter(expr);
      const got = view ? [...view.packets] : [];
      if (expr === 'http contains "Forbidden"') {
        // a protocol compared as bytes: the 403 response of the acl-403 sample
        if (file === 'acl-403.pcapng') assert.deepEqual(got, [6, 16], `${file}: ${expr}`);
      } else {
        const expected = selectedByFullDissection(path.join(samples, file), store.compile(expr).test);
        assert.deepEqual(got, expected, `${file}: ${expr}`);
      }
      selected += got.length;
    }
    store.close();
  }
  assert.ok(selected > 0, 'the filters select packets in the samples');
});
