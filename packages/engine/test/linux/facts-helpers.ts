/** Helpers for the evio conformance facts (`facts-*.test.ts`): a traced server, trace queries, clients. */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync } from 'node:fs';
import type net from 'node:net';
import type { EventOfKind, TraceEvent, TraceEventKind } from '@loopscope/trace';
import { type LinuxServer, type ServeSpec, serve } from '../../src/linux/server';

/** The URL of a handler fixture in `test/fixtures/handlers/`. */
export const fixture = (name: string): string =>
  new URL(`../fixtures/handlers/${name}.ts`, import.meta.url).href;

export const fdCount = (): number => readdirSync('/proc/self/fd').length;
export const threadCount = (): number => readdirSync('/proc/self/task').length;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A server with its trace collected as it is delivered. */
export interface Traced {
  server: LinuxServer;
  events: TraceEvent[];
}

/** `serve` on an ephemeral loopback port with tracing on. */
export async function traced(
  spec: Omit<ServeSpec, 'addrs' | 'onEvents'> & { addrs?: string[] },
): Promise<Traced> {
  const events: TraceEvent[] = [];
  const server = await serve({
    addrs: ['tcp://127.0.0.1:0'],
    ...spec,
    onEvents: (evs) => {
      for (const e of evs) events.push(e); // a spin can deliver more events than push(...) takes
    },
  });
  return { server, events };
}

/** Events of one kind, optionally filtered. */
export function ofKind<K extends TraceEventKind>(
  events: TraceEvent[],
  kind: K,
  pred: (e: EventOfKind<K>) => boolean = () => true,
): EventOfKind<K>[] {
  return events.filter((e): e is EventOfKind<K> => e.kind === kind && pred(e as EventOfKind<K>));
}

/** Waits until the trace holds an event matching `pred` (the trace arrives every few ms). */
export async function waitFor<K extends TraceEventKind>(
  events: TraceEvent[],
  kind: K,
  pred: (e: EventOfKind<K>) => boolean = () => true,
  what = kind as string,
  timeoutMs = 15_000,
): Promise<EventOfKind<K>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = events.find((e): e is EventOfKind<K> => e.kind === kind && pred(e as EventOfKind<K>));
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} in the trace`);
    await sleep(5);
  }
}

/** Waits until the trace holds `n` events matching `pred`; returns them. */
export async function waitForCount<K extends TraceEventKind>(
  events: TraceEvent[],
  kind: K,
  n: number,
  pred: (e: EventOfKind<K>) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<EventOfKind<K>[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hits = ofKind(events, kind, pred);
    if (hits.length >= n) return hits;
    if (Date.now() > end) throw new Error(`timed out waiting for ${n} ${kind} events (${hits.length})`);
    await sleep(5);
  }
}

/** An accept that won: its fd and generation are known. */
export type Accepted = EventOfKind<'accept'> & { fd: number; gen: number };

/** The accepted conn whose peer is the client socket `s` (matched by the client's local port). */
export async function acceptOf(events: TraceEvent[], s: net.Socket): Promise<Accepted> {
  const remote = `127.0.0.1:${s.localPort}`;
  const e = await waitFor(
    events,
    'accept',
    (e) => e.outcome === 'won' && e.remote === remote,
    `accept of ${remote}`,
  );
  return e as Accepted;
}

/** Events of one connection (fd + generation), any kind that names it. */
export function ofConn(events: TraceEvent[], fd: number, gen: number): TraceEvent[] {
  return events.filter((e) => 'fd' in e && e.fd === fd && 'gen' in e && e.gen === gen);
}

/** Is `fd` in this wait-return's ready list, and with which mask (0 = not in it). */
export function readyMask(e: EventOfKind<'wait-return'>, fd: number): number {
  for (let i = 0; i < e.ready.length; i += 2) if (e.ready[i] === fd) return e.ready[i + 1]!;
  return 0;
}

/** A random payload in a SharedArrayBuffer: handed to loop threads without a copy. */
export function sharedBlob(bytes: number): { sab: SharedArrayBuffer; view: Uint8Array } {
  const sab = new SharedArrayBuffer(bytes);
  const view = new Uint8Array(sab);
  for (let off = 0; off < bytes; off += 1 << 20) view.set(randomBytes(Math.min(1 << 20, bytes - off)), off);
  return { sab, view };
}

/** Collects everything the socket receives until the peer's EOF (rejects on a socket error). */
export function readToEnd(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.once('end', () => resolve(Buffer.concat(chunks)));
    s.once('error', reject);
  });
}

/**
 * Fills every hole in the fd table with /dev/null, so that the next fds the process gets are
 * the highest ones and a closed fd is the lowest free number. Returns a function that closes them.
 */
export function fillFdHoles(): () => void {
  const top = Math.max(...readdirSync('/proc/self/fd').map(Number));
  const held: number[] = [];
  for (;;) {
    const fd = openSync('/dev/null', 'r');
    if (fd > top) {
      closeSync(fd);
      break;
    }
    held.push(fd);
  }
  return () => {
    for (const fd of held) closeSync(fd);
  };
}
