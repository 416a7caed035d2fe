/** The baseline: Node's `net` echo server (libuv), on 127.0.0.1. Prints its port. */
import { createServer } from 'node:net';

const server = createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('data', (d) => sock.write(d));
  sock.on('error', () => {});
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  console.log(JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 }));
});
