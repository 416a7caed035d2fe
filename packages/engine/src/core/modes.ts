/**
 * Engine modes: `evio` reproduces evio exactly; every other mode changes one thing and says what.
 * Modes work the same on the real kernel and in the simulator.
 */
export type ModeName =
  | 'evio'
  | 'read-first'
  | 'fixed-wake'
  | 'direct-write'
  | 'reuseport'
  | 'exclusive'
  | 'edge';

export const MODE_NAMES: readonly ModeName[] = [
  'evio',
  'read-first',
  'fixed-wake',
  'direct-write',
  'reuseport',
  'exclusive',
  'edge',
];

/** The switches a mode turns; `evio` turns none. */
export interface ModeFlags {
  /** Dispatch read before write (the order the write-loss claim imagines), evio's loopRead body unchanged. */
  readFirst: boolean;
  /** Wake appends to pending output instead of replacing it. */
  fixedWake: boolean;
  /** Write right after Data; EPOLLOUT only after EAGAIN or a short write; no read while output is pending. */
  directWrite: boolean;
  /** One listener per loop with SO_REUSEPORT: the kernel picks the loop. */
  reuseport: boolean;
  /** EPOLLEXCLUSIVE on the shared listener: the kernel wakes one loop. */
  exclusive: boolean;
  /** EPOLLET: read and write until EAGAIN. */
  edge: boolean;
}

/** What a mode changes, what to look for, and who does it for real. */
export interface ModeInfo {
  name: ModeName;
  flags: ModeFlags;
  changes: string;
  lookFor: string;
  realWorld: string;
}

const none: ModeFlags = {
  readFirst: false,
  fixedWake: false,
  directWrite: false,
  reuseport: false,
  exclusive: false,
  edge: false,
};

export const MODES: Readonly<Record<ModeName, ModeInfo>> = {
  evio: {
    name: 'evio',
    flags: none,
    changes: 'Nothing: evio as it is, warts included.',
    lookFor:
      'Every listener in every loop (the herd), IN|OUT at accept (the idle wake), MOD IN <-> IN|OUT around every reply, the EAGAIN spin, the Wake overwrite.',
    realWorld: 'tidwall/evio on Linux.',
  },
  'read-first': {
    name: 'read-first',
    flags: { ...none, readFirst: true },
    changes: "Reads before writing while output is pending, keeping evio's truncate-and-copy of the output.",
    lookFor: 'The write-loss claim come true: pending output overwritten by the next reply, bytes lost.',
    realWorld: 'No real framework: it is the order the claim imagines.',
  },
  'fixed-wake': {
    name: 'fixed-wake',
    flags: { ...none, fixedWake: true },
    changes: 'Wake appends the output of Data(c, nil) to pending output instead of replacing it.',
    lookFor: 'wake-overwrite loses no byte.',
    realWorld: "What gnet's AsyncWrite and nbio do: append to the conn's write buffer.",
  },
  'direct-write': {
    name: 'direct-write',
    flags: { ...none, directWrite: true },
    changes:
      'Writes right after Data; asks for EPOLLOUT only after EAGAIN or a short write; stops reading while output is pending.',
    lookFor: 'No epoll_ctl around replies: about 2 syscalls per request instead of 6.',
    realWorld: "gnet, nbio, libuv (Node's net).",
  },
  reuseport: {
    name: 'reuseport',
    flags: { ...none, reuseport: true },
    changes: 'One listening socket per loop with SO_REUSEPORT; each loop watches only its own.',
    lookFor: 'One wake-up per accept: the kernel hashes each connection to one loop.',
    realWorld: 'nginx reuseport, gnet with ReusePort.',
  },
  exclusive: {
    name: 'exclusive',
    flags: { ...none, exclusive: true },
    changes: 'Registers the shared listener with EPOLLEXCLUSIVE.',
    lookFor: 'Usually one wake-up per accept instead of one per loop.',
    realWorld: 'nginx (accept_mutex off, EPOLLEXCLUSIVE).',
  },
  edge: {
    name: 'edge',
    flags: { ...none, edge: true },
    changes: 'Registers with EPOLLET and reads/writes until EAGAIN on each event.',
    lookFor: 'Fewer wake-ups, a read that ends in EAGAIN on every event, no EAGAIN spin.',
    realWorld: 'cloudwego/netpoll, many C servers.',
  },
};
