/**
 * The lab's TLS origin: HEAD / → 302 Location /healthcheck (like the document's capture),
 * GET /healthcheck → 200, GET /download?size=N → N bytes streamed; anything else 404.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KeyAndCert } from './certificates.js';

const MAX_DOWNLOAD = 1024 * 1024 * 1024;

export interface LabOrigin {
  port: number;
  close(): Promise<void>;
}

export function startOrigin(cert: KeyAndCert, chainPem: string): Promise<LabOrigin> {
  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem + chainPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://lab.invalid');
    if (url.pathname === '/') {
      res.writeHead(302, { Location: '/healthcheck', 'Content-Type': 'text/html', 'Content-Length': '0' });
      res.end();
    } else if (url.pathname === '/healthcheck') {
      const body = 'OK\n';
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (url.pathname === '/download') {
      const size = Math.min(MAX_DOWNLOAD, Math.max(0, Number(url.searchParams.get('size') ?? 1048576) || 0));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
      if (req.method === 'HEAD') return void res.end();
      const block = Buffer.alloc(16 * 1024, 0x61);
      let left = size;
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, block.length);
          left -= n;
          if (!res.write(n === block.length ? block : block.subarray(0, n)))
            return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (left = 0));
      pump();
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  // sockets left open by a stalled client must not keep close() waiting
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
