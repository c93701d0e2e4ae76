// Diagnosis of a capture file (pcap or pcapng): read every packet, extract its facts, diagnose.
import { readCaptureFile } from '../pcap/file-reader.js';
import type { RawPacket } from '../pcap/types.js';
import { diagnosePackets, type DiagnoseOptions, type DiagnosisResult } from './diagnose.js';
import { FactExtractor } from './extract.js';
import type { PacketFacts } from './facts.js';

/** Facts of every packet of a capture file, frame numbers from 1. */
export async function captureFileFacts(path: string, signal?: AbortSignal): Promise<PacketFacts[]> {
  const ex = new FactExtractor();
  const facts: PacketFacts[] = [];
  await readCaptureFile(path, (p: RawPacket) => {
    facts.push(ex.push(p, facts.length + 1));
  }, signal ? { signal } : {});
  return facts;
}

/** Reads a capture file and diagnoses its conversations to the proxy. */
export async function diagnoseCaptureFile(path: string, opts: DiagnoseOptions = {}): Promise<DiagnosisResult> {
  return diagnosePackets(await captureFileFacts(path), opts);
}

/**
 * Diagnosis fed one packet at a time (a streaming reader or a live capture): keeps only the facts
 * of TCP, ICMP and DNS packets, without payload bytes.
 */
export class CaptureDiagnosis {
  private ex = new FactExtractor();
  private facts: PacketFacts[] = [];
  /** with the proxy known up front, only its port's TCP packets (and ICMP, DNS) are kept */
  constructor(private readonly proxyPort?: number) {}
  push(raw: RawPacket, no: number): void {
    const f = this.ex.push(raw, no);
    if (f.tcp) {
      if (this.proxyPort !== undefined && f.srcPort !== this.proxyPort && f.dstPort !== this.proxyPort) return;
    } else if (!f.icmp && !f.dns) return;
    this.facts.push(f);
  }
  finish(opts: DiagnoseOptions = {}): DiagnosisResult {
    return diagnosePackets(this.facts, opts);
  }
}

/** Facts of raw packets already in memory (a live capture's buffer). */
export function rawPacketFacts(packets: Iterable<RawPacket>): PacketFacts[] {
  const ex = new FactExtractor();
  const out: PacketFacts[] = [];
  for (const p of packets) out.push(ex.push(p, out.length + 1));
  return out;
}
