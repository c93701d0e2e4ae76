import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  headerValues,
  readBodyExcerpt,
  readResponseHead,
  type HeadReadError,
} from '../../../src-main/core/probe/http-head.js';

/** A server that writes `parts` with small pauses (partial reads), then optionally closes. */
async function withServer(
  parts: Array<string | Buffer>,
  close: boolean,
  fn: (s: net.Socket) => Promise<void>,
): Promise<void> {
  const server = net.createServer(async (c) => {
    c.on('error', () => undefined);
    for (const p of parts) {
      c.write(p);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (close) c.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  try {
    await fn(s);
  } finally {
    s.destroy();
    server.close();
  }
}

test('a head split over many reads, repeated headers, bytes after the head kept', async () => {
  await withServer(
    [
      'HTTP/1.1 407 Proxy Auth',
      'entication Required\r\nProxy-Authenticate: NTLM\r\n',
      'Proxy-Authenticate: Negotiate\r\nContent-Length: 5\r\n\r',
      '\nhello',
    ],
    false,
    async (s) => {
      const head = await readResponseHead(s, 2000);
      assert.equal(head.status, 407);
      assert.equal(head.reason, 'Proxy Authentication Required');
      assert.deepEqual(headerValues(head.headers, 'proxy-authenticate'), ['NTLM', 'Negotiate']);
      const body = await readBodyExcerpt(s, head, 2000);
      assert.equal(body.excerpt, 'hello');
    },
  );
});

test('long headers (40 KB) are read', async () => {
  const big = 'x'.repeat(40_000);
  await withServer([`HTTP/1.1 200 Connection established\r\nX-Big: ${big}\r\n\r\n`], false, async (s) => {
    const head = await readResponseHead(s, 2000);
    assert.equal(head.status, 200);
    assert.equal(headerValues(head.headers, 'x-big')[0]!.length, 40_000);
  });
});

test('silence → timeout, close → closed, junk → malformed, endless head → too-large', async () => {
  await withServer([], false, async (s) => {
    await assert.rejects(readResponseHead(s, 100), (e: HeadReadError) => e.kind === 'timeout');
  });
  await withServer(['HTTP/1.1 200 OK\r\n'], true, async (s) => {
    await assert.rejects(
      readResponseHead(s, 2000),
      (e: HeadReadError) => e.kind === 'closed' && e.received > 0,
    );
  });
  await withServer(['SSH-2.0-OpenSSH_9.2\r\n\r\n'], false, async (s) => {
    await assert.rejects(
      readResponseHead(s, 2000),
      (e: HeadReadError) => e.kind === 'malformed' && /status line/.test(e.message),
    );
  });
  await withServer(['HTTP/1.1 200 OK\r\n', Buffer.alloc(70_000, 0x61)], false, async (s) => {
    await assert.rejects(readResponseHead(s, 2000), (e: HeadReadError) => e.kind === 'too-large');
  });
});

test('a close-delimited error body is read until FIN', async () => {
  await withServer(
    ['HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n<html>denied</html>'],
    true,
    async (s) => {
      const head = await readResponseHead(s, 2000);
      const body = await readBodyExcerpt(s, head, 2000);
      assert.equal(body.excerpt, '<html>denied</html>');
      assert.equal(body.closed, true);
    },
  );
});
