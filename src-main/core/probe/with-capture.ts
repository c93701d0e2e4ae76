/**
 * `probe --capture IFACE`: capture the probe's own packets and let the packet diagnosis judge
 * them too, so the verdict is proven by packets. Kept apart from probe.ts so the probe itself
 * needs neither capture rights nor the capture/diagnose modules.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildProxyFilter, startCapture, CaptureError, type CaptureSession } from '../capture/index.js';
import { rawPacketFacts } from '../diagnose/file.js';
import { joinVerdict } from '../diagnose/joined.js';
import type { KnownIssueId } from '../diagnose/issue-ids.js';
import type { RawPacket } from '../pcap/types.js';
import type { HostPort, ProbeResult } from './types.js';

export interface CaptureAttachment {
  available: boolean;
  interface: string;
  /** the pcapng written during the probe */
  file?: string;
  /** packets captured / packets that belong to the probe (its local ports, DNS, ICMP) */
  packets: number;
  probePackets: number;
  /** the packets' own verdict (the probe's connections only) */
  verdict?: { issue: KnownIssueId; ok: boolean; summary: string };
  /** the packets confirm the probe (same issue, or a path that looks fine where packets cannot see the issue) */
  agrees?: boolean;
  /** the one verdict of probe and packets (joinVerdict): the more severe issue when they disagree */
  joined?: {
    issue: KnownIssueId;
    ok: boolean;
    summary: string;
    source: 'both' | 'probe' | 'packets';
    agreementText: string;
  };
  findings: Array<{ id: KnownIssueId; severity: string; title: string; packets: number[] }>;
  /** one paragraph for the human output */
  text: string;
  error?: string;
}

export interface ProbeCaptureSession {
  finish(result: () => ProbeResult | undefined): Promise<CaptureAttachment>;
}

export interface ProbeCaptureOptions {
  writePath?: string;
  stallSeconds?: number;
  /** extra trusted CA PEM (the probe's --ca): its subjects count as expected issuers */
  extraCa?: string;
}

function caSubjects(pem: string | undefined): string[] {
  if (!pem) return [];
  const out: string[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) {
    try {
      out.push(new X509Certificate(m[0]).subject.split('\n').filter(Boolean).join(', '));
    } catch {
      // not a certificate: nothing to trust
    }
  }
  return out;
}

/** Starts a capture of the traffic to `proxy` on `iface`; never throws: a failure is reported in the attachment. */
export async function attachCapture(
  iface: string,
  proxy: HostPort,
  opts: ProbeCaptureOptions = {},
): Promise<ProbeCaptureSession> {
  const file =
    opts.writePath ??
    path.join(os.tmpdir(), `proxyscope-probe-${new Date().toISOString().replace(/[:.]/g, '-')}.pcapng`);
  const packets: RawPacket[] = [];
  let session: CaptureSession;
  try {
    const base = buildProxyFilter({ host: proxy.host, port: proxy.port });
    const filter = net.isIP(proxy.host) ? base : `${base} or udp port 53`;
    session = await startCapture({
      interface: iface,
      filter,
      writePath: file,
      onBatch: (batch) => {
        // a loop, not push(...batch): a large batch spread as arguments overflows the stack
        for (const p of batch) packets.push(copy(p));
      },
    });
  } catch (e) {
    const err =
      e instanceof CaptureError
        ? `${e.message}${e.fix.length ? ` Fix: ${e.fix.join(' / ')}` : ''}`
        : (e as Error).message;
    return {
      finish: async () => ({
        available: false,
        interface: iface,
        packets: 0,
        probePackets: 0,
        findings: [],
        text: `no packet evidence: the capture on ${iface} could not start: ${err}`,
        error: err,
      }),
    };
  }
  return {
    async finish(getResult) {
      // the last FIN/RST and retransmissions arrive after runProbe returns
      await new Promise((r) => setTimeout(r, 600));
      const stats = await session.stop().catch(() => undefined);
      const result = getResult();
      if (!result)
        return {
          available: true,
          interface: iface,
          file,
          packets: packets.length,
          probePackets: 0,
          findings: [],
          text: `captured ${packets.length} packets to ${file}; the probe did not finish`,
        };
      // frame numbers stay those of the saved pcapng; joinVerdict keeps the probe's own
      // conversations (other clients of the same proxy are not ours), DNS and ICMP
      const ports = new Set(result.localPorts);
      const facts = rawPacketFacts(packets);
      const mine = facts.filter(
        (f) =>
          f.icmp ||
          f.dns ||
          (f.srcPort !== undefined && ports.has(f.srcPort)) ||
          (f.dstPort !== undefined && ports.has(f.dstPort)),
      );
      const { verdict: j, diagnosis: d } = joinVerdict(result, facts, {
        proxy,
        stallSeconds: opts.stallSeconds ?? 3,
        trustedIssuers: caSubjects(opts.extraCa),
      });
      const k = j.packets;
      const agrees = j.agreement === 'agree';
      const findings = d.findings.map((f) => ({
        id: f.id,
        severity: String(f.severity),
        title: f.title,
        packets: f.packets,
      }));
      const decisive = d.findings.find((f) => f.id === k.issue);
      const evidence = decisive?.packets.length
        ? ` (evidence: frames ${decisive.packets.slice(0, 8).join(', ')}${decisive.packets.length > 8 ? ', …' : ''})`
        : '';
      const text =
        `${mine.length} of ${packets.length} captured packets belong to the probe (saved to ${file}${stats ? `, backend ${stats.backend}` : ''}). ` +
        `Packet verdict: ${k.issue}${evidence}. ${j.agreementText}` +
        (agrees ? '' : ` Verdict: ${j.issue}.${j.source === 'packets' ? ` ${k.summary}` : ''}`);
      return {
        available: true,
        interface: iface,
        file,
        packets: packets.length,
        probePackets: mine.length,
        verdict: { issue: k.issue, ok: k.ok, summary: k.summary },
        agrees,
        joined: {
          issue: j.issue,
          ok: j.ok,
          summary: j.summary,
          source: j.source,
          agreementText: j.agreementText,
        },
        findings,
        text,
      };
    },
  };
}

/** Backends may reuse their buffers between batches: keep our own bytes. */
function copy(p: RawPacket): RawPacket {
  return { ...p, data: new Uint8Array(p.data) };
}
