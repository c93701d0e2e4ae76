// Every human-readable probe text has a Korean twin with the same facts: for each stage detail,
// finding title/detail and verdict summary the Korean text is there, is Korean (Hangul), and keeps
// every number (status codes, ports, byte counts, seconds) and technical token of the English one.
// Run over every lab scenario, the fake-proxy answers and the local failures (refused, NXDOMAIN,
// cancelled, bad download URL, origin 404).
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
import { runProbe, type ProbeResult } from '../../../src-main/core/probe/index.js';
import { fakeProxy } from '../../helpers/fake-proxy.js';

const HANGUL = /[\uAC00-\uD7A3]/;
/** kept verbatim in Korean admin writing: protocol words, headers, error markers */
const TOKENS = [
  'CONNECT',
  'HEAD /',
  'GET ',
  'TLS',
  'RST',
  'MTU',
  'ICMP',
  'DNS',
  'NXDOMAIN',
  'SERVFAIL',
  'Proxy Authentication Required',
  'X-Squid-Error',
  'ERR_ACCESS_DENIED',
  'Basic',
  'Digest',
  'NTLM',
  'Negotiate',
  'tools.cisco.com',
  '127.0.0.1',
  '--auth',
  '--download',
  'KiB/s',
];

function numbers(text: string): Set<string> {
  return new Set(text.match(/\d+(?:\.\d+)*/g) ?? []);
}

/** Asserts one English/Korean pair. */
function checkTwin(where: string, en: string, ko: string | undefined): void {
  assert.ok(ko !== undefined && ko.trim().length > 0, `${where}: no Korean text for "${en}"`);
  assert.match(ko, HANGUL, `${where}: Korean text without Hangul: "${ko}"`);
  const koNumbers = numbers(ko);
  for (const n of numbers(en))
    assert.ok(
      koNumbers.has(n),
      `${where}: ${n} is in the English but not the Korean\n  en: ${en}\n  ko: ${ko}`,
    );
  for (const token of TOKENS)
    if (en.includes(token))
      assert.ok(ko.includes(token), `${where}: "${token}" missing in Korean\n  en: ${en}\n  ko: ${ko}`);
}

/** Checks every text of a result; returns how many pairs it checked. */
function checkResult(label: string, r: ProbeResult, secrets: string[] = []): number {
  let pairs = 0;
  checkTwin(`${label} verdict`, r.verdict.summary, r.verdict.summaryKo);
  pairs++;
  for (const s of r.stages) {
    checkTwin(`${label} stage ${s.name}`, s.detail, s.detailKo);
    pairs++;
  }
  for (const f of r.findings) {
    checkTwin(`${label} finding ${f.issue} title`, f.title, f.titleKo);
    checkTwin(`${label} finding ${f.issue} detail`, f.detail, f.detailKo);
    pairs += 2;
  }
  const json = JSON.stringify(r);
  for (const secret of secrets) assert.ok(!json.includes(secret), `${label}: a password is in the result`);
  return pairs;
}

const lab = useLab('proxyscope-probe-ko-');

/** A resolver that answers NXDOMAIN without asking anyone (no name query leaves the machine). */
async function noSuchName(host: string): Promise<string[]> {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
}

test('every lab scenario: each stage, finding and verdict has a Korean twin with the same facts', async () => {
  let pairs = 0;
  for (const scenario of LAB_SCENARIOS) {
    lab.setScenario(scenario);
    const r = await runProbe(lab.options(lab.probeOptions()));
    assert.equal(r.verdict.issue, SCENARIO_INFO[scenario].issue, scenario);
    pairs += checkResult(scenario, r, [LAB_CREDENTIALS.password]);
  }
  assert.ok(pairs >= LAB_SCENARIOS.length * 9, `${pairs} pairs checked`);
});

