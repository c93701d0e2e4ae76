// Lower-layer dissectors on bytes built in the test: the fields a filter sees, the tree lines
// with their byte ranges, the columns, and "malformed" expert items (never exceptions) for
// truncated or corrupt packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketEngine, type DissectedPacket } from '../../../src-main/core/dissect/engine.js';
import type { FieldNode } from '../../../src-main/core/dissect/types.js';
import { FLAG_MALFORMED } from '../../../src-main/core/dissect/engine-context.js';
import { shortVendorName } from '../../../src-main/core/dissect/oui.js';
import { ACK, PSH, SYN, TcpFlow, ascii, eth, ipv4, raw, tcp, linuxSynOptions } from '../../helpers/frames.js';
import { mixedEthernet, otherLinks } from './mixed.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

function dissectAll(packets: RawPacket[]): DissectedPacket[] {
  const e = new PacketEngine();
  packets.forEach((p, i) => e.index(p, i + 1));
  return packets.map((p, i) => e.dissect(p, i + 1));
}

function one(p: RawPacket): DissectedPacket {
  return dissectAll([p])[0];
}

function node(nodes: FieldNode[], pred: (n: FieldNode) => boolean): FieldNode | undefined {
  for (const n of nodes) {
    if (pred(n)) return n;
    const c = n.children && node(n.children, pred);
    if (c) return c;
  }
  return undefined;
}

const byField = (d: DissectedPacket, f: string) => node(d.tree, (n) => n.field === f);

test('frame and Ethernet: the FMC document lines, vendor names, byte ranges', () => {
  const f = new TcpFlow({ ip: '10.10.10.5', port: 48716 }, { ip: '10.10.10.1', port: 3128 });
  const bytes = f.send(0, SYN, undefined, { win: 64240, options: linuxSynOptions(1000, 0) });
  const d = one(raw(bytes, 0, 1, ['proxy SYN']));
  assert.equal(d.tree[0].label, 'Packet comments');
  assert.deepEqual(d.fields.values('frame.comment'), ['proxy SYN']);
  const frame = d.tree.find((n) => n.field === 'frame')!;
  assert.equal(frame.label, `Frame 1: 74 bytes on wire (592 bits), 74 bytes captured (592 bits)`);
  assert.deepEqual(d.fields.values('frame.protocols'), ['eth:ethertype:ip:tcp']);
  assert.deepEqual(d.fields.values('frame.len'), [74]);
  const ethNode = d.tree.find((n) => n.field === 'eth')!;
  assert.equal(
    ethNode.label,
    'Ethernet II, Src: VMware_8d:76:9d (00:50:56:8d:76:9d), Dst: Cisco_9f:f0:01 (00:00:0c:9f:f0:01)',
  );
  assert.equal(ethNode.offset, 0);
  assert.equal(ethNode.length, 14);
  assert.deepEqual(d.fields.values('eth.src'), ['00:50:56:8d:76:9d']);
  assert.deepEqual(d.fields.values('eth.addr'), ['00:00:0c:9f:f0:01', '00:50:56:8d:76:9d']);
  assert.deepEqual(d.fields.values('eth.type'), [0x0800]);
  assert.equal(byField(d, 'eth.src')!.offset, 6);
  assert.equal(d.summary.comment, 'proxy SYN');
  assert.ok(d.expert.some((x) => x.group === 'comment'));
});

test('OUI short names: first word of the organisation, letters and digits, at most 8', () => {
  assert.equal(shortVendorName('VMware, Inc.\n3401 Hillview Avenue'), 'VMware');
  assert.equal(shortVendorName('Cisco Systems, Inc'), 'Cisco');
  assert.equal(shortVendorName('Hewlett-Packard Company'), 'HewlettP');
});

