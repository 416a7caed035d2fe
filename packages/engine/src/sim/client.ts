/**
 * Scenario scripts. A script is a generator: it runs until it must wait and yields what it waits
 * for (`sleep`, `readable`, `writable`, `connected`); each resumption is one scheduler step.
 * `Client` does the I/O of one scenario client and traces it as `client-*` events.
 */
import type { TraceEventDraft } from '@loopscope/trace';
import type { SimPeer } from './peer';
import type { Actor } from './scheduler';
import type { ConnectOptions, SimWorld } from './world';

/** What a script waits for. */
export type ScriptWait =
  | { sleep: number }
  | { readable: SimPeer }
  | { writable: SimPeer }
  | { connected: SimPeer };

/** A scenario script; `R` is what it returns to a script that `yield*`s it. */
export type Script<R = void> = Generator<ScriptWait, R, void>;

/** Runs a script as a scheduler actor. */
export class ScriptActor implements Actor {
  finished = false;
  private wait: ScriptWait;
  private since: number;

  constructor(
    readonly name: string,
    private readonly script: Script,
    private readonly world: SimWorld,
    startAt = world.now,
  ) {
    this.since = world.now;
    this.wait = { sleep: Math.max(0, startAt - world.now) };
  }

  readyAt(): number | null {
    const w = this.wait;
    if ('sleep' in w) return this.since + w.sleep;
    if ('readable' in w) return w.readable.readableAt;
    if ('writable' in w) return w.writable.writableAt;
    return w.connected.connected ? (w.connected.connectedAt ?? this.world.now) : null;
  }

  step(): void {
    const r = this.script.next();
    this.since = this.world.now;
    if (r.done) this.finished = true;
    else this.wait = r.value;
  }

  /** Stops the script for good (the run hit a limit). */
  abort(): void {
    this.finished = true;
  }
}

/** One scenario client: its I/O, traced as `client-*` events. */
export class Client {
  private requestAt = -1;

  constructor(
    readonly id: number,
    private readonly world: SimWorld,
    private readonly emit: (ev: TraceEventDraft) => void,
  ) {}

  /** Connects to `addr`; traces `client-connect` (or `client-close` if refused). */
  connect(addr: string, opts: ConnectOptions = {}): SimPeer {
    const peer = this.world.connect(addr, opts);
    if (peer.refused) this.closed(peer.refused);
    else
      this.emit({ kind: 'client-connect', t: this.world.now, loop: -1, client: this.id, local: peer.addr });
    return peer;
  }

  /** Marks the start of a request: the next `recv` that completes a reply measures from here. */
  startRequest(): void {
    this.requestAt = this.world.now;
  }

  /** Sends what fits of `bytes`; returns the count (0 when full) or an error name. */
  send(peer: SimPeer, bytes: Uint8Array): number | string {
    const n = peer.send(bytes);
    if (typeof n === 'number' && n > 0)
      this.emit({ kind: 'client-send', t: this.world.now, loop: -1, client: this.id, bytes: n });
    return n;
  }

  /** Receives up to `max` bytes; `completes` says whether they finish a reply (for latency). */
  recv(peer: SimPeer, max: number, completes = false): Uint8Array | null | string {
    const r = peer.recv(max);
    if (r instanceof Uint8Array && r.length > 0) {
      const latencyNs = completes && this.requestAt >= 0 ? this.world.now - this.requestAt : -1;
      this.emit({
        kind: 'client-recv',
        t: this.world.now,
        loop: -1,
        client: this.id,
        bytes: r.length,
        latencyNs,
      });
    }
    return r;
  }

  /** Compares what arrived with what was expected; traces `client-verify`; returns mismatches. */
  verify(got: Uint8Array, want: Uint8Array): number {
    const common = Math.min(got.length, want.length);
    let mismatches = Math.abs(got.length - want.length);
    let first = -1;
    for (let i = 0; i < common; i++) {
      if (got[i] !== want[i]) {
        mismatches++;
        if (first < 0) first = i;
      }
    }
    const detail =
      mismatches === 0
        ? null
        : `got ${got.length} of ${want.length} bytes` + (first >= 0 ? `; first wrong byte at ${first}` : '');
    this.emit({
      kind: 'client-verify',
      t: this.world.now,
      loop: -1,
      client: this.id,
      bytes: got.length,
      mismatches,
      detail,
    });
    return mismatches;
  }

  /** Closes `peer` (if given) and traces `client-close`. */
  close(peer: SimPeer | null, error: string | null = null): void {
    peer?.close();
    this.closed(error);
  }

  private closed(error: string | null): void {
    this.emit({ kind: 'client-close', t: this.world.now, loop: -1, client: this.id, error });
  }
}

/** Sends all of `bytes`, waiting for space; returns null or the error that stopped it. */
export function* sendAll(c: Client, peer: SimPeer, bytes: Uint8Array): Script<string | null> {
  let off = 0;
  while (off < bytes.length) {
    const n = c.send(peer, bytes.subarray(off));
    if (typeof n === 'string') return n;
    off += n;
    if (off < bytes.length) yield { writable: peer };
  }
  return null;
}

/** What a receiving script got: the bytes, and how the stream ended early (null if it did not). */
export interface Received {
  bytes: Uint8Array;
  end: 'eof' | string | null;
}

/**
 * Receives until `want` bytes arrived (or end of stream / error when `want` is Infinity),
 * at most `chunk` bytes per recv; `gapNs` > 0 sleeps between reads (a slow reader).
 */
export function* recvBytes(
  c: Client,
  peer: SimPeer,
  want: number,
  chunk = 65536,
  gapNs = 0,
): Script<Received> {
  const parts: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    if (got >= want) break;
    if (peer.available === 0 && !peer.eof && !peer.wasReset) {
      yield { readable: peer };
      continue;
    }
    const r = c.recv(peer, Math.min(chunk, want - got), got + Math.min(chunk, peer.available) >= want);
    if (r === null) return { bytes: concat(parts, got), end: 'eof' };
    if (typeof r === 'string') return { bytes: concat(parts, got), end: r };
    parts.push(r.slice());
    got += r.length;
    if (gapNs > 0 && got < want) yield { sleep: gapNs };
  }
  return { bytes: concat(parts, got), end: null };
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
