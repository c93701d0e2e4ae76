// Every lab scenario probed over loopback: the probe's own verdict is the scenario's issue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  LAB_CREDENTIALS,
  LAB_DOWNLOAD_URL,
  LAB_SCENARIOS,
  SCENARIO_INFO,
} from '../../../src-main/core/lab/index.js';
import { useLab } from '../../helpers/lab.js';
import { runProbe } from '../../../src-main/core/probe/index.js';

const lab = useLab('proxyscope-probe-lab-');

/** A resolver that answers NXDOMAIN without asking anyone (no name query leaves the machine). */
async function noSuchName(host: string): Promise<string[]> {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
}

for (const scenario of LAB_SCENARIOS) {
  test(`lab ${scenario}: verdict ${SCENARIO_INFO[scenario].issue}`, async () => {
    lab.setScenario(scenario);
    const info = SCENARIO_INFO[scenario];
    const r = await runProbe(lab.options(lab.probeOptions()));
    assert.equal(r.verdict.issue, info.issue, `${r.verdict.summary}\n${r.transcript}`);
    assert.equal(r.verdict.ok, info.issue === 'ok');
    assert.ok(r.verdict.summary.length > 20);
    assert.ok(r.localPorts.length >= 1 && r.localPorts.every((p) => p > 0 && p < 65536));
    assert.deepEqual(
      r.stages.map((s) => s.name),
      ['dns', 'connect', 'connect-response', 'proxy-auth', 'tls', 'head', 'download', 'large-request'],
    );
    assert.match(r.transcript, /^\* Trying 127\.0\.0\.1:\d+\.\.\.$/m);
    assert.match(r.transcript, /^> CONNECT tools\.cisco\.com:443 HTTP\/1\.1$/m);
    assert.match(r.transcript, /^> Proxy-Connection: Keep-Alive$/m);
    if (!info.probe.credentials)
      assert.ok(!r.stages.some((s) => s.name === 'proxy-auth' && s.status === 'ok'));
  });
}

test('scenario specifics: 403 evidence, TLS facts, intercept issuer, slow warning, mtu evidence, download figures', async () => {
  lab.setScenario('acl-403');
  let r = await runProbe(lab.options());
  assert.equal(r.connect?.status, 403);
  assert.ok(r.connect?.headers.some(([k, v]) => k === 'X-Squid-Error' && v.startsWith('ERR_ACCESS_DENIED')));
  assert.match(r.connect?.bodyExcerpt ?? '', /<html>/);

  lab.setScenario('healthy');
  r = await runProbe(lab.options({ download: 'https://tools.cisco.com/download?size=300000' }));
  assert.equal(r.tls?.trusted, true);
  assert.equal(r.tls?.servername, 'tools.cisco.com');
  assert.match(r.tls?.protocol ?? '', /^TLSv1\.[23]$/);
  assert.deepEqual(r.tls?.chain[0]?.subjectAltNames, [
    'DNS:tools.cisco.com',
    'DNS:localhost',
    'IP:127.0.0.1',
  ]);
  assert.equal(r.http?.status, 302);
  assert.equal(r.http?.location, '/healthcheck');
  assert.equal(r.download?.bytes, 300000);
  assert.equal(r.download?.complete, true);
  assert.equal(r.largeRequest?.outcome, 'answered');
  assert.equal(r.largeRequest?.bytes, 1460);
  assert.equal(r.localPorts.length, 3, 'main tunnel, download tunnel, large-request connection');

  lab.setScenario('tls-intercept');
  r = await runProbe(lab.options());
  assert.equal(r.tls?.trusted, false);
  assert.match(r.tls?.chain[0]?.issuer ?? '', /Intercepting Proxy CA/);
  assert.match(r.verdict.summary, /re-signs/);

  lab.setScenario('slow-proxy');
  r = await runProbe(lab.options({ largeRequestTest: false }));
  assert.ok(r.findings.some((f) => f.severity === 'warning' && /Slow CONNECT/.test(f.title)));

  lab.setScenario('reset-on-large-segment');
  r = await runProbe(lab.options());
  assert.equal(r.largeRequest?.outcome, 'reset');
  assert.equal(r.stages.find((s) => s.name === 'tls')?.status, 'failed');

  lab.setScenario('close-mid-download');
  r = await runProbe(lab.options({ download: LAB_DOWNLOAD_URL }));
  assert.equal(r.download?.complete, false);
  assert.ok((r.download?.bytes ?? 0) > 0 && (r.download?.bytes ?? 0) < 1048576);
  assert.match(r.download?.failure ?? '', /^close/);
});