test('IPv4: flags, TTL, addresses; TCP: options, flags, Info', () => {
  const f = new TcpFlow({ ip: '10.10.10.5', port: 48716 }, { ip: '10.10.10.1', port: 80 });
  const d = one(raw(f.send(0, SYN, undefined, { win: 64240, options: linuxSynOptions(1000, 0) })));
  assert.deepEqual(d.fields.values('ip.flags.df'), [true]);
  assert.deepEqual(d.fields.values('ip.flags.mf'), [false]);
  assert.deepEqual(d.fields.values('ip.ttl'), [64]);
  assert.deepEqual(d.fields.values('ip.src'), ['10.10.10.5']);
  assert.deepEqual(d.fields.values('ip.addr'), ['10.10.10.5', '10.10.10.1']);
  assert.deepEqual(d.fields.values('tcp.port'), [48716, 80]);
  assert.deepEqual(d.fields.values('tcp.flags.syn'), [true]);
  assert.deepEqual(d.fields.values('tcp.flags.ack'), [false]);
  assert.deepEqual(d.fields.values('tcp.options.mss_val'), [1460]);
  assert.deepEqual(d.fields.values('tcp.options.wscale.shift'), [7]);
  assert.deepEqual(d.fields.values('tcp.options.wscale.multiplier'), [128]);
  assert.deepEqual(d.fields.values('tcp.options.sack_perm'), [true]);
  assert.deepEqual(d.fields.values('tcp.options.timestamp.tsval'), [1000]);
  assert.deepEqual(d.fields.values('tcp.len'), [0]);
  assert.equal(
    d.summary.info,
    '48716 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=1000 TSecr=0 WS=128',
  );
  const mss = byField(d, 'tcp.options.mss_val')!;
  assert.equal(mss.offset, 14 + 20 + 22);
  assert.equal(mss.length, 2);
  assert.equal(byField(d, 'ip.ttl')!.offset, 22);
  assert.ok(d.expert.some((x) => x.id === 'tcp.connection.syn' && x.message.endsWith('server port 80')));
  assert.ok(d.fields.hasProtocol('tcp') && d.fields.hasProtocol('ip') && !d.fields.hasProtocol('udp'));
});

