// Every lab scenario, live: the probe runs through the lab proxy while the capture engine records
// lo; the probe's verdict is the scenario's issue, the packet diagnosis names the same issue, the
// joined verdict agrees, and the evidence frames are the ones that prove it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinVerdict } from '../../../src-main/core/diagnose/joined.js';
import { rawPacketFacts } from '../../../src-main/core/diagnose/file.js';
import type { PacketFacts } from '../../../src-main/core/diagnose/facts.js';
import { LAB_SCENARIOS, SCENARIO_INFO, type LabScenario } from '../../../src-main/core/lab/index.js';
import { captureScenario } from '../../../scripts/make-samples.js';
import { tcpdumpUnavailable } from './tcpdump.js';

const skip = process.getuid?.() === 0 ? undefined : (tcpdumpUnavailable() ?? 'live capture on lo needs root');

/** What the evidence of each issue must contain, checked on the packets' facts. */
const PROOF: Record<string, (ev: PacketFacts[]) => boolean> = {
  'proxy-denied': (ev) =>
    ev.some((p) => p.http?.response?.code === 403) && ev.some((p) => p.http?.request?.method === 'CONNECT'),
  'proxy-upstream-failure': (ev) => ev.some((p) => (p.http?.response?.code ?? 0) >= 500),
  'proxy-auth-unsupported': (ev) =>
    ev.some(
      (p) =>
        p.http?.response?.code === 407 &&
        (p.http.response.proxyAuthenticate ?? []).every((s) => /ntlm|negotiate/i.test(s)),
    ),
  'transfer-stalled': (ev) =>
    ev.some((p) => (p.tcp?.payloadLength ?? 0) > 0) && ev.some((p) => p.tcp?.fin || p.tcp?.rst),
  'mtu-blackhole': (ev) => ev.some((p) => (p.tcp?.payloadLength ?? 0) >= 1200) && ev.some((p) => p.tcp?.rst),
  'tls-intercepted': (ev) =>
    ev.some((p) => p.tls?.handshakeTypes.includes(11) && (p.tls.certIssuers?.length ?? 0) > 0),
};

for (const scenario of LAB_SCENARIOS as readonly LabScenario[]) {
  const want = SCENARIO_INFO[scenario].issue;
  test(
    `lab ${scenario}: probe, packets and joined verdict → ${want}`,
    { skip, timeout: 60_000 },
    async () => {
      const run = await captureScenario(scenario);
      assert.equal(run.probe.verdict.issue, want, `probe: ${run.probe.verdict.summary}`);
      assert.equal(run.result.verdict.issue, want, `packets: ${run.result.verdict.summary}`);
      const facts = rawPacketFacts(run.packets);
      const joined = joinVerdict(run.probe, facts, { proxy: run.proxy });
      assert.equal(joined.verdict.issue, want);
      assert.equal(joined.verdict.agreement, 'agree', joined.verdict.agreementText);
      // every conversation in the capture is one of the probe's
      const ports = new Set(run.probe.localPorts);
      for (const l of run.result.ladders)
        assert.ok(ports.has(Number(l.client.split(':').pop())), `${l.client} is a probe connection`);
      if (want === 'ok') {
        assert.ok(
          run.result.ladders.some((l) => l.stages.every((s) => s.status === 'ok')),
          'a conversation climbs the whole ladder',
        );
        return;
      }
      const f = run.result.findings.find((x) => x.id === want && x.decisive)!;
      const ev = facts.filter((p) => f.packets.includes(p.no));
      assert.ok(PROOF[want]!(ev), `evidence frames ${f.packets} prove ${want}: ${f.detail}`);
    },
  );
}
