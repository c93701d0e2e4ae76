// The browser host's gate: no token → refused; foreign Origin or Host → refused; with the token
// the page loads and the contract answers over the WebSocket.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Session } from '../../../src-main/core/session.js';
import { createMemorySecretStore } from '../../../src-main/core/settings.js';
import { startHost, type Host } from '../../../src-main/host/server.js';

let dir: string;
let session: Session;
let host: Host;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-host-'));
  const renderer = path.join(dir, 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(
    path.join(renderer, 'index.html'),
    '<!doctype html><title>ProxyScope</title><div id="app"></div>',
  );
  writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'outside.txt'), 'secret');
  session = new Session({
    transport: 'browser',
    configDir: path.join(dir, 'config'),
    secrets: createMemorySecretStore(),
  });
  host = await startHost({ session, rendererDir: renderer });
});

after(async () => {
  await host?.close();
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: host.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

/** Resolves with the socket when the upgrade succeeded, or with the HTTP status it was refused with. */
function connect(query: string, origin: string | undefined): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, origin ? { origin } : {});
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
    });
    ws.on('error', () => resolve({ status: -1 }));
  });
}

test('the host listens on 127.0.0.1 only and prints a URL with the token', () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
});

test('the page without the token (or with a wrong one) is refused', async () => {
  const none = await get('/');
  assert.equal(none.status, 403);
  assert.match(none.body, /token/);
  assert.equal((await get('/?token=wrong')).status, 403);
  assert.equal((await get('/assets/app.js')).status, 403, 'assets need the token cookie too');
});

test('a foreign Origin or Host is refused even with the token', async () => {
  const foreign = await get(`/?token=${host.token}`, { Origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  const rebinding = await get(`/?token=${host.token}`, { Host: `evil.example:${host.port}` });
  assert.equal(rebinding.status, 403);
  const socket = await connect(`?token=${host.token}`, 'http://evil.example');
  assert.equal(socket.status, 403);
  const noOrigin = await connect(`?token=${host.token}`, undefined);
  assert.equal(noOrigin.status, 403);
});

test('the socket without the token is refused', async () => {
  assert.equal((await connect('', host.origin)).status, 403);
  assert.equal((await connect('?token=nope', host.origin)).status, 403);
});

test('with the token: the page loads with a strict CSP, assets via the cookie, the contract over the socket', async () => {
  const page = await get(`/?token=${host.token}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /ProxyScope/);
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  const cookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0];
  assert.match(cookie, /^proxyscope_token=/);
  assert.equal((await get('/assets/app.js', { Cookie: cookie })).status, 200);
  assert.equal((await get('/../outside.txt', { Cookie: cookie })).status, 404);
  assert.equal((await get('/%2e%2e/outside.txt', { Cookie: cookie })).status, 404);

  const { ws } = await connect(`?token=${host.token}`, host.origin);
  assert.ok(ws, 'the socket opens');
  const replies: unknown[] = [];
  const next = () => new Promise<unknown>((r) => ws.once('message', (m) => r(JSON.parse(String(m)))));
  ws.send(JSON.stringify({ id: 1, method: 'app.info', args: {} }));
  replies.push(await next());
  ws.send(JSON.stringify({ id: 2, method: 'settings.set', args: { proxy: { enabled: true } } }));
  replies.push(await next());
  ws.send(JSON.stringify({ id: 3, method: 'no.such', args: {} }));
  replies.push(await next());
  ws.close();
  const [info, bad, unknown] = replies as {
    id: number;
    envelope: { ok: boolean; data?: { transport: string }; error?: { code: string; message: string } };
  }[];
  assert.equal(info.id, 1);
  assert.equal(info.envelope.ok, true);
  assert.equal(info.envelope.data?.transport, 'browser');
  assert.equal(bad.envelope.error?.code, 'BAD_ARGS');
  assert.match(bad.envelope.error?.message ?? '', /proxy\.host|proxy\.port|proxy\.useAuth/);
  assert.equal(unknown.envelope.error?.code, 'UNKNOWN_METHOD');
});
