/**
 * Notes from the main thread to one loop thread (shutdown; wake a conn by fd + generation),
 * through a SharedArrayBuffer: a worker busy in its loop never receives `postMessage`.
 *
 * Layout (int32 slots): `STATE` (0 starting, 1 open, 2 closed), `ACTIVE` (main-thread eventfd
 * writes in flight), `WAKE_FD`, `IN_WAIT` (1 while the loop is blocked in epoll_wait), `HEAD`,
 * `TAIL`, then `CAPACITY` notes of three slots (type, fd, gen). One producer (the main thread),
 * one consumer (the loop).
 * The eventfd handshake: the main thread writes to the loop's eventfd only while `STATE` is open
 * and counts itself in `ACTIVE`; the loop sets `STATE` closed and waits for `ACTIVE` to reach 0
 * before closing the eventfd, so a write can never land on a reused fd number.
 */
import type { Note } from '../core/loop-types';
import { libc } from './libc';

const STATE = 0;
const ACTIVE = 1;
const WAKE_FD = 2;
/** Slot set by the loop's kernel around `epoll_wait` (used to merge traces in time order). */
export const IN_WAIT = 3;
const HEAD = 4;
const TAIL = 5;
const HEADER = 8;
const CAPACITY = 4096;
const OPEN = 1;
const CLOSED = 2;
const TYPE_SHUTDOWN = 1;
const TYPE_WAKE = 2;

/** Allocates one loop's note queue. */
export function createNoteQueue(): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER + CAPACITY * 3) * 4);
}

/** The loop thread's side. */
export class NoteConsumer {
  readonly slots: Int32Array;
  constructor(sab: SharedArrayBuffer) {
    this.slots = new Int32Array(sab);
  }

  /** Publishes the loop's eventfd: from now on the main thread may wake the loop. */
  open(wakeFd: number): void {
    Atomics.store(this.slots, WAKE_FD, wakeFd);
    Atomics.store(this.slots, STATE, OPEN);
  }

  /** Stops main-thread eventfd writes and waits for any in flight (before closing the eventfd). */
  close(): void {
    Atomics.store(this.slots, STATE, CLOSED);
    while (Atomics.load(this.slots, ACTIVE) > 0) {
      // A main-thread write is between its state check and its write: a few microseconds.
    }
  }

  /** Every queued note, or null when there is none (the common case: no allocation). */
  take(): Note[] | null {
    const s = this.slots;
    let tail = Atomics.load(s, TAIL);
    const head = Atomics.load(s, HEAD);
    if (tail === head) return null;
    const notes: Note[] = [];
    while (tail !== head) {
      const at = HEADER + tail * 3;
      if (s[at] === TYPE_SHUTDOWN) notes.push({ type: 'shutdown' });
      else notes.push({ type: 'wake', fd: s[at + 1]!, gen: s[at + 2]! });
      tail = (tail + 1) % CAPACITY;
    }
    Atomics.store(s, TAIL, tail);
    return notes;
  }
}

/** The main thread's side. */
export class NoteProducer {
  private readonly slots: Int32Array;
  private readonly one = Buffer.alloc(8);
  /** Notes that found the queue full; sent by the next `flush`. Never dropped. */
  private overflow: Note[] = [];

  constructor(sab: SharedArrayBuffer) {
    this.slots = new Int32Array(sab);
    this.one.writeUInt32LE(1, 0);
  }

  get isOpen(): boolean {
    return Atomics.load(this.slots, STATE) === OPEN;
  }

  get inWait(): boolean {
    return Atomics.load(this.slots, IN_WAIT) === 1;
  }

  /** Queues a note and wakes the loop. Returns false if the loop has closed its eventfd. */
  send(note: Note): boolean {
    this.overflow.push(note);
    return this.flush();
  }

  /** Moves overflowed notes into the queue, then writes the loop's eventfd once. */
  flush(): boolean {
    const s = this.slots;
    while (this.overflow.length > 0) {
      const head = Atomics.load(s, HEAD);
      const next = (head + 1) % CAPACITY;
      if (next === Atomics.load(s, TAIL)) break;
      const note = this.overflow.shift()!;
      const at = HEADER + head * 3;
      s[at] = note.type === 'shutdown' ? TYPE_SHUTDOWN : TYPE_WAKE;
      s[at + 1] = note.type === 'wake' ? note.fd : -1;
      s[at + 2] = note.type === 'wake' ? note.gen : -1;
      Atomics.store(s, HEAD, next);
    }
    Atomics.add(s, ACTIVE, 1);
    try {
      if (Atomics.load(s, STATE) !== OPEN) return false;
      libc.write(Atomics.load(s, WAKE_FD), this.one, 8);
      return true;
    } finally {
      Atomics.sub(s, ACTIVE, 1);
    }
  }
}
