import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilterError, isEmptyFilter } from '../../../src-main/core/filter/index.js';
import type { FieldSource, FieldValue } from '../../../src-main/core/dissect/types.js';

function packet(protocols: string[], fields: Record<string, FieldValue[]>): FieldSource {
  return {
    hasProtocol: (n) => protocols.includes(n),
    values: (f) => fields[f] ?? [],
  };
}

// A proxied CONNECT request on TCP, a TLS ClientHello, a DNS query over UDP, an ARP, an IPv6 SYN.
const connect = packet(['eth', 'ip', 'tcp', 'http'], {
  'eth.src': ['00:50:56:8d:76:9d'],
  'eth.dst': ['00:50:56:8d:11:22'],
  'eth.addr': ['00:50:56:8d:76:9d', '00:50:56:8d:11:22'],
  'ip.src': ['10.10.10.1'],
  'ip.dst': ['10.10.10.100'],
  'ip.addr': ['10.10.10.1', '10.10.10.100'],
  'ip.ttl': [64],
  'tcp.srcport': [48716],
  'tcp.dstport': [3128],
  'tcp.port': [48716, 3128],
  'tcp.flags.syn': [false],
  'tcp.flags.ack': [true],
  'tcp.len': [120],
  'http.request': [true],
  'http.request.method': ['CONNECT'],
  'http.request.uri': ['tools.cisco.com:443'],
  'http.user_agent': ['curl/8.5.0'],
  'frame.comment': ['first request of the test'],
  'frame.len': [188],
  'tcp.seq_raw': [4000000000n],
  'tcp.payload': [new TextEncoder().encode('CONNECT tools.cisco.com:443 HTTP/1.1\r\n')],
});
const hello = packet(['eth', 'ip', 'tcp', 'tls'], {
  'ip.src': ['10.10.10.1'],
  'ip.dst': ['10.10.10.100'],
  'ip.addr': ['10.10.10.1', '10.10.10.100'],
  'tcp.srcport': [48716],
  'tcp.dstport': [3128],
  'tcp.port': [48716, 3128],
  'tcp.analysis.flags': [true],
  'tcp.analysis.retransmission': [true],
  'tls.handshake.type': [1],
  'tls.handshake.extensions_server_name': ['tools.cisco.com'],
  'tls.record.content_type': [22],
});
const dns = packet(['eth', 'ip', 'udp', 'dns'], {
  'ip.src': ['192.168.1.5'],
  'ip.dst': ['192.168.1.1'],
  'ip.addr': ['192.168.1.5', '192.168.1.1'],
  'udp.port': [53011, 53],
  'dns.qry.name': ['Tools.Cisco.com'],
});
const arp = packet(['eth', 'arp'], {
  'eth.addr': ['ff:ff:ff:ff:ff:ff', '00:50:56:8d:76:9d'],
});
const v6 = packet(['eth', 'ipv6', 'tcp'], {
  'ipv6.src': ['2001:db8::1'],
  'ipv6.dst': ['2001:db8:0:0:0:0:0:2'],
  'ipv6.addr': ['2001:db8::1', '2001:db8::2'],
  'tcp.port': [50000, 443],
  'tcp.flags.syn': [true],
});
const all = { connect, hello, dns, arp, v6 };

function matching(expr: string): string[] {
  const f = compileFilter(expr);
  return Object.entries(all)
    .filter(([, p]) => f.test(p))
    .map(([k]) => k);
}

test('protocol names select the packets that carry them', () => {
  assert.deepEqual(matching('tcp'), ['connect', 'hello', 'v6']);
  assert.deepEqual(matching('udp'), ['dns']);
  assert.deepEqual(matching('http'), ['connect']);
  assert.deepEqual(matching('tls'), ['hello']);
  assert.deepEqual(matching('arp'), ['arp']);
  assert.deepEqual(matching('ipv6'), ['v6']);
  assert.deepEqual(matching('eth'), ['connect', 'hello', 'dns', 'arp', 'v6']);
});

test('field presence alone: http.request, tcp.analysis.flags', () => {
  assert.deepEqual(matching('http.request'), ['connect']);
  assert.deepEqual(matching('tcp.analysis.flags'), ['hello']);
  assert.deepEqual(matching('!tcp.analysis.flags && tcp'), ['connect', 'v6']);
});

test('ip.addr and tcp.port match either side; != means every occurrence differs', () => {
  assert.deepEqual(matching('ip.addr == 10.10.10.100'), ['connect', 'hello']);
  assert.deepEqual(matching('tcp.port == 3128'), ['connect', 'hello']);
  assert.deepEqual(matching('tcp.port eq 48716'), ['connect', 'hello']);
  // Wireshark 4: != is all_ne, absent fields never match a comparison
  assert.deepEqual(matching('tcp.port != 3128'), ['v6']);
  assert.deepEqual(matching('tcp.port ~= 3128'), ['connect', 'hello', 'v6']);
  assert.deepEqual(matching('tcp.port !== 3128'), ['connect', 'hello', 'v6']);
  assert.deepEqual(matching('!(tcp.port == 3128)'), ['dns', 'arp', 'v6']);
  assert.deepEqual(matching('all tcp.port > 1024'), ['connect', 'hello']);
  assert.deepEqual(matching('any tcp.port > 50000'), []);
  assert.deepEqual(matching('any tcp.port >= 50000'), ['v6']);
  assert.deepEqual(matching('tcp.port === 3128'), []);
});

