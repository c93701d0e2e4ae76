// `npm run samples [-- SCENARIO ...]`: runs each lab scenario with the probe while capturing on lo,
// diagnoses the packets, and writes resources/samples/<scenario>.pcapng with a comment on every
// packet naming its stage and the findings it proves, plus resources/samples/index.json (the
// probe's and the packets' verdicts). Needs capture permission on lo (root or CAP_NET_RAW).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCapture } from '../src-main/core/capture/index.js';
import { diagnosePackets, packetNotes, type DiagnosisResult } from '../src-main/core/diagnose/diagnose.js';
import { rawPacketFacts } from '../src-main/core/diagnose/file.js';
import {
  LAB_CREDENTIALS,
  LAB_SCENARIOS,
  SCENARIO_INFO,
  startLab,
  type LabScenario,
} from '../src-main/core/lab/index.js';
import { PcapngWriter } from '../src-main/core/pcap/pcapng-writer.js';
import type { RawPacket } from '../src-main/core/pcap/types.js';
import { runProbe } from '../src-main/core/probe/index.js';
import type { ProbeResult } from '../src-main/core/probe/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'resources', 'samples');

/**
 * Scenarios whose issue a capture cannot show, and why (their sample's packet verdict is ok).
 * Empty today: the lab's tls-intercept proxy speaks TLS 1.2, so its certificate is visible.
 */
export const PACKETS_BLIND: Partial<Record<LabScenario, string>> = {};

/** Download sizes: big enough to run into the stall/close scenarios' 64 KiB budget, small otherwise. */
function downloadUrl(s: LabScenario): string {
  const size = s === 'stall-after-tunnel' || s === 'close-mid-download' ? 1048576 : 131072;
  return `https://tools.cisco.com/download?size=${size}`;
}

export interface SampleEntry {
  scenario: LabScenario;
  file: string;
  packets: number;
  expected: string;
  probe: { issue: string; summary: string };
  diagnosis: { issue: string; summary: string };
  packetsBlind?: string;
}

export interface ScenarioRun {
  scenario: LabScenario;
  proxy: { host: string; port: number };
  probe: ProbeResult;
  packets: RawPacket[];
  linkType: number;
  result: DiagnosisResult;
}

/** Runs one lab scenario with the probe while capturing on lo, and diagnoses the packets. */
export async function captureScenario(scenario: LabScenario): Promise<ScenarioRun> {
  const info = SCENARIO_INFO[scenario];
  const lab = await startLab({ scenario });
  const proxy = { host: '127.0.0.1', port: lab.proxyPort };
  const packets: RawPacket[] = [];
  try {
    const cap = await startCapture({
      interface: 'lo',
      filter: `tcp port ${lab.proxyPort}`,
      onBatch: (batch) => {
        for (const p of batch) packets.push({ ...p, data: p.data.slice() });
      },
    });
    let probe: ProbeResult;
    try {
      probe = await runProbe({
        proxy,
        extraCa: lab.caPem,
        ...(info.probe.credentials ? { credentials: { ...LAB_CREDENTIALS } } : {}),
        ...(info.probe.download ? { download: downloadUrl(scenario), stallSeconds: 3 } : {}),
      });
    } finally {
      await new Promise((r) => setTimeout(r, 500));
      await cap.stop();
    }
    const result = diagnosePackets(rawPacketFacts(packets), { proxy });
    return { scenario, proxy, probe, packets, linkType: cap.linkType, result };
  } finally {
    await lab.close();
  }
}

async function makeSample(scenario: LabScenario): Promise<SampleEntry> {
  const info = SCENARIO_INFO[scenario];
  const { probe, packets, linkType, result } = await captureScenario(scenario);
  const notes = packetNotes(result);
  const file = path.join(outDir, `${scenario}.pcapng`);
  const w = new PcapngWriter(file, {
    comment: `ProxyScope lab scenario "${scenario}": ${info.description}. Probe verdict: ${probe.verdict.issue}. Packet verdict: ${result.verdict.issue} (${result.verdict.summary})`,
  });
  const ifc = w.addInterface({ linkType, name: 'lo', description: 'loopback (lab proxy on 127.0.0.1)' });
  packets.forEach((p, i) => {
    const note = notes.get(i + 1);
    w.writePacket({
      interfaceId: ifc,
      tsSec: p.tsSec,
      tsNsec: p.tsNsec,
      data: p.data,
      originalLength: p.originalLength,
      ...(note ? { comments: [note] } : {}),
    });
  });
  w.close();
  const entry: SampleEntry = {
    scenario,
    file: path.relative(root, file),
    packets: packets.length,
    expected: info.issue,
    probe: { issue: probe.verdict.issue, summary: probe.verdict.summary },
    diagnosis: { issue: result.verdict.issue, summary: result.verdict.summary },
  };
  const blind = PACKETS_BLIND[scenario];
  if (blind) entry.packetsBlind = blind;
  return entry;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  for (const w of wanted)
    if (!(LAB_SCENARIOS as readonly string[]).includes(w)) {
      console.error(`make-samples: unknown scenario "${w}"; known: ${LAB_SCENARIOS.join(', ')}`);
      return 1;
    }
  const scenarios = (wanted.length ? wanted : LAB_SCENARIOS) as LabScenario[];
  mkdirSync(outDir, { recursive: true });
  const entries: SampleEntry[] = [];
  let mismatches = 0;
  for (const s of scenarios) {
    const e = await makeSample(s);
    entries.push(e);
    const want = e.packetsBlind ? 'ok' : e.expected;
    const okMark = e.diagnosis.issue === want && e.probe.issue === e.expected ? 'ok ' : 'MISMATCH';
    if (okMark !== 'ok ') mismatches++;
    console.log(
      `${okMark} ${s.padEnd(24)} ${String(e.packets).padStart(5)} packets  probe=${e.probe.issue}  packets=${e.diagnosis.issue}`,
    );
  }
  if (!wanted.length) writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(entries, null, 2) + '\n');
  return mismatches ? 2 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`make-samples: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
