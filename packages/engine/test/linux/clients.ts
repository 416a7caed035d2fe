/** node:net clients for the serve tests. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** Connects to a `host:port` or unix path as `serve` reported it. */
export async function connect(addr: string): Promise<net.Socket> {
  const colon = addr.lastIndexOf(':');
  const s = addr.startsWith('/')
    ? net.connect(addr)
    : net.connect(Number(addr.slice(colon + 1)), addr.slice(0, colon).replace(/^\[|\]$/g, ''));
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

/** Reads exactly `n` bytes. */
export function readExactly(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= n) {
        s.off('data', onData);
        s.off('error', reject);
        const all = Buffer.concat(chunks);
        if (all.length > n) s.unshift(all.subarray(n));
        resolve(all.subarray(0, n));
      }
    };
    if (n === 0) return resolve(Buffer.alloc(0));
    s.on('data', onData);
    s.once('error', reject);
  });
}

/** Sends `rounds` random blocks of 0..maxBytes and checks each echo byte for byte. */
export async function echoRounds(s: net.Socket, rounds: number, maxBytes: number): Promise<number> {
  let mismatches = 0;
  for (let i = 0; i < rounds; i++) {
    const block = randomBytes(Math.floor(Math.random() * (maxBytes + 1)));
    const back = readExactly(s, block.length);
    s.write(block);
    if (!(await back).equals(block)) mismatches++;
  }
  return mismatches;
}

/** Ends the socket and waits for the server's close. */
export function closeAndWait(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    s.once('close', () => resolve());
    s.end();
  });
}
