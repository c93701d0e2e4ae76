// Mutation fuzzing of the DNS, HTTP and TLS parsers (pure functions and the engine modules): bytes
// flipped, inserted and cut off from valid messages. Nothing may throw or hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dnsInfo, dnsTree, parseDns } from '../../../src-main/core/dissect/dns-parse.js';
import {
  httpMessageNeed,
  looksLikeHttp,
  parseChallenges,
  parseCredentials,
  isStatusLine,
  requestLineUriEnd,
  sameHeaderName,
} from '../../../src-main/core/dissect/http-parse.js';
import {
  collectHttpHeadFacts,
  dissectHttp,
  newHttpFrameFacts,
  newHttpState,
  scanHttp,
} from '../../../src-main/core/dissect/http-tree.js';
import {
  certificateLayout,
  dissectTls,
  looksLikeTls,
  newTlsFrameFacts,
  newTlsState,
  resetTlsFrameFacts,
  scanTls,
  tlsRecordsNeed,
} from '../../../src-main/core/dissect/tls-parse.js';
import type { FieldNode, FieldValue } from '../../../src-main/core/dissect/types.js';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { createRegistry } from '../../../src-main/core/dissect/index.js';
import { authorityPortAt, httpModule } from '../../../src-main/core/dissect/http.js';
import { tlsModule } from '../../../src-main/core/dissect/tls.js';
import { dnsModule } from '../../../src-main/core/dissect/dns.js';
import { dnsMessage, name, PTR_QNAME, u16, u32 } from './dns-build.js';
import { makeCert } from './live-capture.js';
import { TcpStream, udpFrame } from './pcap-helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

const DNS_SEEDS = [
  dnsMessage(0x1a2b, 0x0100, [{ name: 'tools.cisco.com', type: 1 }]),
  dnsMessage(
    0x1a2b,
    0x8180,
    [{ name: 'tools.cisco.com', type: 1 }],
    [
      { name: PTR_QNAME, type: 5, data: name('edge.example.net') },
      { name: [0xc0, 0x21], type: 1, data: [72, 163, 4, 161] },
      { name: PTR_QNAME, type: 28, data: new Array(16).fill(1) },
    ],
  ),
  dnsMessage(
    7,
    0x8183,
    [{ name: 'x.example', type: 15 }],
    [
      { name: PTR_QNAME, type: 15, data: [...u16(10), ...name('mx.example')] },
      { name: PTR_QNAME, type: 16, data: [3, 97, 98, 99] },
      { name: PTR_QNAME, type: 33, data: [...u16(1), ...u16(2), ...u16(3), 0xc0, 0x0c] },
    ],
    [
      {
        name: [0],
        type: 6,
        data: [...name('a.b'), 0xc0, 0x0c, ...u32(1), ...u32(2), ...u32(3), ...u32(4), ...u32(5)],
      },
    ],
  ),
];

const HTTP_SEEDS = [
  'CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\nProxy-Authorization: Basic YWxpY2U6cHc=\r\n\r\n',
  'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Digest realm="r", nonce="n", qop="auth"\r\nProxy-Authenticate: NTLM\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n',
  'GET http://a.example/x HTTP/1.0\nHost: a.example\nAuthorization: NTLM TlRMTVNTUAADAAAAGAAYAEAAAAA=\n\n',
].map(enc);

