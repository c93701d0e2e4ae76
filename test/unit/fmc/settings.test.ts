import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareConfWithSettings,
  validateFmcSettings,
  type FmcProxySettings,
} from '../../../src-main/core/fmc/settings.js';

const base: FmcProxySettings = { enabled: true, host: '10.10.10.1', port: 80, useAuth: false };
const errors = (s: Partial<FmcProxySettings>) =>
  validateFmcSettings({ ...base, ...s }).filter((p) => p.severity === 'error');

test('valid settings: IPv4, IPv6, FQDN', () => {
  assert.deepEqual(errors({}), []);
  assert.deepEqual(errors({ host: '2001:db8::1' }), []);
  assert.deepEqual(errors({ host: 'proxy.corp.example.com', port: 3128 }), []);
});

test('FQDN longer than 64 characters is refused with Smart Licensing, allowed without', () => {
  const long = `${'a'.repeat(60)}.example.com`;
  const [e] = errors({ host: long });
  assert.equal(e!.field, 'host');
  assert.match(e!.message, /72 characters; with Smart Licensing the FMC accepts at most 64/);
  assert.deepEqual(errors({ host: long, smartLicensing: false }), []);
  assert.deepEqual(errors({ host: `${'a'.repeat(52)}.example.com` }), []); // exactly 64
});

test('bad hosts say what to enter instead', () => {
  assert.match(errors({ host: 'http://proxy.example.com:3128' })[0]!.message, /without http:\/\//);
  assert.match(errors({ host: 'proxy.example.com:3128' })[0]!.message, /put 3128 in the Port field/);
  assert.match(errors({ host: 'bad_host!' })[0]!.message, /neither an IP address nor a valid FQDN/);
  assert.match(errors({ host: '' })[0]!.message, /empty/);
});

test('port range', () => {
  for (const port of [0, 65536, 3.5, Number.NaN])
    assert.equal(errors({ port })[0]?.field, 'port', String(port));
  assert.deepEqual(errors({ port: 65535 }), []);
});

test('NTLM / Negotiate are refused: the FMC supports Basic and Digest', () => {
  assert.match(
    errors({ authType: 'ntlm' })[0]!.message,
    /NTLM proxy authentication is not supported.*Basic and Digest/,
  );
  assert.equal(errors({ authType: 'negotiate' })[0]!.field, 'authType');
  assert.deepEqual(errors({ authType: 'digest' }), []);
});

test('password characters: spaces and non-ASCII refused with the position, never the password', () => {
  const auth = { useAuth: true, username: 'admin' };
  assert.deepEqual(errors({ ...auth, password: 'Abc123!@#$%^&*()_+-=[]{};:,.<>/?~`|"\'\\' }), []);
  const sp = errors({ ...auth, password: 'pass word' });
  assert.match(sp[0]!.message, /space at position 5/);
  const ko = errors({ ...auth, password: 'abc비밀' });
  assert.match(ko[0]!.message, /non-ASCII character at position 4/);
  assert.ok(!JSON.stringify(ko).includes('비밀'));
  assert.match(errors({ ...auth, password: '' })[0]!.message, /Password is empty/);
  assert.match(errors({ useAuth: true, password: 'x' })[0]!.message, /User Name is empty/);
});

test('iprep_proxy.conf vs settings → mismatches (config-mismatch evidence)', () => {
  assert.deepEqual(
    compareConfWithSettings({ host: '10.10.10.1', port: 80, hasPassword: false, entries: [] }, base),
    [],
  );
  assert.deepEqual(
    compareConfWithSettings(
      { host: 'PROXY.example.com.', port: 80, hasPassword: false, entries: [] },
      { ...base, host: 'proxy.example.com' },
    ),
    [],
  );
  const m = compareConfWithSettings(
    { host: '10.10.10.2', port: 8080, hasPassword: false, entries: [] },
    base,
  );
  assert.deepEqual(
    m.map((x) => [x.field, x.fmcFile, x.settings]),
    [
      ['host', '10.10.10.2', '10.10.10.1'],
      ['port', '8080', '80'],
    ],
  );
});
