import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLabCertificates } from '../../../src-main/core/lab/certificates.js';
import { parseCertificateDer } from '../../../src-main/core/probe/certificates.js';

test('lab certificates: made once, cached, origin signed by the lab CA for tools.cisco.com + localhost + 127.0.0.1', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proxyscope-labcerts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = ensureLabCertificates(dir);
  const ca = new X509Certificate(readFileSync(a.caPath));
  const origin = new X509Certificate(a.origin.certPem);
  const intercept = new X509Certificate(a.interceptCa.certPem);
  assert.ok(ca.ca);
  assert.ok(origin.checkIssued(ca));
  assert.ok(origin.verify(ca.publicKey));
  assert.ok(!origin.checkIssued(intercept));
  const info = parseCertificateDer(origin.raw);
  assert.equal(info.parsedBy, 'node-forge');
  assert.deepEqual(info.subjectAltNames, ['DNS:tools.cisco.com', 'DNS:localhost', 'IP:127.0.0.1']);
  assert.match(info.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const b = ensureLabCertificates(dir);
  assert.equal(b.labCa.certPem, a.labCa.certPem, 'second start reuses the cache');
  writeFileSync(path.join(dir, 'origin.pem'), 'garbage');
  const c = ensureLabCertificates(dir);
  assert.ok(
    new X509Certificate(c.origin.certPem).checkIssued(new X509Certificate(c.labCa.certPem)),
    'a damaged cache is regenerated',
  );
});
