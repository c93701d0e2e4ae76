// A tiny CONNECT proxy for the MTU test: `node --import tsx connect-proxy.ts HOST PORT` relays
// every CONNECT to the same port on 127.0.0.1 (the origin beside it). Prints "listening" when ready.
import net from 'node:net';

const [host, port] = process.argv.slice(2);
const server = net.createServer((client) => {
  let head = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    head = Buffer.concat([head, d]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    client.off('data', onData);
    const m = /^CONNECT [^:\s]+:(\d+) HTTP\/1\.[01]\r\n/.exec(head.subarray(0, end).toString('latin1'));
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(m[1]), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      const rest = head.subarray(end + 4);
      if (rest.length) upstream.write(rest);
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  };
  client.on('data', onData);
  client.on('error', () => {});
});
server.listen(Number(port), host, () => console.log('listening'));
