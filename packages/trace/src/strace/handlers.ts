/** Which handler turns which syscall into events. */

import { epollCreate, epollCtl, epollWait } from './calls-epoll';
import { accept, cloneCall, close, readOrWrite, sysCall } from './calls-io';
import type { Call, Model } from './model';

/** Syscall name -> handler (a Map: names come from the log, e.g. `__proto__(`). */
export const HANDLERS = new Map<string, (m: Model, c: Call) => void>(
  Object.entries({
    epoll_create: epollCreate,
    epoll_create1: epollCreate,
    epoll_ctl: epollCtl,
    epoll_wait: epollWait,
    epoll_pwait: epollWait,
    epoll_pwait2: epollWait,
    accept,
    accept4: accept,
    read: readOrWrite,
    readv: readOrWrite,
    recv: readOrWrite,
    recvfrom: readOrWrite,
    write: readOrWrite,
    writev: readOrWrite,
    send: readOrWrite,
    sendto: readOrWrite,
    close,
    clone: cloneCall,
    clone3: cloneCall,
    fork: cloneCall,
    vfork: cloneCall,
  }),
);
for (const name of [
  'fcntl',
  'eventfd',
  'eventfd2',
  'shutdown',
  'dup',
  'dup2',
  'dup3',
  'socket',
  'bind',
  'listen',
  'connect',
  'setsockopt',
  'getsockopt',
  'getsockname',
  'getpeername',
]) {
  HANDLERS.set(name, sysCall);
}
