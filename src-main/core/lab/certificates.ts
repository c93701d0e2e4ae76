/**
 * The lab's certificates, made with node-forge on first start and cached: a lab CA (what
 * `probe --ca` trusts), the origin's certificate for tools.cisco.com + localhost + 127.0.0.1
 * signed by it, and a separate "intercept" CA the tls-intercept scenario re-signs with.
 * RSA keys come from node:crypto (forge's pure-JS keygen takes seconds); forge builds the certs.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

export interface LabCertificates {
  dir: string;
  caPath: string;
  labCa: KeyAndCert;
  origin: KeyAndCert;
  interceptCa: KeyAndCert;
  interceptCaPath: string;
}

export const ORIGIN_NAMES = ['tools.cisco.com', 'localhost', '127.0.0.1'];

export function defaultLabDir(): string {
  const base =
    process.env.XDG_CACHE_HOME ||
    (process.platform === 'darwin'
      ? path.join(os.homedir(), 'Library', 'Caches')
      : process.platform === 'win32'
        ? (process.env.LOCALAPPDATA ?? os.tmpdir())
        : path.join(os.homedir(), '.cache'));
  return path.join(base, 'proxyscope', 'lab');
}

function newKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { forgeKey, publicKey, pem: forge.pki.privateKeyToPem(forgeKey) };
}

function serial(): string {
  // positive, 16 bytes
  return '01' + randomBytes(15).toString('hex');
}

function makeCa(commonName: string, org: string): KeyAndCert {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const name = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: org },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
}

/** A server certificate for `names` (DNS names and IPv4 addresses) signed by `ca`. */
export function makeLeaf(ca: KeyAndCert, names: string[], org: string): KeyAndCert {
  const key = newKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  cert.setSubject([
    { name: 'commonName', value: names[0] ?? 'localhost' },
    { name: 'organizationName', value: org },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: names.map((n) =>
        /^\d+\.\d+\.\d+\.\d+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n },
      ),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
}

function usable(pair: KeyAndCert | undefined): boolean {
  if (!pair) return false;
  try {
    const x = new X509Certificate(pair.certPem);
    // regenerate well before expiry
    return new Date(x.validTo).getTime() > Date.now() + 7 * 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

function load(dir: string, name: string): KeyAndCert | undefined {
  const k = path.join(dir, `${name}.key`);
  const c = path.join(dir, `${name}.pem`);
  if (!existsSync(k) || !existsSync(c)) return undefined;
  try {
    return { keyPem: readFileSync(k, 'utf8'), certPem: readFileSync(c, 'utf8') };
  } catch {
    return undefined;
  }
}

function save(dir: string, name: string, pair: KeyAndCert): void {
  // write-then-rename so two labs starting together never read half a file
  const tmp = `.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(path.join(dir, `${name}.key${tmp}`), pair.keyPem, { mode: 0o600 });
  writeFileSync(path.join(dir, `${name}.pem${tmp}`), pair.certPem);
  renameSync(path.join(dir, `${name}.key${tmp}`), path.join(dir, `${name}.key`));
  renameSync(path.join(dir, `${name}.pem${tmp}`), path.join(dir, `${name}.pem`));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Two labs starting together (tests, the app and a terminal) must not make two different CAs:
 * the CA and the origin certificate it signs have to come from the same run. A lock directory
 * (mkdir is atomic) serialises the check-and-generate; a lock older than 60 s is a crashed run's.
 */
function withLock<T>(dir: string, fn: () => T): T {
  const lock = path.join(dir, '.lock');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile: retry
      }
      if (Date.now() > deadline)
        throw new Error(
          `the lab certificate folder ${dir} is locked by another ProxyScope (remove ${lock} if none runs)`,
          { cause: e },
        );
      sleepSync(50);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Loads the lab's certificates from `dir` (default: the user cache dir), making missing or expiring ones. */
export function ensureLabCertificates(dir = defaultLabDir()): LabCertificates {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return withLock(dir, () => loadOrMake(dir));
}

function loadOrMake(dir: string): LabCertificates {
  let labCa = load(dir, 'lab-ca');
  let origin = load(dir, 'origin');
  let interceptCa = load(dir, 'intercept-ca');
  let originMatchesCa = false;
  if (usable(labCa) && usable(origin)) {
    try {
      originMatchesCa = new X509Certificate(origin!.certPem).checkIssued(new X509Certificate(labCa!.certPem));
    } catch {
      originMatchesCa = false;
    }
  }
  if (!usable(labCa) || !originMatchesCa) {
    labCa = makeCa('ProxyScope Lab CA', 'ProxyScope Lab');
    save(dir, 'lab-ca', labCa);
    origin = makeLeaf(labCa, ORIGIN_NAMES, 'ProxyScope Lab Origin');
    save(dir, 'origin', origin);
  }
  if (!usable(interceptCa)) {
    interceptCa = makeCa('ProxyScope Lab Intercepting Proxy CA', 'ProxyScope Lab SSL Inspection');
    save(dir, 'intercept-ca', interceptCa);
  }
  return {
    dir,
    caPath: path.join(dir, 'lab-ca.pem'),
    interceptCaPath: path.join(dir, 'intercept-ca.pem'),
    labCa: labCa!,
    origin: origin!,
    interceptCa: interceptCa!,
  };
}
