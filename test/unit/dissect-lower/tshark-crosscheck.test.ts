// Cross-check with tshark (two-pass, as the Wireshark GUI shows rows): for every packet of
// captures built by the tests and of a real loopback capture made with tcpdump, the Protocol
// column, addresses, ports, TCP flags, the Info of TCP lines and tcp.analysis.flags agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PacketEngine } from '../../../src-main/core/dissect/engine.js';
import { TCP_ANALYSIS_MASK } from '../../../src-main/core/tcp/analysis.js';
import { scenarios } from '../tcp/scenarios.js';
import { mixedEthernet, otherLinks } from './mixed.js';
import {
  ACK,
  PSH,
  TcpFlow,
  ascii,
  concat,
  eth,
  icmpv6,
  ipv6,
  ipv6Frag,
  raw,
  readPackets,
  udp,
  writePcap,
} from '../../helpers/frames.js';
import type { RawPacket } from '../../../src-main/core/pcap/types.js';

const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
const skipNoTshark = hasTshark ? false : 'tshark is not installed (apt-get install tshark)';

interface Row {
  src: string;
  dst: string;
  protocol: string;
  sport: string;
  dport: string;
  flags: string;
  info: string;
  /** "acks_frame ack_rtt" when the segment ACKs one exactly */
  acks: string;
  analysis: boolean;
}

function tsharkRows(file: string): Row[] {
  const out = execFileSync(
    'tshark',
    [
      '-N',
      'm',
      '-2',
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'separator=/t',
      '-e',
      '_ws.col.Source',
      '-e',
      '_ws.col.Destination',
      '-e',
      '_ws.col.Protocol',
      '-e',
      'tcp.srcport',
      '-e',
      'tcp.dstport',
      '-e',
      'tcp.flags',
      '-e',
      'tcp.analysis.acks_frame',
      '-e',
      'tcp.analysis.ack_rtt',
      '-e',
      '_ws.col.Info',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 },
  );
  const flagged = new Set(
    execFileSync(
      'tshark',
      ['-n', '-2', '-r', file, '-Y', 'tcp.analysis.flags', '-T', 'fields', '-e', 'frame.number'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    )
      .split('\n')
      .filter(Boolean)
      .map(Number),
  );
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      const [src, dst, protocol, sport, dport, flags, acksFrame, ackRtt, info] = l.split('\t');
      return {
        src,
        dst,
        protocol,
        sport,
        dport,
        flags: flags ? String(parseInt(flags, 16)) : '',
        info,
        acks: acksFrame ? `${acksFrame} ${ackRtt}` : '',
        analysis: flagged.has(i + 1),
      };
    });
}

function ourRows(packets: RawPacket[]): Row[] {
  const e = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
  const fast = packets.map((p, i) => ({ ...e.index(p, i + 1) }));
  return packets.map((p, i) => {
    const s = e.summary(p, i + 1);
    const d = e.dissect(p, i + 1);
    const tcpPorts = d.fields.values('tcp.srcport');
    assert.deepEqual(d.summary, s, `frame ${i + 1}: summary() and dissect() agree`);
    return {
      src: s.src,
      dst: s.dst,
      protocol: s.protocol,
      sport: tcpPorts.length ? String(tcpPorts[0]) : '',
      dport: tcpPorts.length ? String(d.fields.values('tcp.dstport')[0]) : '',
      flags: d.fields.values('tcp.flags').length ? String(d.fields.values('tcp.flags')[0]) : '',
      info: s.info,
      acks: d.fields.values('tcp.analysis.acks_frame').length
        ? `${d.fields.values('tcp.analysis.acks_frame')[0]} ${Number(d.fields.values('tcp.analysis.ack_rtt')[0]).toFixed(9)}`
        : '',
      analysis: (fast[i].flags & TCP_ANALYSIS_MASK) !== 0,
    };
  });
}

