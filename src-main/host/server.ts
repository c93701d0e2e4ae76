// The browser host: the built renderer and the contract over one WebSocket, for machines without
// the Electron binary. Bound to 127.0.0.1 only; every request needs the random token (in the page
// URL, then a same-site cookie for the page's own assets; in the socket URL), and any request or
// socket carrying a foreign Origin or Host is refused. No logic here beyond transport.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { toWire, type WsServerMessage } from '../core/api.js';
import type { Session } from '../core/session.js';
import { HOST_CSP } from './csp.js';

export interface HostOptions {
  session: Session;
  /** the built renderer (dist/renderer) */
  rendererDir: string;
  /** 0 (default) picks a free port */
  port?: number;
  /** a fixed token (tests); random otherwise */
  token?: string;
}

export interface Host {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'proxyscope_token';
const MAX_MESSAGE_BYTES = 1 << 20;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
  }
  return undefined;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`ProxyScope: ${message}\n`);
}

export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  const server = http.createServer();
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);

  /** Why a request is refused, or undefined when it may go on. */
  function checkOrigin(req: IncomingMessage): string | undefined {
    if (!allowedHosts().includes(req.headers.host ?? ''))
      return 'wrong Host header (only 127.0.0.1 is served).';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin))
      return `requests from ${origin} are not allowed.`;
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site') return 'cross-site requests are not allowed.';
    return undefined;
  }

  server.on('request', (req, res) => {
    const bad = checkOrigin(req);
    if (bad) return refuse(res, 403, bad);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'only GET is served.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    const given = url.searchParams.get('token') ?? (isPage ? undefined : cookieToken(req));
    if (!sameToken(given, token)) {
      return refuse(
        res,
        403,
        'the access token is missing or wrong. Open the exact URL that `npm run start:web` printed.',
      );
    }
    const rel = isPage ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(rendererDir, rel);
    if (!file.startsWith(rendererDir + path.sep)) return refuse(res, 404, 'not found.');
    if (!existsSync(file) || !statSync(file).isFile()) {
      return refuse(
        res,
        404,
        isPage ? `the renderer is not built (${file} is missing). Run \`npm run build\`.` : 'not found.',
      );
    }
    const headers: Record<string, string> = {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': HOST_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (isPage) headers['Set-Cookie'] = `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    // A WebSocket handshake always carries Origin from a browser; without it, it is not our page.
    const bad =
      checkOrigin(req) ??
      (req.headers.origin === undefined ? 'the socket has no Origin.' : undefined) ??
      (url.pathname !== '/ws' ? 'no socket there.' : undefined) ??
      (sameToken(url.searchParams.get('token'), token) ? undefined : 'the access token is missing or wrong.');
    if (bad) {
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nProxyScope: ${bad}\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function send(ws: WebSocket, message: WsServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(toWire(message));
  }

  function serveSocket(ws: WebSocket): void {
    const unsubscribe = options.session.onEvent((event, payload) => send(ws, { event, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', async (raw) => {
      let msg: { id?: unknown; method?: unknown; args?: unknown };
      try {
        msg = JSON.parse(raw.toString()) as typeof msg;
      } catch {
        ws.close(1003, 'messages must be JSON');
        return;
      }
      if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') {
        ws.close(1003, 'messages need a numeric id');
        return;
      }
      const envelope = await options.session.dispatch(msg.method, msg.args);
      send(ws, { id: msg.id, envelope });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
