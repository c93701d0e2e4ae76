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