function compare(name: string, packets: RawPacket[], linkType = 1, compareAllInfo = true): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-xcheck-'));
  try {
    const file = path.join(dir, 'x.pcap');
    writePcap(file, packets, linkType);
    const theirs = tsharkRows(file);
    const ours = ourRows(packets);
    assert.equal(ours.length, theirs.length, `${name}: packet count`);
    for (let i = 0; i < ours.length; i++) {
      const o = ours[i];
      const t = theirs[i];
      const where = `${name}, frame ${i + 1}`;
      assert.equal(o.protocol, t.protocol, `${where}: Protocol (${t.info})`);
      assert.equal(o.src, t.src, `${where}: Source`);
      assert.equal(o.dst, t.dst, `${where}: Destination`);
      assert.equal(o.sport, t.sport, `${where}: tcp.srcport`);
      assert.equal(o.dport, t.dport, `${where}: tcp.dstport`);
      assert.equal(o.flags, t.flags, `${where}: tcp.flags`);
      if (compareAllInfo || t.protocol === 'TCP') assert.equal(o.info, t.info, `${where}: Info`);
      assert.equal(o.analysis, t.analysis, `${where}: tcp.analysis.flags (${t.info})`);
      assert.equal(o.acks, t.acks, `${where}: tcp.analysis.acks_frame and ack_rtt (${t.info})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tshark -v is 4.x (the cross-check expects its Info format)', { skip: skipNoTshark }, () => {
  const v = execFileSync('tshark', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(v, /TShark \(Wireshark\) 4\./);
});

for (const sc of scenarios()) {
  test(`tshark cross-check: ${sc.name}`, { skip: skipNoTshark }, () => compare(sc.name, sc.packets));
}

test(
  'tshark cross-check: single-pass rows (indexWithSummary) match `tshark -r`',
  { skip: skipNoTshark },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dl-single-'));
    try {
      for (const sc of [...scenarios(), { name: 'mixed', packets: mixedEthernet() }]) {
        const file = path.join(dir, 'x.pcap');
        writePcap(file, sc.packets);
        const theirs = execFileSync(
          'tshark',
          ['-N', 'm', '-r', file, '-T', 'fields', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        )
          .trimEnd()
          .split('\n');
        const e = new PacketEngine();
        sc.packets.forEach((p, i) => {
          const s = e.indexWithSummary(p, i + 1).summary;
          const t = theirs[i].split('\t');
          assert.equal(s.protocol, t[0], `${sc.name}, frame ${i + 1}: Protocol`);
          // a single pass cannot know later frames: tshark -r shows no "(reply in N)", "[Reassembled in #N]"
          if (s.protocol === 'TCP') assert.equal(s.info, t[1], `${sc.name}, frame ${i + 1}: Info`);
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'tshark cross-check: ARP, VLAN, IPv4 options and fragments, IPv6 extension headers, ICMP, ICMPv6',
  { skip: skipNoTshark },
  () => {
    compare('mixed', mixedEthernet());
  },
);

for (const l of otherLinks()) {
  test(`tshark cross-check: link type ${l.name}`, { skip: skipNoTshark }, () =>
    compare(l.name, [l.packet], l.linkType),
  );
}

test(
  'tshark cross-check: an HTTP request split over two segments is reassembled',
  { skip: skipNoTshark },
  () => {
    const f = new TcpFlow({ ip: '10.10.10.5', port: 47600 }, { ip: '10.10.10.1', port: 80 });
    const frames = [
      ...f.handshake(),
      f.send(0, PSH | ACK, ascii('GET /index.html HTTP/1.1\r\nHost: exa')),
      f.send(0, PSH | ACK, ascii('mple.com\r\nUser-Agent: t\r\n\r\n')),
      f.send(1, ACK),
    ];
    compare(
      'http split',
      frames.map((b, i) => raw(b, i * 0.001)),
      1,
      false,
    );
  },
);

test(
  'tshark cross-check: IPv6 fragments are reassembled (ping -s 1600, in and out of order, UDP)',
  { skip: skipNoTshark },
  () => {
    const a = '2001:db8::5';
    const b = '2001:db8::1';
    /** the IPv6 frames carrying `msg` (next header `nxt`) in pieces cut at `cuts` (multiples of 8) */
    const fragments = (
      msg: Uint8Array,
      nxt: number,
      id: number,
      src: string,
      dst: string,
      cuts: number[],
    ) => {
      const bounds = [0, ...cuts, msg.length];
      return bounds.slice(0, -1).map((from, i) =>
        eth(
          ipv6(msg.subarray(from, bounds[i + 1]), {
            src,
            dst,
            nxt: 44,
            ext: ipv6Frag(nxt, from, i < bounds.length - 2, id),
          }),
          { type: 0x86dd },
        ),
      );
    };
    const body = Uint8Array.from({ length: 1600 }, (_, i) => i & 0xff);
    const request = icmpv6(128, 0, Uint8Array.from([0, 0x42, 0, 1]), body, a, b);
    const reply = icmpv6(129, 0, Uint8Array.from([0, 0x42, 0, 1]), body, b, a);
    const request2 = icmpv6(128, 0, Uint8Array.from([0, 0x42, 0, 2]), body, a, b);
    const dgram = udp(new Uint8Array(3000).fill(0x61), { sport: 40000, dport: 9999, src: a, dst: b });
    const frames = [
      ...fragments(request, 58, 0x1001, a, b, [1232]),
      ...fragments(reply, 58, 0x2001, b, a, [1232]),
      ...fragments(request2, 58, 0x1002, a, b, [1232]).reverse(),
      ...fragments(dgram, 17, 0x1003, a, b, [1448, 2896]),
      eth(
        ipv6(concat(request.subarray(0, 8)), { src: a, dst: b, nxt: 44, ext: ipv6Frag(58, 0, true, 0x1004) }),
        { type: 0x86dd },
      ),
    ];
    const packets = frames.map((f, i) => raw(f, i * 0.001));
    compare('ipv6 fragments', packets);
    const e = new PacketEngine({ fetchFrame: (no) => packets[no - 1] });
    packets.forEach((p, i) => e.index(p, i + 1));
    const d2 = e.dissect(packets[1], 2);
    assert.equal(d2.summary.protocol, 'ICMPv6');
    assert.deepEqual(d2.fields.values('ipv6.fragment'), [1, 2]);
    assert.deepEqual(d2.fields.values('ipv6.reassembled.length'), [1608]);
    assert.deepEqual(e.dissect(packets[0], 1).fields.values('ipv6.reassembled.in'), [2]);
    assert.equal(e.summary(packets[9], 10).protocol, 'IPv6', 'a lone first fragment stays a fragment');
  },
);

/** Packets tcpdump has written so far (0 while the file is missing or its last record is partial). */
function packetsSoFar(file: string): number {
  try {
    return existsSync(file) ? readPackets(file).length : 0;
  } catch {
    return 0;
  }
}

const canCapture = existsSync('/usr/bin/tcpdump') || existsSync('/usr/sbin/tcpdump');
const skipCapture = !hasTshark
  ? 'tshark is not installed'
  : !canCapture
    ? 'tcpdump is not installed'
    : process.getuid?.() !== 0
      ? 'capturing on lo needs root'
      : false;

for (const iface of ['lo', 'any'])
  test(
    `tshark cross-check: a real loopback capture (tcpdump -i ${iface})`,
    { skip: skipCapture, timeout: 30000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'dl-lo-'));
      const file = path.join(dir, 'lo.pcap');
      const sockets: Socket[] = [];
      const server = createServer((s) => {
        sockets.push(s);
        s.on('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
        s.on('error', () => {});
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const dump = spawn(
        'tcpdump',
        ['-i', iface, '--immediate-mode', '-w', file, '-U', '-n', `tcp port ${port}`],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('tcpdump did not start listening within 10 s')),
            10000,
          );
          dump.stderr.on('data', (b: Buffer) => {
            if (b.toString().includes('listening on')) {
              clearTimeout(timer);
              resolve();
            }
          });
          dump.on('exit', (code) => reject(new Error(`tcpdump exited with ${code}`)));
        });
        // "listening on" comes a moment before every interface of "any" is bound
        await new Promise((r) => setTimeout(r, 300));
        // connections until tcpdump has written enough (it may miss the first packets after starting)
        for (let i = 0; i < 40; i++) {
          await new Promise<void>((resolve, reject) => {
            const c = connect(port, '127.0.0.1', () =>
              c.write(`GET /${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
            );
            c.on('data', () => {});
            c.on('end', () => {
              c.end();
              resolve();
            });
            c.on('error', reject);
          });
          if (i >= 2 && packetsSoFar(file) >= 30) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        dump.kill('SIGINT');
        await new Promise((r) => dump.once('exit', r).once('error', r));
        for (const s of sockets) s.destroy();
        server.close();
      }
      try {
        const packets = readPackets(file);
        const linkType = packets[0]?.linkType ?? 1;
        assert.ok(packets.length >= 15, `captured ${packets.length} packets`);
        // -i any is Linux cooked capture (SLL2 with tcpdump 4.99, SLL before), as on the FMC
        if (iface === 'any') assert.ok(linkType === 276 || linkType === 113, `link type ${linkType}`);
        compare(`tcpdump -i ${iface}`, packets, linkType, false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