function tlsSeeds(): Uint8Array[] {
  const rec = (type: number, body: number[]) => [type, 3, 3, ...u16(body.length), ...body];
  const hs = (type: number, body: number[]) => [
    type,
    body.length >> 16,
    (body.length >> 8) & 0xff,
    body.length & 0xff,
    ...body,
  ];
  const sni = [...enc('tools.cisco.com')];
  const exts = [
    0,
    0,
    ...u16(sni.length + 5),
    ...u16(sni.length + 3),
    0,
    ...u16(sni.length),
    ...sni,
    0,
    16,
    0,
    5,
    0,
    3,
    2,
    104,
    50,
    0,
    43,
    0,
    3,
    2,
    3,
    4,
  ];
  const ch = rec(
    22,
    hs(1, [3, 3, ...new Array(32).fill(1), 0, 0, 4, 0x13, 1, 0xc0, 0x2f, 1, 0, ...u16(exts.length), ...exts]),
  );
  const sh = rec(22, hs(2, [3, 3, ...new Array(32).fill(2), 0, 0x13, 1, 0, 0, 6, 0, 43, 0, 2, 3, 4]));
  const cert = makeCert();
  const der = [...Buffer.from(cert.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')];
  const certRec = rec(
    22,
    hs(11, [
      0,
      (der.length + 3) >> 8,
      (der.length + 3) & 0xff,
      0,
      der.length >> 8,
      der.length & 0xff,
      ...der,
    ]),
  );
  const alert = rec(21, [2, 40]);
  return [
    Uint8Array.from(ch),
    Uint8Array.from([...sh, ...rec(20, [1]), ...rec(22, [1, 2, 3, 4, 5])]),
    Uint8Array.from(certRec),
    Uint8Array.from([...alert, ...rec(23, [9, 9, 9])]),
  ];
}

/** A mutated copy of one of `seeds`: some bytes replaced, some inserted, possibly cut short. */
function mutated(seeds: Uint8Array[]) {
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })), { maxLength: 2 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([i, flips, inserts, cut]) => {
      let b = Uint8Array.from(seeds[i]);
      for (const [pos, v] of flips) if (b.length) b[pos % b.length] = v;
      for (const [pos, bytes] of inserts) {
        const at = b.length ? pos % b.length : 0;
        b = Uint8Array.from([...b.subarray(0, at), ...bytes, ...b.subarray(at)]);
      }
      if (cut !== undefined && b.length) b = b.subarray(0, cut % (b.length + 1));
      return b;
    });
}

const RUNS = 1500;

test('DNS parser: mutated and truncated messages never throw', () => {
  fc.assert(
    fc.property(mutated(DNS_SEEDS), (b) => {
      const m = parseDns(b, 0, b.length);
      dnsInfo(m);
      dnsTree(m);
    }),
    { numRuns: RUNS },
  );
});

test('HTTP parser and tree: mutated messages never throw, always make progress', () => {
  fc.assert(
    fc.property(mutated(HTTP_SEEDS), (b) => {
      looksLikeHttp(b, 0, b.length);
      const need = httpMessageNeed(b, 0, b.length, 'GET');
      if (need.kind === 'complete') assert.ok(need.length > 0 && need.length <= b.length);
      const st = newHttpState();
      const d = dissectHttp(b, 0, b.length, { frame: 1, time: { sec: 0, nsec: 0 }, state: st });
      assert.ok(d.consumed >= 0 && d.consumed <= b.length);
      const text = new TextDecoder().decode(b);
      parseChallenges(text);
      parseCredentials(text);
    }),
    { numRuns: RUNS },
  );
});

test('TLS parser: mutated and truncated records never throw', () => {
  const seeds = tlsSeeds();
  fc.assert(
    fc.property(mutated(seeds), (b) => {
      looksLikeTls(b, 0, b.length);
      tlsRecordsNeed(b, 0, b.length);
      certificateLayout(b.subarray(Math.min(b.length, 15)));
      const st = newTlsState();
      scanTls(b, 0, b.length, { frame: 1, dir: 0, state: st });
      const d = dissectTls(b, 0, b.length, { frame: 1, dir: 0, state: st });
      assert.ok(d.consumed <= b.length);
    }),
    { numRuns: 600 },
  );
});

test('HTTP rows without a tree (scanHttp) say what the full dissection says', () => {
  const rank = { chat: 1, note: 2, warn: 3, error: 4 } as const;
  fc.assert(
    fc.property(mutated(HTTP_SEEDS), (b) => {
      const ctx = () => ({ frame: 1, time: { sec: 0, nsec: 0 }, state: newHttpState() });
      const fast = scanHttp(b, 0, b.length, ctx());
      const full = dissectHttp(b, 0, b.length, ctx());
      assert.equal(fast.info, full.info);
      assert.equal(fast.consumed, full.consumed);
      assert.equal(fast.severity, Math.max(0, ...full.expert.map((e) => rank[e.severity])));
    }),
    { numRuns: RUNS },
  );
});

/** A fresh TLS conversation state, optionally after a ChangeCipherSpec (records are encrypted). */
function tlsStateFor(afterCcs: boolean): ReturnType<typeof newTlsState> {
  const st = newTlsState();
  if (afterCcs) st.ccs[0] = { frame: 0, record: 0 };
  return st;
}

test('TLS rows without a tree (scanTls) say what the full dissection says', () => {
  const seeds = tlsSeeds();
  fc.assert(
    fc.property(mutated(seeds), fc.boolean(), (b, afterCcs) => {
      const mk = () => tlsStateFor(afterCcs);
      const info: string[] = [];
      const fast = scanTls(b, 0, b.length, { frame: 1, dir: 0, state: mk() }, info);
      const full = dissectTls(b, 0, b.length, { frame: 1, dir: 0, state: mk(), light: true });
      assert.deepEqual(info, full.infoParts);
      assert.equal(fast.protocol, full.protocol);
    }),
    { numRuns: 600 },
  );
});

