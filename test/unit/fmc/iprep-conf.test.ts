import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIprepProblems, parseIprepProxyConf } from '../../../src-main/core/fmc/iprep-conf.js';

test("the document's file parses", () => {
  const r = parseIprepProxyConf('iprep_proxy {\nPROXY_HOST 10.10.10.1;\nPROXY_PORT 80;\n}\n');
  assert.ok(r.ok);
  assert.equal(r.config.host, '10.10.10.1');
  assert.equal(r.config.port, 80);
  assert.equal(r.config.hasPassword, false);
});

test('indentation, CRLF, comments and credentials; the password is never kept', () => {
  const r = parseIprepProxyConf(
    '# written by the FMC\r\niprep_proxy {\r\n    PROXY_HOST proxy.example.com;\r\n    PROXY_PORT 3128;\r\n    PROXY_USER admin;\r\n    PROXY_PASS Sup3r$ecret;\r\n}\r\n',
  );
  assert.ok(r.ok);
  assert.equal(r.config.host, 'proxy.example.com');
  assert.equal(r.config.username, 'admin');
  assert.equal(r.config.hasPassword, true);
  assert.ok(!JSON.stringify(r).includes('Sup3r$ecret'));
});

function errorsOf(text: string) {
  const r = parseIprepProxyConf(text);
  assert.equal(r.ok, false, 'expected a malformed file');
  return r.ok ? [] : r.errors;
}

test('missing semicolon: line and what was expected', () => {
  const [e] = errorsOf('iprep_proxy {\nPROXY_HOST 10.10.10.1\nPROXY_PORT 80;\n}\n');
  assert.equal(e!.line, 2);
  assert.match(e!.message, /expected `;` at the end of the PROXY_HOST entry/);
});

test('port not a number / out of range', () => {
  assert.match(
    errorsOf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT http;\n}')[0]!.message,
    /PROXY_PORT to be a number from 1 to 65535, found `http`/,
  );
  assert.equal(errorsOf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT 70000;\n}')[0]!.line, 3);
});

test('missing closing brace, missing block, missing host, text after the block, duplicates', () => {
  const noClose = errorsOf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT 80;\n');
  assert.ok(noClose.some((e) => /closing `}`/.test(e.message)));
  assert.match(errorsOf('PROXY_HOST h;\n')[0]!.message, /expected the block opening `iprep_proxy \{`/);
  assert.match(errorsOf('')[0]!.message, /empty/);
  assert.ok(
    errorsOf('iprep_proxy {\nPROXY_PORT 80;\n}').some((e) => /expected a PROXY_HOST entry/.test(e.message)),
  );
  assert.equal(errorsOf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT 80;\n}\nextra\n')[0]!.line, 5);
  assert.match(
    errorsOf('iprep_proxy {\nPROXY_HOST a;\nPROXY_HOST b;\nPROXY_PORT 80;\n}')[0]!.message,
    /appears twice \(first on line 2\)/,
  );
});

test('a wrong password line is reported masked', () => {
  const errs = errorsOf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT 80;\nPROXY_PASS topsecret\n}');
  assert.equal(errs[0]!.line, 4);
  assert.ok(!JSON.stringify(errs).includes('topsecret'));
  assert.match(formatIprepProblems(errs), /^iprep_proxy\.conf:4: error: expected `;`/);
  // a malformed line echoed in a message is masked too, whatever the separator
  const odd = errorsOf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT 80;\nPROXY_PASS=top secret;\n}');
  assert.ok(!JSON.stringify(odd).includes('top secret'));
});

test('unknown keys are warnings, not errors', () => {
  const r = parseIprepProxyConf('iprep_proxy {\nPROXY_HOST h;\nPROXY_PORT 80;\nPROXY_MODE x;\n}');
  assert.ok(r.ok);
  assert.equal(r.warnings[0]!.line, 4);
});
