/**
 * The lab's fault-injecting explicit proxy. Every CONNECT, whatever the host, is relayed to the
 * lab origin on 127.0.0.1, so the probe can say `tools.cisco.com` while nothing leaves loopback.
 * The active scenario is read per request, so setScenario() applies to the next CONNECT.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { parseChallenges } from '../probe/auth-challenge.js';
import { digestResponse, normalizeAlgorithm } from '../probe/digest.js';
import { makeLeaf, type KeyAndCert } from './certificates.js';
import { LABEL_SERVER, errorPage } from './pages.js';
import {
  LAB_CREDENTIALS,
  LARGE_SEGMENT_BYTES,
  RELAY_BUDGET_BYTES,
  SLOW_PROXY_DELAY_MS,
  type LabScenario,
} from './scenarios.js';

const MAX_REQUEST_HEAD = 64 * 1024;
const REALM = 'ProxyScope lab';

export interface LabProxyOptions {
  port?: number;
  originPort: number;
  interceptCa: KeyAndCert;
  getScenario: () => LabScenario;
}

export interface LabProxy {
  port: number;
  close(): Promise<void>;
}

interface ConnectRequest {
  target: string;
  headers: Array<[string, string]>;
}

function header(req: ConnectRequest, name: string): string | undefined {
  return req.headers.find(([k]) => k.toLowerCase() === name)?.[1];
}

export function startLabProxy(opts: LabProxyOptions): Promise<LabProxy> {
  const sockets = new Set<net.Socket>();
  const nonces = new Set<string>();
  const interceptLeaves = new Map<string, tls.SecureContext>();

  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const respond = (
    client: net.Socket,
    status: number,
    reason: string,
    headers: Array<[string, string]>,
    body: string,
    close: boolean,
  ) => {
    const lines = [
      `HTTP/1.1 ${status} ${reason}`,
      `Server: ${LABEL_SERVER}`,
      ...headers.map(([k, v]) => `${k}: ${v}`),
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    lines.push(close ? 'Connection: close' : 'Connection: keep-alive');
    if (client.destroyed) return;
    client.write(lines.join('\r\n') + '\r\n\r\n' + body);
    if (close) client.end();
  };

  const deny = (client: net.Socket, status: number, reason: string, squidError: string, text: string) =>
    respond(
      client,
      status,
      reason,
      [
        ['Content-Type', 'text/html;charset=utf-8'],
        ['X-Squid-Error', squidError],
      ],
      errorPage(status, reason, text),
      true,
    );

  const challenge407 = (client: net.Socket, scenario: LabScenario) => {
    const headers: Array<[string, string]> = [['Content-Type', 'text/html;charset=utf-8']];
    if (scenario === 'auth-basic') headers.push(['Proxy-Authenticate', `Basic realm="${REALM}"`]);
    else if (scenario === 'auth-digest') {
      const nonce = randomBytes(18).toString('base64');
      nonces.add(nonce);
      const opaque = randomBytes(12).toString('hex');
      headers.push([
        'Proxy-Authenticate',
        `Digest realm="${REALM}", qop="auth", algorithm=SHA-256, nonce="${nonce}", opaque="${opaque}"`,
      ]);
      headers.push([
        'Proxy-Authenticate',
        `Digest realm="${REALM}", qop="auth", algorithm=MD5, nonce="${nonce}", opaque="${opaque}"`,
      ]);
    } else {
      headers.push(['Proxy-Authenticate', 'NTLM'], ['Proxy-Authenticate', 'Negotiate']);
    }
    headers.push(['X-Squid-Error', 'ERR_CACHE_ACCESS_DENIED 0']);
    // Basic closes after 407 (the probe must reconnect); Digest and NTLM keep the connection
    respond(
      client,
      407,
      'Proxy Authentication Required',
      headers,
      errorPage(
        407,
        'Proxy Authentication Required',
        'Sorry, you are not currently allowed to request this until you have authenticated yourself.',
      ),
      scenario === 'auth-basic',
    );
  };

  const authorized = (req: ConnectRequest, scenario: LabScenario): boolean => {
    const value = header(req, 'proxy-authorization');
    if (!value) return false;
    if (scenario === 'auth-basic') {
      const m = /^Basic\s+(\S+)$/i.exec(value);
      return (
        !!m &&
        Buffer.from(m[1]!, 'base64').toString('utf8') ===
          `${LAB_CREDENTIALS.username}:${LAB_CREDENTIALS.password}`
      );
    }
    const [cred] = parseChallenges(value);
    if (!cred || cred.scheme.toLowerCase() !== 'digest') return false;
    const p = cred.params;
    const algorithm = normalizeAlgorithm(p.algorithm);
    if (
      !algorithm ||
      !p.nonce ||
      !nonces.has(p.nonce) ||
      p.username !== LAB_CREDENTIALS.username ||
      p.realm !== REALM
    )
      return false;
    if (p.uri !== req.target) return false;
    const expected = digestResponse({
      algorithm,
      username: p.username,
      password: LAB_CREDENTIALS.password,
      realm: REALM,
      method: 'CONNECT',
      uri: p.uri,
      nonce: p.nonce,
      qop: p.qop ? 'auth' : undefined,
      nc: p.nc ? parseInt(p.nc, 16) : 1,
      cnonce: p.cnonce,
    });
    return expected === p.response;
  };

  const interceptContext = (host: string): tls.SecureContext => {
    let ctx = interceptLeaves.get(host);
    if (!ctx) {
      const names = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? [host] : [host];
      const leaf = makeLeaf(opts.interceptCa, names, 'ProxyScope Lab SSL Inspection');
      // TLS 1.2 like many inspection devices: the re-signed chain then travels in clear, so a
      // capture proves the interception (TLS 1.3 would encrypt the Certificate message)
      ctx = tls.createSecureContext({
        key: leaf.keyPem,
        cert: leaf.certPem + opts.interceptCa.certPem,
        maxVersion: 'TLSv1.2',
      });
      interceptLeaves.set(host, ctx);
    }
    return ctx;
  };

  const relay = (client: net.Socket, early: Buffer, scenario: LabScenario, host: string) => {
    if (scenario === 'tls-intercept') return intercept(client, early, host);
    const upstream = net.connect({ host: '127.0.0.1', port: opts.originPort });
    track(upstream);
    upstream.setNoDelay(true);
    if (early.length) upstream.write(early);
    let towardClient = 0;
    let cut = false;
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (scenario === 'reset-on-large-segment' && chunk.length >= LARGE_SEGMENT_BYTES) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      if (
        (scenario === 'stall-after-tunnel' || scenario === 'close-mid-download') &&
        towardClient + chunk.length > RELAY_BUDGET_BYTES
      ) {
        const part = chunk.subarray(0, RELAY_BUDGET_BYTES - towardClient);
        towardClient += part.length;
        cut = true;
        if (part.length) client.write(part);
        if (scenario === 'close-mid-download') {
          client.end();
          upstream.destroy();
        } else upstream.pause(); // keep both ends open and silent
        return;
      }
      towardClient += chunk.length;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => !cut && upstream.resume());
      }
    });
    client.on('data', (chunk: Buffer) => {
      if (scenario === 'reset-on-large-segment' && chunk.length >= LARGE_SEGMENT_BYTES) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('end', () => !cut && client.end());
    upstream.on('close', () => !cut && client.destroy());
    client.on('close', () => upstream.destroy());
    client.resume();
  };

  const intercept = (client: net.Socket, early: Buffer, host: string) => {
    if (early.length) client.unshift(early);
    const secure = new tls.TLSSocket(client, {
      isServer: true,
      secureContext: interceptContext(host),
      ALPNProtocols: ['http/1.1'],
    });
    secure.on('error', () => client.destroy());
    const upstream = tls.connect({
      host: '127.0.0.1',
      port: opts.originPort,
      servername: host === '127.0.0.1' ? undefined : host,
      rejectUnauthorized: false,
    });
    track(upstream);
    upstream.on('error', () => secure.destroy());
    secure.pipe(upstream);
    upstream.pipe(secure);
    secure.on('close', () => upstream.destroy());
    upstream.on('close', () => secure.destroy());
  };

  const handleRequest = (client: net.Socket, req: ConnectRequest, rest: Buffer, next: () => void) => {
    const scenario = opts.getScenario();
    const host = req.target.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    switch (scenario) {
      case 'acl-403':
        return deny(
          client,
          403,
          'Forbidden',
          'ERR_ACCESS_DENIED 0',
          'Access control configuration prevents your request from being allowed at this time.',
        );
      case 'bad-gateway-502':
        return deny(
          client,
          502,
          'Bad Gateway',
          'ERR_CONNECT_FAIL 111',
          `The system returned: (111) Connection refused. The remote host or network may be down.`,
        );
      case 'gateway-timeout-504':
        return deny(
          client,
          504,
          'Gateway Timeout',
          'ERR_CONNECT_FAIL 110',
          'The system returned: (110) Connection timed out.',
        );
      case 'ntlm-only':
        challenge407(client, scenario);
        return next();
      case 'auth-basic':
      case 'auth-digest':
        if (!authorized(req, scenario)) {
          challenge407(client, scenario);
          if (scenario === 'auth-digest') next();
          return;
        }
        break;
      default:
        break;
    }
    const open = () => {
      if (client.destroyed) return;
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      relay(client, rest, scenario, host);
    };
    if (scenario === 'slow-proxy') setTimeout(open, SLOW_PROXY_DELAY_MS).unref();
    else open();
  };

  const onConnection = (client: net.Socket) => {
    track(client);
    client.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      if (opts.getScenario() === 'reset-on-large-segment' && chunk.length >= LARGE_SEGMENT_BYTES) {
        client.resetAndDestroy();
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_REQUEST_HEAD) {
          client.off('data', onData);
          respond(
            client,
            431,
            'Request Header Fields Too Large',
            [['Content-Type', 'text/plain']],
            'request head too large\n',
            true,
          );
        }
        return;
      }
      client.off('data', onData);
      client.pause();
      const head = buf.subarray(0, end).toString('latin1');
      const rest = buf.subarray(end + 4);
      buf = Buffer.alloc(0);
      const lines = head.split('\r\n');
      const m = /^(\S+)\s+(\S+)\s+HTTP\/1\.[01]$/.exec(lines[0] ?? '');
      if (!m || m[1] !== 'CONNECT' || !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(m[2]!)) {
        respond(
          client,
          m && m[1] !== 'CONNECT' ? 405 : 400,
          m && m[1] !== 'CONNECT' ? 'Method Not Allowed' : 'Bad Request',
          [['Content-Type', 'text/plain']],
          'The ProxyScope lab proxy only relays CONNECT host:port.\n',
          true,
        );
        return;
      }
      const headers: Array<[string, string]> = [];
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers.push([l.slice(0, i).trim(), l.slice(i + 1).trim()]);
      }
      handleRequest(client, { target: m[2]!, headers }, rest, () => {
        // keep-alive: read the next request on the same connection
        if (rest.length) onData(rest);
        client.on('data', onData);
        client.resume();
      });
    };
    client.on('data', onData);
  };

  const server = net.createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
