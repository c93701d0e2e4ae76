import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transcript, maskHeaderLine } from '../../../src-main/core/probe/transcript.js';

test('Proxy-Authorization values are masked, the scheme stays', () => {
  assert.equal(
    maskHeaderLine('Proxy-Authorization: Basic YWRtaW46TGFiLVBhc3MxIQ=='),
    'Proxy-Authorization: Basic [redacted]',
  );
  assert.equal(
    maskHeaderLine('proxy-authorization: Digest username="admin", response="abc"'),
    'proxy-authorization: Digest [redacted]',
  );
  assert.equal(maskHeaderLine('Host: tools.cisco.com:443'), 'Host: tools.cisco.com:443');
});

test('curl -v markers and secrets scrubbed from every line', () => {
  const t = new Transcript(['s3cret!']);
  t.note('Trying 127.0.0.1:3128...');
  t.sent('CONNECT tools.cisco.com:443 HTTP/1.1\r\nProxy-Authorization: Basic abc\r\n\r\n');
  t.received('HTTP/1.1 200 Connection established\r\n\r\n');
  t.note('the password s3cret! must not show');
  const text = t.toString();
  assert.match(text, /^\* Trying 127\.0\.0\.1:3128\.\.\.$/m);
  assert.match(text, /^> CONNECT tools\.cisco\.com:443 HTTP\/1\.1$/m);
  assert.match(text, /^> Proxy-Authorization: Basic \[redacted\]$/m);
  assert.match(text, /^< HTTP\/1\.1 200 Connection established$/m);
  assert.ok(!text.includes('s3cret!'));
});

test('a 2-character password is masked where credentials are, other text stays whole', () => {
  const t = new Transcript(['ab', 'YWRtaW46YWI=']);
  t.note('Trying 127.0.0.1:3128... (about a tab)');
  t.sent('CONNECT tools.cisco.com:443 HTTP/1.1\r\nProxy-Authorization: Basic YWRtaW46YWI=\r\n\r\n');
  t.received('HTTP/1.1 407 Proxy Authentication Required\r\nX-Echo-Authorization: Basic admin:ab\r\n\r\n');
  t.note('PROXY_PASS=ab');
  const text = t.toString();
  assert.match(text, /^\* Trying 127\.0\.0\.1:3128\.\.\. \(about a tab\)$/m);
  assert.match(text, /^> Proxy-Authorization: Basic \[redacted\]$/m);
  assert.match(text, /^< X-Echo-Authorization: Basic admin:\[redacted\]$/m);
  assert.match(text, /^\* PROXY_PASS=\[redacted\]$/m);
  assert.ok(!/admin:ab|PASS=ab|YWRtaW46YWI=/.test(text));
});
