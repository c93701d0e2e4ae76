// Real TLS traffic on loopback for the tests: a self-signed certificate made with node-forge, a
// Node TLS server, a tiny CONNECT proxy that sends every CONNECT to that server (no DNS), and
// tcpdump writing what crosses `lo`. Everything listens on 127.0.0.1 with ephemeral ports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import forge from 'node-forge';

export interface TestCert {
  keyPem: string;
  certPem: string;
}

/** A self-signed RSA certificate for tools.cisco.com (key from node:crypto: forge keygen is slow). */
export function makeCert(): TestCert {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = '0a1b2c3d';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2027-01-01T00:00:00Z');
  const subject = [
    { name: 'commonName', value: 'tools.cisco.com' },
    { name: 'organizationName', value: 'ProxyScope Test' },
    { name: 'countryName', value: 'US' },
  ];
  cert.setSubject(subject);
  cert.setIssuer([{ name: 'commonName', value: 'ProxyScope Test CA' }, { name: 'organizationName', value: 'ProxyScope Test' }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'tools.cisco.com' }, { type: 2, value: 'www.tools.cisco.com' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

export function canCapture(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to capture on lo';
  if (spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status !== 0) return 'tcpdump not installed';
  return null;
}

/** Starts tcpdump on lo and resolves once it is listening. */
export function startTcpdump(file: string, filter: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-s', '0', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10000);
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve(p);
      }
    });
    p.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (${code}): ${err}`));
    });
  });
}

export async function stopTcpdump(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  // let the last packets reach the file
  await new Promise((r) => setTimeout(r, 300));
  await new Promise<void>((resolve) => {
    p.removeAllListeners('exit');
    p.once('exit', () => resolve());
    p.kill('SIGINT');
  });
}

export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A TLS server that answers "hello\n" to whatever it gets. */
export function tlsServer(cert: TestCert, opts: tls.TlsOptions = {}): tls.Server {
  return tls.createServer({ key: cert.keyPem, cert: cert.certPem, ALPNProtocols: ['http/1.1'], ...opts }, (s) => {
    s.on('error', () => {});
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
    s.on('end', () => s.end());
  });
}

/** A CONNECT proxy that tunnels every CONNECT to 127.0.0.1:targetPort. */
export function connectProxy(targetPort: number): net.Server {
  return net.createServer((c) => {
    c.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      c.off('data', onData);
      const up = net.connect(targetPort, '127.0.0.1', () => {
        c.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = buf.subarray(end + 4);
        if (rest.length) up.write(rest);
        c.pipe(up);
        up.pipe(c);
      });
      up.on('error', () => c.destroy());
    };
    c.on('data', onData);
  });
}

/** One TLS exchange: handshake, a request, the answer, close. Resolves even when the handshake fails. */
export function tlsExchange(opts: tls.ConnectionOptions): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({ rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...opts }, () => {
      s.write('GET / HTTP/1.1\r\nHost: tools.cisco.com\r\n\r\n');
    });
    s.on('data', () => s.end());
    s.on('error', (e) => resolve({ ok: false, error: e.message }));
    s.on('close', () => resolve({ ok: true }));
  });
}

/** CONNECT through the proxy, then TLS inside the tunnel. */
export function tunnelExchange(proxyPort: number, host: string): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const c = net.connect(proxyPort, '127.0.0.1', () => {
      c.write(`CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n`);
    });
    c.on('error', (e) => resolve({ ok: false, error: e.message }));
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      c.off('data', onData);
      if (!/^HTTP\/1\.[01] 200/.test(buf)) {
        c.destroy();
        resolve({ ok: false, error: buf.split('\r\n')[0] });
        return;
      }
      tlsExchange({ socket: c, servername: host }).then(resolve);
    };
    c.on('data', onData);
  });
}

export function close(server: net.Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}