test('auth-basic and auth-digest: right → ok, wrong → proxy-auth-failed, none → proxy-auth-required; credentials masked', async () => {
  for (const scenario of ['auth-basic', 'auth-digest'] as const) {
    lab.setScenario(scenario);
    const right = await runProbe(lab.options({ credentials: { ...LAB_CREDENTIALS } }));
    assert.equal(right.verdict.issue, 'ok', `${scenario}\n${right.transcript}`);
    assert.equal(right.connect?.auth?.scheme, scenario === 'auth-basic' ? 'basic' : 'digest');
    // the Basic lab closes after 407 (the probe reconnects); the Digest lab keeps the connection
    assert.equal(/opening a fresh one/.test(right.transcript), scenario === 'auth-basic');
    // the padded CONNECT carries the same credentials: it tests the segment size, not the auth
    assert.equal(right.largeRequest?.outcome, 'answered', scenario);
    assert.equal(
      right.largeRequest?.status,
      200,
      `${scenario}: the large CONNECT is answered like the small one, not with 407`,
    );
    assert.equal(right.largeRequest?.bytes, 1460);
    const wrong = await runProbe(
      lab.options({ credentials: { username: 'admin', password: 'Wrong-Pass9' } }),
    );
    assert.equal(wrong.verdict.issue, 'proxy-auth-failed', scenario);
    const none = await runProbe(lab.options());
    assert.equal(none.verdict.issue, 'proxy-auth-required', scenario);
    for (const r of [right, wrong]) {
      const json = JSON.stringify(r);
      assert.ok(
        !json.includes(LAB_CREDENTIALS.password) && !json.includes('Wrong-Pass9'),
        'no password anywhere in the result',
      );
      assert.ok(!json.includes(Buffer.from(`admin:${LAB_CREDENTIALS.password}`).toString('base64')));
      assert.match(
        r.transcript,
        scenario === 'auth-basic'
          ? /^> Proxy-Authorization: Basic \[redacted\]$/m
          : /^> Proxy-Authorization: Digest \[redacted\]$/m,
      );
    }
  }
  lab.setScenario('auth-digest');
  const md5Only = await runProbe(lab.options({ credentials: { ...LAB_CREDENTIALS }, auth: 'basic' }));
  assert.equal(md5Only.verdict.issue, 'proxy-auth-failed', 'asking for Basic when only Digest is offered');
  assert.match(md5Only.verdict.summary, /--auth basic was asked for, but the proxy offers Digest/);
  lab.setScenario('ntlm-only');
  const ntlm = await runProbe(lab.options({ credentials: { ...LAB_CREDENTIALS } }));
  assert.equal(ntlm.verdict.issue, 'proxy-auth-unsupported');
  assert.match(
    ntlm.verdict.summary,
    /the FMC cannot authenticate to this proxy: it supports Basic\/Digest, the proxy offers only NTLM\/Negotiate/,
  );
});

test('unreachable proxy and unresolvable name', async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const refused = await runProbe({ proxy: { host: '127.0.0.1', port: closedPort } });
  assert.equal(refused.verdict.issue, 'proxy-unreachable');
  assert.match(refused.verdict.summary, /refused/);
  const nx = await runProbe({ proxy: { host: 'no-such-proxy.invalid', port: 3128 }, lookup: noSuchName });
  assert.equal(nx.verdict.issue, 'proxy-dns-failure');
  assert.equal(nx.stages[0]?.status, 'failed');
});

test('origin errors and cancellation', async () => {
  lab.setScenario('healthy');
  const notFound = await runProbe(lab.options({ download: 'https://tools.cisco.com/no-such-file' }));
  assert.equal(notFound.verdict.issue, 'origin-http-error');
  assert.equal(notFound.download?.status, 404);
  assert.match(notFound.verdict.summary, /404: Not Found/);

  lab.setScenario('slow-proxy');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const cancelled = await runProbe(lab.options({ signal: controller.signal }));
  assert.equal(cancelled.verdict.ok, false);
  assert.equal(cancelled.verdict.issue, 'ok');
  assert.match(cancelled.verdict.summary, /cancelled/);
  const pre = new AbortController();
  pre.abort();
  const never = await runProbe(lab.options({ signal: pre.signal }));
  assert.equal(never.localPorts.length, 0);
});
