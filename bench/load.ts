/**
 * A closed-loop echo load generator, run in its own process so that it is not the system under
 * test: `conns` connections each send `size` bytes, wait for all of them to come back, and send
 * again, for `seconds` after `warmupMs` of uncounted warm-up. Loopback only. Prints
 * `{"phase":"start"}` when the counted window opens (the runner samples the server's CPU time
 * there), then one JSON line: requests, req/s, p50/p99 latency, and its own CPU seconds in the
 * window (`cpuS`).
 *
 * Usage: tsx bench/load.ts <port> <conns> <size> <seconds> [warmupMs = 300]
 */
import { connect, type Socket } from 'node:net';

const [port, conns, size, seconds, warmupArg] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
  number | undefined,
];
const warmupMs = warmupArg ?? 300;
if (
  !(port > 0 && conns > 0 && conns <= 1000 && size > 0 && size <= 1 << 20 && seconds > 0 && seconds <= 60) ||
  !(warmupMs >= 0 && warmupMs <= 10_000)
) {
  console.error('usage: load.ts <port> <conns 1..1000> <size 1..1MiB> <seconds 0..60> [warmupMs 0..10000]');
  process.exit(2);
}

const payload = Buffer.alloc(size, 0x61);
const latencies: number[] = [];
let requests = 0;
let running = true;
let warm = true;

function drive(sock: Socket): void {
  let got = 0;
  let sentAt = 0;
  const send = (): void => {
    if (!running) {
      sock.end();
      return;
    }
    got = 0;
    sentAt = performance.now();
    sock.write(payload);
  };
  sock.on('data', (chunk) => {
    got += chunk.length;
    if (got < size) return;
    if (!warm) {
      requests++;
      latencies.push(performance.now() - sentAt);
    }
    send();
  });
  sock.on('error', () => {});
  send();
}

const sockets: Socket[] = [];
let ready = 0;
for (let i = 0; i < conns; i++) {
  const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => {
    ready++;
    if (ready === conns) start();
  });
  s.on('error', (err) => {
    console.error(`load: ${err.message}`);
    process.exit(1);
  });
  sockets.push(s);
}

function start(): void {
  for (const s of sockets) drive(s);
  // A short warm-up is not counted.
  setTimeout(() => {
    warm = false;
    console.log(JSON.stringify({ phase: 'start' }));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    setTimeout(() => {
      running = false;
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      latencies.sort((a, b) => a - b);
      const pct = (p: number): number =>
        latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
      console.log(
        JSON.stringify({ requests, rps: requests / elapsed, p50ms: pct(0.5), p99ms: pct(0.99), cpuS }),
      );
      for (const s of sockets) s.destroy();
      process.exit(0);
    }, seconds * 1000);
  }, warmupMs);
}
