/**
 * `struct epoll_event`, described once.
 *
 * ```c
 * struct epoll_event { uint32_t events; epoll_data_t data; }  // data: a union of 64 bits
 * ```
 * On x86_64 the kernel declares it `__attribute__((packed))`: 12 bytes, `events` at 0, `data` at
 * 4. On arm64 (and every other 64-bit arch) it is naturally aligned: 16 bytes, `data` at 8.
 * A plain `koffi.struct` would give 16 on x86_64, which is wrong, so the layout is written here by
 * hand and the event buffer is a raw Buffer decoded in place (little-endian on both arches).
 * The loop stores the fd in the low 32 bits of `data`.
 */
import { arch } from 'node:os';

/** The layout of `struct epoll_event` on one architecture. */
export interface EpollAbi {
  size: number;
  eventsOffset: number;
  dataOffset: number;
}

/** The layout for an architecture name as `os.arch()` spells it. */
export function epollAbiFor(archName: string): EpollAbi {
  if (archName === 'x64') return { size: 12, eventsOffset: 0, dataOffset: 4 };
  if (archName === 'arm64' || archName === 'riscv64' || archName === 'ppc64' || archName === 's390x') {
    return { size: 16, eventsOffset: 0, dataOffset: 8 };
  }
  throw new Error(`epoll_event layout unknown for architecture "${archName}"`);
}

/** The layout for the running process. */
export const EPOLL_ABI: EpollAbi = epollAbiFor(arch());

/** A buffer of `capacity` events, allocated once per loop. */
export function allocEvents(capacity: number): Buffer {
  return Buffer.alloc(capacity * EPOLL_ABI.size);
}

/** Writes one event (mask + fd as data) at index 0 of `buf`, for `epoll_ctl`. */
export function encodeEvent(buf: Buffer, mask: number, fd: number): void {
  buf.writeUInt32LE(mask >>> 0, EPOLL_ABI.eventsOffset);
  buf.writeInt32LE(fd, EPOLL_ABI.dataOffset);
  buf.writeInt32LE(0, EPOLL_ABI.dataOffset + 4);
}

/** Decodes `n` events of `buf` into `fds`/`masks` (in kernel order), without allocating. */
export function decodeEvents(buf: Buffer, n: number, fds: Int32Array, masks: Uint32Array): void {
  const { size, eventsOffset, dataOffset } = EPOLL_ABI;
  for (let i = 0, o = 0; i < n; i++, o += size) {
    masks[i] = buf.readUInt32LE(o + eventsOffset);
    fds[i] = buf.readInt32LE(o + dataOffset);
  }
}
