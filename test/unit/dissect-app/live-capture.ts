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
  cert.setIssuer([
    { name: 'commonName', value: 'ProxyScope Test CA' },
    { name: 'organizationName', value: 'ProxyScope Test' },
  ]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'tools.cisco.com' },
        { type: 2, value: 'www.tools.cisco.com' },
      ],
    },
  ]);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
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
    const p = spawn(
      'tcpdump',
      ['-i', 'lo', '--immediate-mode', '-B', '16384', '-U', '-s', '0', '-w', file, filter],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
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
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

/** A TLS server that answers "hello\n" to whatever it gets. */
export function tlsServer(cert: TestCert, opts: tls.TlsOptions = {}): tls.Server {
  return tls.createServer(
    { key: cert.keyPem, cert: cert.certPem, ALPNProtocols: ['http/1.1'], ...opts },
    (s) => {
      s.on('error', () => {});
      s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
      s.on('end', () => s.end());
    },
  );
}

export interface ProxyOptions {
  /** answer 407 (Basic, NTLM) to a CONNECT without Proxy-Authorization */
  requireAuth?: boolean;
  /** relay server → client data in chunks of this size, one segment each (splits TLS records) */
  chunk?: number;
}

const PAGE_407 = '<html><body>Proxy authentication required</body></html>';
const PAGE_403 = '<html><body>Access denied</body></html>';

/**
 * A CONNECT proxy that tunnels every CONNECT to 127.0.0.1:targetPort. Host "blocked.example" gets a
 * Squid-like 403; with requireAuth a CONNECT without credentials gets a 407 (connection kept).
 */
export function connectProxy(targetPort: number, opts: ProxyOptions = {}): net.Server {
  return net.createServer((c) => {
    c.on('error', () => {});
    c.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const rest = buf.subarray(end + 4);
        buf = Buffer.alloc(0);
        if (head.startsWith('CONNECT blocked.example')) {
          c.end(
            `HTTP/1.1 403 Forbidden\r\nServer: squid/5.7\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: ${PAGE_403.length}\r\nConnection: close\r\n\r\n${PAGE_403}`,
          );
          return;
        }
        if (opts.requireAuth && !/\r\nProxy-Authorization: /i.test(head)) {
          c.write(
            `HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid/5.7\r\nProxy-Authenticate: Basic realm="ProxyScope test"\r\nProxy-Authenticate: NTLM\r\nX-Squid-Error: ERR_CACHE_ACCESS_DENIED 0\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: ${PAGE_407.length}\r\nVia: 1.1 proxy (squid/5.7)\r\n\r\n${PAGE_407}`,
          );
          buf = rest;
          continue;
        }
        c.off('data', onData);
        const up = net.connect(targetPort, '127.0.0.1', () => {
          c.write('HTTP/1.1 200 Connection established\r\n\r\n');
          if (rest.length) up.write(rest);
          c.pipe(up);
          if (opts.chunk) relayChunked(up, c, opts.chunk);
          else up.pipe(c);
        });
        up.on('error', () => c.destroy());
        c.on('close', () => up.destroy());
        return;
      }
    };
    c.on('data', onData);
  });
}

/** Copies from → to in small writes a few ms apart, so each becomes its own TCP segment. */
function relayChunked(from: net.Socket, to: net.Socket, size: number): void {
  let queue = Promise.resolve();
  from.on('data', (d: Buffer) => {
    from.pause();
    queue = queue.then(async () => {
      for (let i = 0; i < d.length; i += size) {
        to.write(d.subarray(i, i + size));
        await new Promise((r) => setTimeout(r, 3));
      }
      from.resume();
    });
  });
  from.on('end', () => void queue.then(() => to.end()));
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

export interface TunnelOptions {
  /** "user:password" for Proxy-Authorization: Basic, sent after a 407 */
  credentials?: string;
  /** send the CONNECT header in two writes (split across segments) */
  splitHeader?: boolean;
}

/** CONNECT through the proxy (answering a 407 once with Basic credentials), then TLS inside. */
export function tunnelExchange(
  proxyPort: number,
  host: string,
  opts: TunnelOptions = {},
): Promise<{ ok: boolean; status?: string; error?: string }> {
  return new Promise((resolve) => {
    const c = net.connect(proxyPort, '127.0.0.1');
    c.setNoDelay(true);
    const connect = (auth: boolean) => {
      const extra =
        auth && opts.credentials
          ? `Proxy-Authorization: Basic ${Buffer.from(opts.credentials).toString('base64')}\r\n`
          : '';
      const req = `CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\nUser-Agent: curl/7.88.1\r\n${extra}Proxy-Connection: Keep-Alive\r\n\r\n`;
      if (!opts.splitHeader) c.write(req);
      else {
        c.write(req.slice(0, 30));
        setTimeout(() => c.write(req.slice(30)), 20);
      }
    };
    c.on('connect', () => connect(false));
    c.on('error', (e) => resolve({ ok: false, error: e.message }));
    c.on('close', () => resolve({ ok: false, error: 'closed' }));
    let buf = '';
    let authSent = false;
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = buf.slice(0, buf.indexOf('\r\n'));
      const len = Number(/\r\nContent-Length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.slice(end + 4 + len);
      if (/^HTTP\/1\.[01] 407/.test(status) && opts.credentials && !authSent) {
        authSent = true;
        connect(true);
        return;
      }
      c.off('data', onData);
      if (!/^HTTP\/1\.[01] 200/.test(status)) {
        c.removeAllListeners('close');
        c.on('close', () => resolve({ ok: false, status }));
        c.end();
        return;
      }
      c.removeAllListeners('close');
      tlsExchange({ socket: c, servername: host }).then((r) => resolve({ ...r, status }));
    };
    c.on('data', onData);
  });
}

export function close(server: net.Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}