test('numeric comparisons in every spelling, with hex and booleans', () => {
  assert.deepEqual(matching('tcp.dstport < 4000'), ['connect', 'hello']);
  assert.deepEqual(matching('tcp.dstport lt 3128'), []);
  assert.deepEqual(matching('tcp.dstport le 3128'), ['connect', 'hello']);
  assert.deepEqual(matching('tcp.dstport >= 0xc38'), ['connect', 'hello']);
  assert.deepEqual(matching('tcp.dstport gt 3127 and tcp.dstport ge 3128'), ['connect', 'hello']);
  assert.deepEqual(matching('ip.ttl == 64'), ['connect']);
  assert.deepEqual(matching('tcp.flags.syn == 1'), ['v6']);
  assert.deepEqual(matching('tcp.flags.syn == 0'), ['connect']);
  assert.deepEqual(matching('tcp.flags.syn == True'), ['v6']);
  assert.deepEqual(matching('tcp.seq_raw > 3000000000'), ['connect']);
  assert.deepEqual(matching("frame.len > 'a'"), ['connect']);
});

test('IPv4 CIDR, IPv6 (any spelling) and MAC literals', () => {
  assert.deepEqual(matching('ip.addr == 10.0.0.0/8'), ['connect', 'hello']);
  assert.deepEqual(matching('ip.src == 192.168.0.0/16'), ['dns']);
  assert.deepEqual(matching('ip.dst == 10.10.10.0/24 && !(ip.src == 10.10.10.100)'), ['connect', 'hello']);
  assert.deepEqual(matching('ipv6.dst == 2001:db8::2'), ['v6']);
  assert.deepEqual(matching('ipv6.addr == 2001:db8::/32'), ['v6']);
  assert.deepEqual(matching('eth.src == 00:50:56:8D:76:9D'), ['connect']);
  assert.deepEqual(matching('eth.addr == 00-50-56-8d-76-9d'), ['connect', 'arp']);
  assert.deepEqual(matching('eth.addr == ff:ff:ff:ff:ff:ff'), ['arp']);
  assert.deepEqual(matching('eth.src[0:3] == 00:50:56'), ['connect']);
});

test('strings: ==, contains (case-sensitive), matches (case-insensitive unless (?-i))', () => {
  assert.deepEqual(matching('http.request.method == "CONNECT"'), ['connect']);
  assert.deepEqual(matching('http.request.method == "connect"'), []);
  assert.deepEqual(matching('http.request.uri contains "cisco"'), ['connect']);
  assert.deepEqual(matching('dns.qry.name contains "cisco"'), []);
  assert.deepEqual(matching('dns.qry.name matches "cisco\\\\.com$"'), ['dns']);
  assert.deepEqual(matching('dns.qry.name ~ "(?-i)cisco"'), []);
  assert.deepEqual(matching('tls.handshake.extensions_server_name matches "^tools\\\\."'), ['hello']);
  assert.equal(
    errorOf('tls.handshake.extensions_server_name matches "^tools\\."').message,
    '1:53: unknown escape "\\." in a string (write "\\\\" for a backslash)',
  );
  assert.deepEqual(matching('frame.comment contains "first"'), ['connect']);
  assert.deepEqual(matching('tcp.payload contains "CONNECT"'), ['connect']);
  assert.deepEqual(matching('tcp.payload contains 43:4f:4e'), ['connect']);
  assert.deepEqual(matching('http.user_agent == "curl/8.5.0"'), ['connect']);
  assert.deepEqual(matching('http.request.uri == "tools.cisco.com:443\\x00"'), []);
});

test('set membership: comma and space forms, ranges, not in', () => {
  assert.deepEqual(matching('tcp.port in {80, 443, 3128}'), ['connect', 'hello', 'v6']);
  assert.deepEqual(matching('tcp.port in {80 443 3128}'), ['connect', 'hello', 'v6']);
  assert.deepEqual(matching('tcp.port in {1024..4000}'), ['connect', 'hello']);
  assert.deepEqual(matching('udp.port in {53, 5353}'), ['dns']);
  assert.deepEqual(matching('ip.addr in {10.10.10.90..10.10.10.110}'), ['connect', 'hello']);
  assert.deepEqual(matching('http.request.method in {"GET", "CONNECT"}'), ['connect']);
  // not in negates the membership; packets without the field pass (as tshark 4.0 does)
  assert.deepEqual(matching('tcp.port not in {3128}'), ['dns', 'arp', 'v6']);
});

