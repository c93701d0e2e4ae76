// A tiny fake proxy on loopback for the probe tests: it reads the CONNECT and answers with the
// given bytes, a reset ('RST') or nothing (null); closed when the test ends.
import net from 'node:net';

export async function fakeProxy(
  answer: string | null,
  t: { after: (fn: () => Promise<void>) => void },
): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    sockets.add(c);
    c.on('error', () => undefined);
    c.once('data', () => {
      if (answer === null) return; // silence
      if (answer === 'RST') return c.resetAndDestroy();
      c.end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
  return (server.address() as net.AddressInfo).port;
}
