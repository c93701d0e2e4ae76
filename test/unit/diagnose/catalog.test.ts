import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeHttpCode,
  HTTP_CODES,
  issueText,
  KNOWN_ISSUES,
} from '../../../src-main/core/diagnose/catalog.js';
import { KNOWN_ISSUE_IDS } from '../../../src-main/core/diagnose/issue-ids.js';

const hangul = /[\uac00-\ud7a3]/;

test('every known issue has English and Korean title, explanation, causes and next steps', () => {
  for (const id of KNOWN_ISSUE_IDS) {
    const info = KNOWN_ISSUES[id];
    assert.equal(info.id, id);
    for (const lang of ['en', 'ko'] as const) {
      const t = info[lang];
      assert.ok(t.title.length > 5 && t.explanation.length > 30, `${id} ${lang}`);
      assert.ok(t.nextSteps.length > 0, `${id} ${lang} next steps`);
      if (id !== 'ok') assert.ok(t.causes.length > 0, `${id} ${lang} causes`);
      if (lang === 'ko') assert.match(t.title + t.explanation, hangul, `${id} Korean text`);
    }
    assert.equal(info.en.nextSteps.length, info.ko.nextSteps.length, `${id}: same steps in both languages`);
  }
  assert.equal(KNOWN_ISSUES['proxy-denied'].ko.title.startsWith('프록시 ACL 제한 사항'), true);
  assert.match(KNOWN_ISSUES['transfer-stalled'].ko.title, /시간 초과\/전송 불완전/);
  assert.match(KNOWN_ISSUES['mtu-blackhole'].ko.title, /MTU 문제/);
});

test("next steps carry the FMC commands with the user's values", () => {
  const t = issueText('proxy-unreachable', 'en', { proxy: '10.10.10.1', port: 80 });
  const cmds = t.nextSteps.map((s) => s.command).filter(Boolean);
  assert.ok(cmds.includes('cat /etc/sf/iprep_proxy.conf'));
  assert.ok(cmds.includes('netstat -na | grep 10.10.10.1'));
  assert.ok(cmds.includes('curl -x http://10.10.10.1:80 -I https://tools.cisco.com'));
  const auth = issueText('proxy-auth-failed', 'ko', { proxy: 'proxy.example.com', port: 8080, user: 'fmc' });
  assert.ok(
    auth.nextSteps.some(
      (s) => s.command === 'curl -U fmc -x http://proxy.example.com:8080 -I https://tools.cisco.com',
    ),
  );
  const stalled = issueText('transfer-stalled', 'en', { proxy: '10.10.10.1', port: 80 });
  assert.ok(
    stalled.nextSteps.some(
      (s) => s.command === 'tcpdump -i eth0 -s 0 -w /var/common/proxy.pcap host 10.10.10.1 and port 80',
    ),
  );
});

test('the HTTP code table of the document plus 407, in both languages', () => {
  assert.deepEqual(
    HTTP_CODES.map((c) => c.code),
    [400, 401, 403, 404, 407, 500, 502, 503, 504],
  );
  assert.equal(describeHttpCode(502), '502 Bad Gateway (server communication error)');
  assert.equal(describeHttpCode(503, 'ko'), '503 서비스를 사용할 수 없음 (서버 오버로드 또는 유지 보수)');
  assert.equal(describeHttpCode(404, 'ko'), '404 찾을 수 없음 (리소스를 찾을 수 없음)');
  assert.match(describeHttpCode(407), /Proxy Authentication Required/);
  assert.equal(describeHttpCode(418), '418 (client error)');
});
