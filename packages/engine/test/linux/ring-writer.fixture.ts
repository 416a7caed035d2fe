/** A worker that writes `count` mark/read events into a ring as fast as it can (ring tests). */
import { parentPort, workerData } from 'node:worker_threads';
import { RingWriter } from '../../src/linux/trace-ring';

const { ring, count } = workerData as { ring: SharedArrayBuffer; count: number };
const w = new RingWriter(ring);
for (let i = 0; i < count; i++) {
  if (i % 3 === 0) w.emit({ kind: 'mark', t: i, loop: 1, text: `event ${i} ${'x'.repeat(i % 50)}` });
  else
    w.emit({
      kind: 'read',
      t: i,
      loop: 1,
      fd: i,
      gen: i,
      sys: 'read',
      max: 65535,
      bytes: i,
      result: 'data',
      errno: null,
    });
}
w.flush();
parentPort?.postMessage({ stalls: w.stalls });
