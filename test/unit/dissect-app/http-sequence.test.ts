// The HTTP tree's place of each message among its conversation's exchanges, as tshark 4.0 shows it
// in two passes (-2, the Wireshark GUI): "[HTTP request 2/3]", "[Prev request in frame: N]",
// "[Next request in frame: N]", "[HTTP response 2/3]", "[Prev response in frame: N]", "[Next
// response in frame: N]" beside "[Response in frame]" / "[Request in frame]", in tshark's order.
// Cross-checked on a capture built here: a CONNECT refused with 407, retried with credentials and
// tunnelled on one connection; three GETs on another; a single CONNECT on a third.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import type { FieldNode } from '../../../src-main/core/dissect/types.js';
import { readCaptureFile } from '../../../src-main/core/pcap/file-reader.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';
import { haveTshark, TcpStream, tsharkFields, writePcap } from './pcap-helpers.js';

const CONNECT = 'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n';
const R407 =
  'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="lab"\r\nContent-Length: 0\r\n\r\n';
const GET = (p: string) => `GET http://example.com/${p} HTTP/1.1\r\nHost: example.com\r\n\r\n`;
const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi';

const FIELDS = [
  'http.request_number',
  'http.prev_request_in',
  'http.response_in',
  'http.next_request_in',
  'http.response_number',
  'http.prev_response_in',
  'http.request_in',
  'http.next_response_in',
];

/** The bracketed lines tshark prints right under an HTTP node that place the message. */
const PLACE =
  /^\[(HTTP (request|response) \d+\/\d+|(Prev|Next) (request|response) in frame: \d+|(Request|Response) in frame: \d+|Time since request: .*|Full request URI: .*|Request URI: .*)\]$/;

function buildCapture(file: string): void {
  const convs: [0 | 1, string | Uint8Array][][] = [
    [
      [0, CONNECT],
      [1, R407],
      [0, CONNECT.replace('\r\n\r\n', '\r\nProxy-Authorization: Basic YWxpY2U6cHc=\r\n\r\n')],
      [1, 'HTTP/1.1 200 Connection established\r\n\r\n'],
      // tunnel traffic after the 200 (without it tshark -2 waits for a body that never comes)
      [0, Uint8Array.from([0x17, 3, 3, 0, 4, 1, 2, 3, 4])],
      [1, Uint8Array.from([0x17, 3, 3, 0, 4, 5, 6, 7, 8])],
    ],
    [
      [0, GET('1')],
      [1, OK],
      [0, GET('2')],
      [1, OK],
      [0, GET('3')],
      [1, OK.replace('200 OK', '404 Not Found')],
    ],
    [
      [0, CONNECT],
      [1, 'HTTP/1.1 200 Connection established\r\n\r\n'],
      [0, Uint8Array.from([0x17, 3, 3, 0, 4, 1, 2, 3, 4])],
    ],
  ];
  const frames = convs.flatMap((msgs, i) => {
    const s = new TcpStream(['10.40.40.1', 40300 + i], ['10.10.10.1', 3128]);
    for (const [d, m] of msgs) s.send(d, m);
    return s.frames;
  });
  writePcap(file, frames);
}

function placeLines(http: FieldNode): string[] {
  return (http.children ?? []).map((c) => c.label).filter((l) => PLACE.test(l));
}

/** tshark -2 -V: per frame, the placing lines under its HTTP node. */
function tsharkPlaceLines(file: string): Map<number, string[]> {
  const r = spawnSync(
    'tshark',
    ['-2', '-n', '-r', file, '-d', 'tcp.port==3128,http', '-Y', 'http', '-O', 'http', '-V'],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const out = new Map<number, string[]>();
  let frame = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^Frame (\d+):/.exec(line);
    if (m) {
      frame = Number(m[1]);
      out.set(frame, []);
    } else if (/^ {4}\[/.test(line) && PLACE.test(line.trim())) out.get(frame)!.push(line.trim());
  }
  return out;
}

test('HTTP request/response numbers and neighbours agree with tshark -2 (fields and line order)', async (t) => {
  if (!haveTshark()) return t.skip('tshark not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'ps-http-seq-'));
  try {
    const file = path.join(dir, 'seq.pcap');
    buildCapture(file);
    const rows = tsharkFields(
      file,
      ['frame.number', 'http.request.method', 'http.response.code', ...FIELDS],
      ['-d', 'tcp.port==3128,http', '-Y', 'http.request || http.response'],
    );
    const raws: RawPacket[] = [];
    await readCaptureFile(file, (p) => raws.push({ ...p, data: p.data.slice() }));
    const engine = new PacketEngine({ fetchFrame: (no) => raws[no - 1] });
    raws.forEach((r, i) => engine.index(r, i + 1));
    const lines = tsharkPlaceLines(file);
    assert.equal(rows.length, 12);
    let numbered = 0;
    for (const row of rows) {
      const no = Number(row[0]);
      const d = engine.dissect(raws[no - 1]!, no);
      FIELDS.forEach((f, i) => {
        const ours = d.fields.values(f).map(String).join(',');
        assert.equal(ours, row[3 + i] ?? '', `frame ${no} ${f}`);
      });
      if (row[3] || row[7]) numbered++;
      const http = d.tree.find((n) => n.field === 'http')!;
      assert.deepEqual(placeLines(http), lines.get(no), `frame ${no}: lines and their order`);
    }
    assert.equal(numbered, 12);
    // the middle GET: both neighbours
    const mid = rows.find((r) => r[1] === 'GET' && r[3] === '2')!;
    assert.ok(mid[4] && mid[6], 'prev and next request of the second GET');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