/** Every value of `field` in a tree, in tree order. */
function valuesIn(n: FieldNode, field: string, out: FieldValue[] = []): FieldValue[] {
  if (n.field === field) out.push(n.value ?? true);
  for (const c of n.children ?? []) valuesIn(c, field, out);
  return out;
}

test('first-pass HTTP facts (scanHttp head) are the values the full dissection records', () => {
  fc.assert(
    fc.property(mutated(HTTP_SEEDS), (b) => {
      const ctx = () => ({ frame: 1, time: { sec: 0, nsec: 0 }, state: newHttpState() });
      const facts = newHttpFrameFacts();
      const fast = scanHttp(b, 0, b.length, ctx());
      if (fast.head) collectHttpHeadFacts(facts, 1, fast.head);
      const full = dissectHttp(b, 0, b.length, ctx()).node;
      const first = (f: string) => valuesIn(full, f)[0];
      assert.equal(facts.method, first('http.request.method'));
      assert.equal(facts.uri, first('http.request.uri'));
      assert.equal(facts.proxyAuthorization, first('http.proxy_authorization.scheme'));
      assert.equal(facts.code, first('http.response.code'));
      assert.equal(facts.phrase, first('http.response.phrase'));
      assert.equal(facts.squidError, first('http.squid_error'));
      assert.deepEqual(facts.proxyAuthenticate, [
        ...new Set(valuesIn(full, 'http.proxy_authenticate.scheme')),
      ]);
    }),
    { numRuns: RUNS },
  );
});

test('first-pass TLS facts (scanTls) are the values the full dissection records', () => {
  const seeds = tlsSeeds();
  const facts = newTlsFrameFacts();
  fc.assert(
    fc.property(mutated(seeds), fc.boolean(), (b, afterCcs) => {
      const mk = () => tlsStateFor(afterCcs);
      resetTlsFrameFacts(facts, 1);
      scanTls(b, 0, b.length, { frame: 1, dir: 0, state: mk(), facts });
      const full = dissectTls(b, 0, b.length, { frame: 1, dir: 0, state: mk(), lean: true }).node;
      const all = (f: string) => valuesIn(full, f);
      assert.deepEqual(facts.contentTypes, [...new Set(all('tls.record.content_type'))]);
      assert.deepEqual(facts.handshakeTypes, all('tls.handshake.type'));
      assert.equal(facts.sni, all('tls.handshake.extensions_server_name')[0]);
      assert.equal(facts.supportedVersion, all('tls.handshake.extensions.supported_version')[0]);
      assert.equal(facts.helloVersion, all('tls.handshake.version')[0]);
      assert.equal(facts.alertLevel, all('tls.alert_message.level')[0] ?? -1);
      assert.equal(facts.alertDesc, all('tls.alert_message.desc')[0] ?? -1);
      assert.deepEqual(facts.certIssuers, all('x509af.issuer'));
      assert.deepEqual(facts.certSubjects, all('x509af.subject'));
    }),
    { numRuns: 600 },
  );
});

test('header names: sameHeaderName is toLowerCase equality for the names the dissector looks up', () => {
  const names = ['content-type', 'Content-Length', 'Proxy-Authenticate', 'x-squid-error', 'Host', 'k'];
  // header names are latin1 text: ASCII letters either case, digits, '-', and bytes above 0x7f
  const chars = fc.constantFrom(...'aAkKtTzZ-0\u00c0\u00e0\u00b5\u00ff\u00d7'.split(''), 'K', 'e', 'E');
  fc.assert(
    fc.property(
      fc.array(chars, { maxLength: 16 }).map((a) => a.join('')),
      fc.constantFrom(...names),
      (a, b) => {
        assert.equal(sameHeaderName(a, b), a.toLowerCase() === b.toLowerCase());
        assert.equal(sameHeaderName(b.toUpperCase(), b), true);
      },
    ),
    { numRuns: 3000 },
  );
});