test('boolean operators, word forms, precedence and parentheses', () => {
  assert.deepEqual(matching('tcp and not tls'), ['connect', 'v6']);
  assert.deepEqual(matching('http || dns'), ['connect', 'dns']);
  assert.deepEqual(matching('tcp && tls || dns'), ['hello', 'dns']);
  assert.deepEqual(matching('tcp && (tls || dns)'), ['hello']);
  assert.deepEqual(matching('!(tcp || udp)'), ['arp']);
  assert.deepEqual(matching('not not arp'), ['arp']);
  assert.deepEqual(matching('tcp ^^ ipv6'), ['connect', 'hello']);
  assert.deepEqual(matching('TCP.PORT == 3128 AND tls'.replace('TCP.PORT', 'tcp.port')), ['hello']);
});

test('compiled filters say which names they read and whether presence is all they ask', () => {
  const p = compileFilter('tcp && !(http || tcp.analysis.flags)');
  assert.equal(p.presenceOnly, true);
  assert.deepEqual([...p.names].sort(), ['http', 'tcp', 'tcp.analysis.flags']);
  const q = compileFilter('tcp.port == 80 || dns');
  assert.equal(q.presenceOnly, false);
  assert.equal(isEmptyFilter('   '), true);
  assert.equal(isEmptyFilter('tcp'), false);
});

function errorOf(expr: string, knownFields?: string[]): FilterError {
  try {
    compileFilter(expr, knownFields ? { knownFields } : {});
  } catch (e) {
    assert.ok(e instanceof FilterError, `expected a FilterError, got ${String(e)}`);
    return e;
  }
  assert.fail(`"${expr}" compiled but should not`);
}

test('errors name the column and what was expected', () => {
  assert.equal(errorOf('ip.addr == ').message, '1:9: expected a value after "=="');
  assert.equal(errorOf('ip.addr ==').column, 9);
  assert.equal(errorOf('tcp.port = 80').message, '1:10: "=" is not an operator; use "==" to compare');
  assert.equal(errorOf('tcp &&').message, '1:5: expected a field or protocol after "&&"');
  assert.equal(errorOf('(tcp || udp').message, '1:12: expected ")" to close the "(" at column 1');
  assert.equal(errorOf('tcp)').message, '1:4: this ")" has no matching "("');
  assert.equal(
    errorOf('tcp udp').message,
    '1:5: expected "&&", "||" or the end of the filter after "tcp", but found "udp"',
  );
  assert.equal(errorOf('').message, '1:1: the filter is empty');
  assert.equal(errorOf('http.host contains "abc').message, '1:20: this string has no closing "');
  assert.match(errorOf('http.host matches "(["').message, /^1:19: this regular expression is not valid/);
  assert.equal(
    errorOf('tcp.port in 80').message,
    '1:13: expected "{" after "in", as in tcp.port in {80, 443}',
  );
  assert.equal(errorOf('tcp.port in {80, 443').message, '1:13: the set opened here has no closing "}"');
  assert.equal(errorOf('tcp.port in {}').message, '1:14: the set is empty; list at least one value');
  assert.equal(errorOf('tcp.port & 1').message, '1:10: "&" is not an operator; use "&&" (and)');
  assert.equal(errorOf('== 80').message, '1:1: expected a field or protocol name but found "=="');
  assert.equal(errorOf('tcp.port == 80 ||').message, '1:16: expected a field or protocol after "||"');
  assert.equal(
    errorOf('frame.comment matches abc').message,
    '1:23: expected a quoted regular expression after "matches"',
  );
  const e = errorOf('ip.src == 1 && tcp.port == "x', undefined);
  assert.equal(e.position, 27);
});

test('unknown field names are errors with a suggestion when the known fields are given', () => {
  const known = ['ip.src', 'ip.dst', 'ip.addr', 'tcp.port', 'tcp.srcport', 'http.request.method'];
  assert.equal(
    errorOf('ip.scr == 10.0.0.1', known).message,
    "1:1: 'ip.scr' is not a known field; did you mean 'ip.src'?",
  );
  assert.equal(
    errorOf('tcp && tcp.prot == 80', known).message,
    "1:8: 'tcp.prot' is not a known field; did you mean 'tcp.port'?",
  );
  assert.equal(errorOf('zzzz.qqqq', known).message, "1:1: 'zzzz.qqqq' is not a known field");
  // protocol names are always known; field-to-field comparisons work with known names
  const f = compileFilter('tcp && ip.src == ip.dst', { knownFields: known });
  assert.equal(f.test(packet(['tcp'], { 'ip.src': ['1.2.3.4'], 'ip.dst': ['1.2.3.4'] })), true);
  assert.equal(f.test(packet(['tcp'], { 'ip.src': ['1.2.3.4'], 'ip.dst': ['1.2.3.5'] })), false);
});

test('strings with escapes and raw strings', () => {
  const p = packet(['http'], { 'http.x': ['a"b\\c\n'] });
  assert.equal(compileFilter('http.x == "a\\"b\\\\c\\n"').test(p), true);
  assert.equal(compileFilter('http.x matches r"b\\\\c"').test(p), true);
  assert.equal(compileFilter('http.x contains "\\x61\\042"').test(p), true);
});
