import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostPort, parseProbeArgs } from '../../../src-main/cli/commands/probe.js';
import { parseLabArgs } from '../../../src-main/cli/commands/lab.js';

test('--proxy accepts IPv4, names and bracketed IPv6', () => {
  assert.deepEqual(parseHostPort('--proxy', '10.10.10.1:80'), { host: '10.10.10.1', port: 80 });
  assert.deepEqual(parseHostPort('--proxy', 'proxy.example.com:3128'), {
    host: 'proxy.example.com',
    port: 3128,
  });
  assert.deepEqual(parseHostPort('--proxy', '[2001:db8::1]:8080'), { host: '2001:db8::1', port: 8080 });
  assert.throws(() => parseHostPort('--proxy', '2001:db8::1:8080'), /HOST:PORT/);
  assert.throws(() => parseHostPort('--proxy', 'h:0'), /out of range/);
});

test('the password comes only from the environment', () => {
  const p = parseProbeArgs(
    [
      '--proxy',
      '127.0.0.1:3128',
      '--user',
      'admin',
      '--password-env',
      'PW',
      '--auth',
      'digest',
      '--target',
      'example.com:8443',
    ],
    { PW: 'Lab-Pass1!' },
  );
  assert.deepEqual(p.options.credentials, { username: 'admin', password: 'Lab-Pass1!' });
  assert.equal(p.options.auth, 'digest');
  assert.deepEqual(p.options.target, { host: 'example.com', port: 8443 });
  assert.throws(
    () => parseProbeArgs(['--proxy', 'h:1', '--user', 'a', '--password-env', 'PW'], {}),
    /PW is not set or empty/,
  );
  assert.throws(() => parseProbeArgs(['--proxy', 'h:1', '--password', 'secret']), /environment variable/);
  // a mistyped flag's value may be the password: the message names the flag only
  assert.throws(
    () => parseProbeArgs(['--proxy', 'h:1', '--pasword=secret']),
    (e: Error) => /unknown option '--pasword'/.test(e.message) && !e.message.includes('secret'),
  );
});

test('options with = and the lab arguments', () => {
  const p = parseProbeArgs([
    '--proxy=127.0.0.1:3128',
    '--stall-seconds=2',
    '--json',
    '--no-large-request',
    '--lang',
    'ko',
  ]);
  assert.equal(p.options.stallSeconds, 2);
  assert.equal(p.options.largeRequestTest, false);
  assert.equal(p.json, true);
  assert.equal(p.lang, 'ko');
  assert.throws(() => parseProbeArgs(['--proxy', 'h:1', '--download', 'http://x/']), /only https/);
  assert.throws(() => parseProbeArgs(['--proxy', 'h:1', '--write', 'x.pcapng']), /--write needs --capture/);
  assert.deepEqual(parseLabArgs(['--scenario', 'ntlm-only', '--port=3128']), {
    scenario: 'ntlm-only',
    port: 3128,
  });
  assert.throws(() => parseLabArgs(['--scenario', 'x']), /unknown scenario 'x'/);
});