test('HTTP first lines: isStatusLine / requestLineUriEnd match what the regular expressions matched', () => {
  const STATUS = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/;
  const REQUEST = /^([A-Z]+) (\S*) (HTTP\/\d\.\d)$/;
  const pieces = fc.constantFrom(
    'HTTP/1.1',
    'HTTP/',
    '1.0',
    ' ',
    '200',
    '20',
    '4071',
    'OK',
    'GET',
    'CONNECT',
    'get',
    'x:443',
    '/a?b',
    '\t',
    '\r',
    '\u00a0',
    '\u0085',
    'é',
    '.',
    '9',
  );
  fc.assert(
    fc.property(
      fc.array(pieces, { maxLength: 7 }).map((a) => a.join('')),
      (line) => {
        assert.equal(isStatusLine(line), STATUS.test(line), JSON.stringify(line));
        const m = REQUEST.exec(line);
        assert.equal(requestLineUriEnd(line), m ? m[1]!.length + 1 + m[2]!.length : -1, JSON.stringify(line));
      },
    ),
    { numRuns: 5000 },
  );
  // lines shaped like real ones, with one part off
  const lines = fc
    .tuple(
      fc.constantFrom('GET', 'CONNECT', 'get', 'G T', '', 'HTTP/1.1', 'HTTP/1.x'),
      fc.constantFrom('x:443', '/a b', '', '\u00a0', '/é', '200', '20x', '404'),
      fc.constantFrom('HTTP/1.1', 'HTTP/1.x', 'HTTP/1.1 ', 'http/1.1', 'OK', '', 'Not\rFound'),
    )
    .map((p) => p.join(' '));
  fc.assert(
    fc.property(lines, (line) => {
      assert.equal(isStatusLine(line), STATUS.test(line), JSON.stringify(line));
      const m = REQUEST.exec(line);
      assert.equal(requestLineUriEnd(line), m ? m[1]!.length + 1 + m[2]!.length : -1, JSON.stringify(line));
    }),
    { numRuns: 2000 },
  );
  for (const l of ['HTTP/1.1 200 Connection established', 'HTTP/1.0 404', 'HTTP/1.1 200 '])
    assert.ok(isStatusLine(l));
  assert.equal(requestLineUriEnd('CONNECT tools.cisco.com:443 HTTP/1.1'), 27);
});

test('CONNECT authority port: authorityPortAt finds what /^(.*):(\\d{1,5})$/ matches', () => {
  const chars = fc.constantFrom('a', '.', ':', '0', '4', '9', '[', ']', '\n', '\r', '\u2028', ' ', 'x');
  fc.assert(
    fc.property(
      fc.array(chars, { maxLength: 14 }).map((a) => a.join('')),
      (s) => {
        const m = /^(.*):(\d{1,5})$/.exec(s);
        assert.equal(authorityPortAt(s), m ? m[1]!.length : -1, JSON.stringify(s));
      },
    ),
    { numRuns: 3000 },
  );
  assert.equal(authorityPortAt('tools.cisco.com:443'), 15);
  assert.equal(authorityPortAt('[2001:db8::1]:8443'), 13);
  assert.equal(authorityPortAt('tools.cisco.com'), -1);
  assert.equal(authorityPortAt('host:123456'), -1);
});

test('engine with the app modules: mutated TCP/UDP payloads never throw', () => {
  const engine = new PacketEngine({ registry: createRegistry([httpModule, tlsModule, dnsModule]) });
  const seeds = [...HTTP_SEEDS, ...tlsSeeds().slice(0, 2), ...DNS_SEEDS];
  let no = 0;
  fc.assert(
    fc.property(mutated(seeds), fc.boolean(), (payload, udp) => {
      const frames = udp
        ? [udpFrame('10.0.0.1', 40000, '10.0.0.53', 53, payload)]
        : new TcpStream(['10.0.0.1', 40000 + (no % 1000)], ['10.0.0.2', 3128])
            .send(0, payload)
            .send(1, payload)
            .frames.map((f) => f.data);
      for (const data of frames) {
        no++;
        const raw = {
          tsSec: 1_700_000_000 + no,
          tsNsec: 0,
          capturedLength: data.length,
          originalLength: data.length,
          interfaceId: 0,
          linkType: 1,
          data,
          dataOffset: -1,
        };
        engine.index(raw, no);
        engine.summary(raw, no);
        const d = engine.dissect(raw, no);
        // the engine turns an exception into "Malformed Packet (<message>)": ours must never throw
        const thrown = d.expert.filter(
          (e) =>
            e.message.startsWith('Malformed Packet (') &&
            e.message !== 'Malformed Packet (Exception occurred)',
        );
        assert.deepEqual(thrown, [], `frame ${no}`);
      }
    }),
    { numRuns: 400 },
  );
});