test('the Korean verdict names the scenario facts: 403 and its marker, the issuer, the byte counts', async () => {
  lab.setScenario('acl-403');
  let r = await runProbe(lab.options());
  assert.match(
    r.verdict.summaryKo ?? '',
    /CONNECT tools\.cisco\.com:443에 대한 프록시 응답: 403 .*X-Squid-Error/,
  );
  assert.match(
    r.stages.find((s) => s.name === 'connect-response')?.detailKo ?? '',
    /^프록시 응답: HTTP\/1\.1 403/,
  );

  lab.setScenario('tls-intercept');
  r = await runProbe(lab.options());
  assert.match(r.verdict.summaryKo ?? '', /Intercepting Proxy CA/);
  assert.match(r.verdict.summaryKo ?? '', /다시 서명/);

  lab.setScenario('healthy');
  r = await runProbe(lab.options({ download: 'https://tools.cisco.com/download?size=300000' }));
  assert.match(r.verdict.summaryKo ?? '', /정상/);
  assert.match(r.verdict.summaryKo ?? '', /다운로드 300000바이트/);
  assert.match(r.stages.find((s) => s.name === 'large-request')?.detailKo ?? '', /1460바이트 CONNECT/);

  lab.setScenario('close-mid-download');
  r = await runProbe(lab.options({ download: LAB_DOWNLOAD_URL }));
  checkResult('close-mid-download', r);
  assert.ok(r.download?.failureKo && HANGUL.test(r.download.failureKo), r.download?.failureKo);
});

test('auth outcomes in Korean: wrong credentials, Basic asked of a Digest proxy, NTLM only, none', async () => {
  lab.setScenario('auth-digest');
  const wrong = await runProbe(lab.options({ credentials: { username: 'admin', password: 'Wrong-Pass9' } }));
  checkResult('wrong', wrong, ['Wrong-Pass9']);
  assert.match(wrong.verdict.summaryKo ?? '', /사용자 'admin'의 자격 증명을 거부/);
  const basic = await runProbe(lab.options({ credentials: { ...LAB_CREDENTIALS }, auth: 'basic' }));
  checkResult('basic-of-digest', basic, [LAB_CREDENTIALS.password]);
  assert.match(
    basic.verdict.summaryKo ?? '',
    /--auth basic 옵션이 지정되었지만 프록시는 Digest 방식을 제공함/,
  );
  const none = await runProbe(lab.options());
  checkResult('none', none);
  lab.setScenario('ntlm-only');
  const ntlm = await runProbe(lab.options({ credentials: { ...LAB_CREDENTIALS } }));
  checkResult('ntlm', ntlm, [LAB_CREDENTIALS.password]);
  assert.match(ntlm.verdict.summaryKo ?? '', /NTLM\/Negotiate만 제공/);
});

test('local failures in Korean: refused port, NXDOMAIN, cancelled, bad download URL, origin 404', async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const refused = await runProbe({ proxy: { host: '127.0.0.1', port: closedPort } });
  checkResult('refused', refused);
  assert.match(refused.verdict.summaryKo ?? '', new RegExp(`127\\.0\\.0\\.1:${closedPort}.*연결을 거부`));

  const nx = await runProbe({ proxy: { host: 'no-such-proxy.invalid', port: 3128 }, lookup: noSuchName });
  checkResult('nxdomain', nx);

  lab.setScenario('slow-proxy');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const cancelled = await runProbe(lab.options({ signal: controller.signal }));
  checkResult('cancelled', cancelled);
  assert.match(cancelled.verdict.summaryKo ?? '', /취소/);

  lab.setScenario('healthy');
  const badUrl = await runProbe(
    lab.options({ download: 'http://tools.cisco.com/x', largeRequestTest: false }),
  );
  checkResult('bad-url', badUrl);
  const notFound = await runProbe(lab.options({ download: 'https://tools.cisco.com/no-such-file' }));
  checkResult('404', notFound);
  assert.match(notFound.verdict.summaryKo ?? '', /404: Not Found: 리소스를 찾을 수 없음/);
});

const ANSWERS: Array<[string, string | null]> = [
  ['502 with ERR_ACCESS_DENIED', 'HTTP/1.1 502 Bad Gateway\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n\r\n'],
  ['503', 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'],
  ['302 captive portal', 'HTTP/1.1 302 Found\r\nLocation: http://portal/\r\nContent-Length: 0\r\n\r\n'],
  ['401', 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'],
  ['not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n'],
  ['RST', 'RST'],
  ['200 then plain HTTP', 'HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\n'],
  ['silence', null],
];

for (const [name, answer] of ANSWERS) {
  test(`fake proxy answering ${name}: Korean twins`, async (t) => {
    const port = await fakeProxy(answer, t);
    const r = await runProbe({
      proxy: { host: '127.0.0.1', port },
      timeouts: { response: 500 },
    });
    checkResult(name, r);
  });
}
