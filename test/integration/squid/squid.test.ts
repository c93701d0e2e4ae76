// Debian's Squid, started with its own config on 127.0.0.1, in front of a local TLS origin: the
// probe's verdict, the packet diagnosis of a capture on lo taken during the probe, and their join
// must name the same known issue, with evidence packets that really are the proof.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { diagnosePackets } from '../../../src-main/core/diagnose/diagnose.js';
import type { PacketFacts } from '../../../src-main/core/diagnose/facts.js';
import { captureFileFacts } from '../../../src-main/core/diagnose/file.js';
import { joinVerdict } from '../../../src-main/core/diagnose/joined.js';
import { pemSubjects } from '../../../src-main/core/diagnose/trust.js';
import { runProbe } from '../../../src-main/core/probe/index.js';
import type { ProbeOptions, ProbeResult } from '../../../src-main/core/probe/types.js';
import { startTcpdump, tcpdumpUnavailable } from '../diagnose/tcpdump.js';
import { makeOriginCerts, startOrigin, type Origin, type OriginCerts } from '../diagnose/tls-origin.js';
import {
  BASIC_HELPER,
  DIGEST_HELPER,
  squidUnavailable,
  startSquid,
  type SquidOptions,
} from '../../helpers/squid.js';

const skip = squidUnavailable() ?? tcpdumpUnavailable();
const USER = 'fmcproxy';
// a fresh password per run; never printed
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}!`;

interface Run {
  probe: ProbeResult;
  facts: PacketFacts[];
  port: number;
}

describe('Squid', { skip }, () => {
  let certs: OriginCerts;
  let origin: Origin;
  let work: string;
  let trusted: string[];

  before(async () => {
    certs = makeOriginCerts(0);
    trusted = pemSubjects(certs.caPem);
    origin = await startOrigin(certs);
    work = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-squid-test-'));
  });
  after(async () => {
    await origin?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const base = (): Pick<SquidOptions, 'hosts' | 'sslPorts'> => ({
    hosts: ['127.0.0.1 tools.cisco.com'],
    sslPorts: [origin.port],
  });

  async function probeThrough(sq: SquidOptions, opts: Partial<ProbeOptions> = {}): Promise<Run> {
    const squid = await startSquid(sq);
    const file = path.join(work, `cap-${squid.port}.pcap`);
    try {
      const cap = await startTcpdump('lo', `tcp port ${squid.port}`, file);
      let probe: ProbeResult;
      try {
        probe = await runProbe({
          proxy: { host: '127.0.0.1', port: squid.port },
          target: { host: 'tools.cisco.com', port: origin.port },
          extraCa: certs.caPem,
          timeouts: { connect: 5000, response: 5000, tls: 5000, http: 5000 },
          ...opts,
        });
      } finally {
        await cap.stop();
      }
      return { probe, facts: await captureFileFacts(file), port: squid.port };
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- squid log ---\n${squid.log()}`, { cause: e });
    } finally {
      await squid.stop();
    }
  }

  /** The three views agree on `issue`; the decisive finding's packets include a frame with `proofCode`. */
  function assertVerdict(run: Run, issue: string, proofCode?: number) {
    const proxy = { host: '127.0.0.1', port: run.port };
    assert.equal(
      run.probe.verdict.issue,
      issue,
      `probe: ${run.probe.verdict.summary}\n${run.probe.transcript}`,
    );
    const diag = diagnosePackets(run.facts, { proxy, trustedIssuers: trusted });
    assert.equal(diag.verdict.issue, issue, `packets: ${diag.verdict.summary}`);
    assert.ok(diag.ladders.length >= 1, 'a ladder per conversation to Squid');
    const joined = joinVerdict(run.probe, run.facts, { proxy, trustedIssuers: trusted });
    assert.equal(joined.verdict.issue, issue);
    assert.equal(joined.verdict.agreement, 'agree', joined.verdict.agreementText);
    if (issue === 'ok') {
      const full = diag.ladders.find((l) => l.stages.every((s) => s.status === 'ok'));
      assert.ok(
        full,
        `one conversation climbs the whole ladder: ${JSON.stringify(diag.ladders.map((l) => l.stages.map((s) => `${s.name}:${s.status}`)))}`,
      );
      // TLS 1.2 origin: the certificate travels in clear and names the test CA
      assert.match(
        full.stages.find((s) => s.name === 'certificate')!.detail ?? '',
        /ProxyScope Test Root CA/,
      );
      return;
    }
    const f = diag.findings.find((x) => x.id === issue && x.decisive);
    assert.ok(f, `a decisive ${issue} finding`);
    if (proofCode !== undefined) {
      const proof = run.facts.filter((p) => p.http?.response?.code === proofCode).map((p) => p.no);
      assert.ok(
        proof.some((n) => f.packets.includes(n)),
        `evidence ${f.packets} includes a ${proofCode} response (${proof})`,
      );
      const connects = run.facts.filter((p) => p.http?.request?.method === 'CONNECT').map((p) => p.no);
      assert.ok(
        connects.some((n) => f.packets.includes(n)),
        'evidence includes the CONNECT',
      );
    }
  }

  test('healthy CONNECT → ok', async () => {
    const run = await probeThrough({ ...base(), access: ['http_access allow localhost'] });
    assertVerdict(run, 'ok');
  });

  test('an ACL denying CONNECT → proxy-denied (403, ERR_ACCESS_DENIED)', async () => {
    const run = await probeThrough({
      ...base(),
      access: ['http_access deny CONNECT', 'http_access allow localhost'],
    });
    assertVerdict(run, 'proxy-denied', 403);
    const res = run.facts.find((p) => p.http?.response?.code === 403)!;
    assert.match(res.http!.response!.proxyError ?? '', /ERR_ACCESS_DENIED/);
  });

  describe(
    'basic auth (basic_ncsa_auth)',
    { skip: existsSync(BASIC_HELPER) ? undefined : `${BASIC_HELPER} is missing` },
    () => {
      let files: Record<string, string>;
      before(() => {
        const htfile = path.join(work, 'htpasswd');
        const r = spawnSync('htpasswd', ['-i', '-c', '-B', htfile, USER], {
          input: PASSWORD,
          encoding: 'utf8',
        });
        let line: string;
        if (r.status === 0) line = spawnSync('cat', [htfile], { encoding: 'utf8' }).stdout;
        else
          line = `${USER}:${spawnSync('openssl', ['passwd', '-apr1', '-stdin'], { input: PASSWORD, encoding: 'utf8' }).stdout.trim()}\n`;
        files = { passwd: line };
      });
      const access = (dir = '%DIR%') => [
        `auth_param basic program ${BASIC_HELPER} ${dir}/passwd`,
        'auth_param basic realm proxyscope-test',
        'auth_param basic children 2',
        'acl authed proxy_auth REQUIRED',
        'http_access allow localhost authed',
      ];
      const sq = (): SquidOptions => ({ ...base(), files, access: access() });

      test('no credentials → proxy-auth-required', async () => {
        const run = await probeThrough(sq());
        assertVerdict(run, 'proxy-auth-required', 407);
      });
      test('right credentials → ok', async () => {
        const run = await probeThrough(sq(), {
          credentials: { username: USER, password: PASSWORD },
          auth: 'basic',
        });
        assertVerdict(run, 'ok');
        assert.ok(
          run.facts.some((p) => p.http?.request?.proxyAuthorization === 'Basic'),
          'the capture shows Proxy-Authorization: Basic',
        );
        assert.ok(!run.probe.transcript.includes(PASSWORD), 'the password is not in the transcript');
      });
      test('wrong password → proxy-auth-failed', async () => {
        const run = await probeThrough(sq(), {
          credentials: { username: USER, password: `${PASSWORD}x` },
          auth: 'basic',
        });
        assertVerdict(run, 'proxy-auth-failed', 407);
      });
    },
  );

  describe(
    'digest auth (digest_file_auth)',
    { skip: existsSync(DIGEST_HELPER) ? undefined : `${DIGEST_HELPER} is missing` },
    () => {
      const sq = (): SquidOptions => ({
        ...base(),
        files: { digest: `${USER}:${PASSWORD}\n` },
        access: [
          `auth_param digest program ${DIGEST_HELPER} %DIR%/digest`,
          'auth_param digest realm proxyscope-test',
          'auth_param digest children 2',
          'acl authed proxy_auth REQUIRED',
          'http_access allow localhost authed',
        ],
      });
      test('right credentials → ok', async () => {
        const run = await probeThrough(sq(), {
          credentials: { username: USER, password: PASSWORD },
          auth: 'digest',
        });
        assertVerdict(run, 'ok');
        assert.ok(
          run.facts.some((p) => p.http?.request?.proxyAuthorization === 'Digest'),
          'the capture shows Proxy-Authorization: Digest',
        );
      });
      test('wrong password → proxy-auth-failed', async () => {
        const run = await probeThrough(sq(), {
          credentials: { username: USER, password: `${PASSWORD}x` },
          auth: 'digest',
        });
        assertVerdict(run, 'proxy-auth-failed', 407);
      });
    },
  );
});