test('mixed capture: ARP, VLAN, options, fragments, IPv6 extension headers, ICMP and ICMPv6', () => {
  const d = dissectAll(mixedEthernet());
  assert.equal(d[0].summary.info, 'Who has 10.10.10.1? Tell 10.10.10.5');
  assert.equal(d[0].summary.dst, 'Broadcast');
  assert.deepEqual(d[0].fields.values('arp.opcode'), [1]);
  assert.deepEqual(d[1].fields.values('arp.src.hw_mac'), ['00:00:0c:9f:f0:01']);
  assert.deepEqual(d[2].fields.values('vlan.id'), [42]);
  assert.equal(d[2].summary.protocol, 'TCP');
  assert.deepEqual(d[3].fields.values('ip.opt.type'), [148]);
  assert.deepEqual(d[3].fields.values('ip.hdr_len'), [24]);
  assert.match(
    d[4].summary.info,
    /^Fragmented IP protocol \(proto=UDP 17, off=0, ID=4321\) \[Reassembled in #6\]$/,
  );
  assert.equal(d[5].summary.protocol, 'UDP');
  assert.equal(d[5].extraSources[0].label, 'Reassembled IPv4 (1608 bytes)');
  assert.deepEqual(d[5].fields.values('udp.length'), [1608]);
  assert.match(d[6].summary.info, /\(reply in 8\)$/);
  assert.deepEqual(d[7].fields.values('icmp.resp_to'), [7]);
  assert.equal(d[8].summary.info, 'Destination unreachable (Fragmentation needed)');
  assert.deepEqual(d[8].fields.values('icmp.mtu'), [1400]);
  // the quoted header is dissected but does not become the packet's addresses or ports
  assert.deepEqual(d[8].fields.values('tcp.dstport'), [3128]);
  assert.equal(d[8].summary.src, '10.10.10.254');
  assert.deepEqual(d[8].fields.values('icmp.type'), [3]);
  assert.deepEqual(d[9].fields.values('icmp.type'), [11]);
  assert.deepEqual(d[10].fields.values('ipv6.hopopts'), [true]);
  assert.deepEqual(d[10].fields.values('tcp.flags.syn'), [true]);
  assert.deepEqual(d[11].fields.values('ipv6.fraghdr.more'), [true]);
  assert.deepEqual(d[12].fields.values('icmpv6.echo.identifier'), [0x42]);
  assert.deepEqual(d[13].fields.values('icmpv6.mtu'), [1280]);
  assert.equal(d[13].summary.info, 'Packet Too Big');
  assert.deepEqual(d[14].fields.values('icmpv6.nd.ns.target_address'), ['fe80::1']);
  assert.equal(d[15].summary.info, 'Neighbor Advertisement fe80::1 (sol, ovr) is at 00:00:0c:9f:f0:01');
});

test('cooked, loopback and raw link types reach TCP', () => {
  for (const l of otherLinks()) {
    const d = one(l.packet);
    assert.equal(d.summary.protocol, 'TCP', l.name);
    assert.deepEqual(d.fields.values('tcp.srcport'), [47500], l.name);
  }
  const sll2 = one(otherLinks()[1].packet);
  assert.deepEqual(sll2.fields.values('sll.ifindex'), [2]);
});

test('fast path: protocol id, mask, conversation, no strings needed', () => {
  const e = new PacketEngine();
  const f = new TcpFlow({ ip: '10.10.10.5', port: 48716 }, { ip: '10.10.10.1', port: 47800 });
  const packets = [...f.handshake(), f.send(0, PSH | ACK, ascii('abc'))].map((b, i) => raw(b, i));
  const infos = packets.map((p, i) => ({ ...e.index(p, i + 1) }));
  const tcpId = e.registry.protocolId('tcp');
  for (const fi of infos) {
    assert.equal(fi.proto, tcpId);
    assert.ok(fi.protoMask & (1 << tcpId));
    assert.equal(fi.conv, 0);
  }
  assert.equal(infos[0].tcpFlags, SYN);
  assert.equal(e.registry.field('tcp.flags.syn')?.type, 'bool');
  assert.equal(e.registry.field('ip.addr')?.type, 'ipv4');
  assert.equal(e.registry.field('tcp')?.type, 'protocol');
});

function assertMalformedNotThrown(p: RawPacket, what: string): DissectedPacket {
  const e = new PacketEngine();
  const fi = e.index(p, 1);
  const d = e.dissect(p, 1);
  assert.ok(fi.flags & FLAG_MALFORMED, `${what}: fast path flags malformed`);
  assert.ok(
    d.expert.some((x) => x.id === 'malformed' && x.severity === 'error'),
    `${what}: malformed expert item`,
  );
  assert.equal(d.summary.severity, 'error');
  return d;
}

test('malformed: truncated headers give "[Malformed Packet: X]", never an exception', () => {
  const f = new TcpFlow({ ip: '10.10.10.5', port: 48716 }, { ip: '10.10.10.1', port: 80 });
  const full = f.send(0, SYN, undefined, { options: linuxSynOptions() });
  const d = assertMalformedNotThrown(raw(full.subarray(0, 14 + 20 + 10)), 'TCP cut at 10 bytes');
  assert.ok(node(d.tree, (n) => n.label === '[Malformed Packet: TCP]'));
  assertMalformedNotThrown(raw(full.subarray(0, 14 + 12)), 'IPv4 cut at 12 bytes');
  assertMalformedNotThrown(raw(full.subarray(0, 10)), 'Ethernet cut at 10 bytes');
  // TCP data offset below 5
  const bad = eth(ipv4(tcp(new Uint8Array(0), { sport: 1, dport: 2 })));
  bad[14 + 20 + 12] = 0x20;
  assertMalformedNotThrown(raw(bad), 'TCP header length 8');
  // IPv4 total length smaller than the header
  const badIp = eth(ipv4(new Uint8Array(8), { proto: 17, totalLength: 12 }));
  assertMalformedNotThrown(raw(badIp), 'IPv4 total length 12');
});

test('snap length: a frame cut short by the capture is "[Packet size limited during capture]", not malformed', () => {
  const f = new TcpFlow({ ip: '10.10.10.5', port: 48716 }, { ip: '10.10.10.1', port: 80 });
  const full = f.send(0, SYN, undefined, { options: linuxSynOptions() });
  const p = raw(full.subarray(0, 14 + 20 + 10));
  p.originalLength = full.length;
  const e = new PacketEngine();
  const fi = e.index(p, 1);
  const d = e.dissect(p, 1);
  assert.equal(fi.flags & FLAG_MALFORMED, 0);
  assert.equal(d.summary.info, '48716 → 80[Packet size limited during capture]');
  assert.ok(d.expert.some((x) => x.id === 'frame.truncated' && x.severity === 'note'));
  assert.ok(!d.expert.some((x) => x.id === 'malformed'));
});

test('malformed: every truncation and byte flip of every test packet dissects without throwing', () => {
  const corpus: RawPacket[] = [...mixedEthernet(), ...otherLinks().map((l) => l.packet)];
  const f = new TcpFlow({ ip: '10.10.10.5', port: 48716 }, { ip: '10.10.10.1', port: 80 });
  corpus.push(
    ...[
      ...f.handshake(),
      f.send(0, PSH | ACK, ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), {
        options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[1, 2]] }],
      }),
    ].map((b) => raw(b)),
  );
  let runs = 0;
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const p of corpus) {
    const e = new PacketEngine();
    let no = 0;
    const variants: Uint8Array[] = [];
    for (let cut = 0; cut <= p.data.length; cut++) variants.push(p.data.slice(0, cut));
    for (let k = 0; k < 60; k++) {
      const m = p.data.slice();
      for (let j = 0; j < 3; j++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      variants.push(m);
    }
    for (const v of variants) {
      const q: RawPacket = { ...p, data: v, capturedLength: v.length };
      no++;
      e.index(q, no);
      e.summary(q, no);
      e.dissect(q, no);
      runs++;
    }
  }
  assert.ok(runs > 2000, `${runs} mutated packets`);
});
