// A small TLS origin for the integration tests: a test CA, optionally a chain of intermediates
// (to make the server's certificate flight several KB, as the MTU test needs), a leaf for
// tools.cisco.com, and a server answering HEAD/GET with 200. Keys come from node:crypto, the
// certificates from node-forge. Run directly (`node --import tsx tls-origin.ts PORT DIR [N]`) it
// serves in the foreground, so a network-namespace test can start it with `ip netns exec`.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';

export interface OriginCerts {
  caPem: string;
  keyPem: string;
  /** leaf + intermediates, PEM */
  chainPem: string;
}

function key() {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const k = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { k, pub: forge.pki.setRsaPublicKey(k.n, k.e) };
}

function cert(
  subjectCn: string,
  pub: forge.pki.PublicKey,
  issuer: { cn: string; k: forge.pki.rsa.PrivateKey },
  ca: boolean,
  names: string[] = [],
): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = '01' + randomBytes(15).toString('hex');
  c.validity.notBefore = new Date(Date.now() - 86400e3);
  c.validity.notAfter = new Date(Date.now() + 30 * 86400e3);
  c.setSubject([
    { name: 'commonName', value: subjectCn },
    { name: 'organizationName', value: 'ProxyScope Test' },
  ]);
  c.setIssuer([
    { name: 'commonName', value: issuer.cn },
    { name: 'organizationName', value: 'ProxyScope Test' },
  ]);
  const ext: object[] = [{ name: 'basicConstraints', cA: ca, critical: true }];
  if (ca) ext.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({ name: 'extKeyUsage', serverAuth: true });
    ext.push({
      name: 'subjectAltName',
      altNames: names.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  c.setExtensions(ext);
  c.sign(issuer.k, forge.md.sha256.create());
  return c;
}

/** A CA, `intermediates` intermediate CAs, and a leaf for tools.cisco.com / localhost. */
export function makeOriginCerts(intermediates = 0): OriginCerts {
  const root = key();
  const rootCert = cert(
    'ProxyScope Test Root CA',
    root.pub,
    { cn: 'ProxyScope Test Root CA', k: root.k },
    true,
  );
  let issuer = { cn: 'ProxyScope Test Root CA', k: root.k };
  const chain: forge.pki.Certificate[] = [];
  for (let i = 0; i < intermediates; i++) {
    const ik = key();
    const cn = `ProxyScope Test Intermediate CA ${i + 1}`;
    chain.unshift(cert(cn, ik.pub, issuer, true));
    issuer = { cn, k: ik.k };
  }
  const leaf = key();
  const leafCert = cert('tools.cisco.com', leaf.pub, issuer, false, [
    'tools.cisco.com',
    'localhost',
    '127.0.0.1',
    '10.99.2.2',
  ]);
  return {
    caPem: forge.pki.certificateToPem(rootCert),
    keyPem: forge.pki.privateKeyToPem(leaf.k),
    chainPem: [leafCert, ...chain].map((c) => forge.pki.certificateToPem(c)).join(''),
  };
}

export interface Origin {
  port: number;
  close(): Promise<void>;
}

export function startOrigin(certs: OriginCerts, port = 0, host = '127.0.0.1'): Promise<Origin> {
  const server = tls.createServer(
    { key: certs.keyPem, cert: certs.chainPem, maxVersion: 'TLSv1.2' },
    (sock) => {
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        while (buf.includes('\r\n\r\n')) {
          const head = buf.slice(0, buf.indexOf('\r\n\r\n'));
          buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
          const isHead = head.startsWith('HEAD ');
          const body = 'ProxyScope test origin\n';
          sock.write(
            `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${isHead ? '' : body}`,
          );
        }
      });
      sock.on('error', () => {});
    },
  );
  server.on('tlsClientError', () => {});
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            // connections left open by a failed test must not keep the server alive
            setTimeout(r, 500).unref();
          }),
      });
    });
  });
}

// Standalone: node --import tsx tls-origin.ts PORT DIR [HOST]: serves certs written to DIR
// (cert.pem, key.pem) and prints "listening" once ready.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [port, dir, host] = process.argv.slice(2);
  const certs: OriginCerts = {
    caPem: '',
    keyPem: readFileSync(path.join(dir!, 'key.pem'), 'utf8'),
    chainPem: readFileSync(path.join(dir!, 'chain.pem'), 'utf8'),
  };
  startOrigin(certs, Number(port), host ?? '0.0.0.0').then(() => console.log('listening'));
}

export function writeOriginCerts(dir: string, c: OriginCerts): void {
  writeFileSync(path.join(dir, 'key.pem'), c.keyPem);
  writeFileSync(path.join(dir, 'chain.pem'), c.chainPem);
  writeFileSync(path.join(dir, 'ca.pem'), c.caPem);
}
