/** Process membership from clone/fork lines: separate fd tables, shared ones for threads. */
import { describe, expect, it } from 'vitest';
import { EV } from '../../src/index';
import { importChecked, ofKind } from './helpers';

describe('processes', () => {
  const LOG = [
    '1 00:00:00.000001 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 2',
    '1 00:00:00.000002 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 3',
    '3 00:00:00.000003 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 4',
    '2 00:00:00.000010 epoll_create(128) = 5',
    '3 00:00:00.000011 epoll_create(128) = 5',
    '2 00:00:00.000012 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLEXCLUSIVE, data={u32=1, u64=1}}) = 0',
    '3 00:00:00.000013 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLEXCLUSIVE, data={u32=1, u64=1}}) = 0',
    '2 00:00:00.000020 epoll_wait(5, [{events=EPOLLIN, data={u32=1, u64=1}}], 512, -1) = 1',
    '2 00:00:00.000021 accept4(4, NULL, NULL, SOCK_NONBLOCK) = 7',
    '4 00:00:00.000022 epoll_wait(5, [{events=EPOLLIN, data={u32=1, u64=1}}], 512, -1) = 1',
    '4 00:00:00.000023 accept4(4, NULL, NULL, SOCK_NONBLOCK) = 7',
    '4 00:00:00.000024 epoll_ctl(5, EPOLL_CTL_ADD, 7, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, data={u32=2, u64=2}}) = 0',
    '2 00:00:00.000025 epoll_ctl(5, EPOLL_CTL_ADD, 7, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, data={u32=2, u64=2}}) = 0',
  ].join('\n');

  it('keeps forked processes apart (same epfd and conn fd numbers) and threads together', () => {
    const r = importChecked(LOG);
    expect(ofKind(r.events, 'loop-start').map((e) => [e.loop, e.epfd, e.thread])).toEqual([
      [0, 5, 2],
      [1, 5, 3],
    ]);
    // Thread 4 of process 3 waits on process 3's epfd 5; each process's first conn on fd 7 is gen 1.
    expect(ofKind(r.events, 'accept').map((e) => [e.loop, e.fd, e.gen])).toEqual([
      [0, 7, 1],
      [1, 7, 1],
    ]);
    expect(ofKind(r.events, 'wait-return').map((e) => [e.loop, e.ready])).toEqual([
      [0, [4, EV.IN]],
      [1, [4, EV.IN]],
    ]);
    expect(ofKind(r.events, 'listener').map((e) => [e.loop, e.fd])).toEqual([
      [0, 4],
      [1, 4],
    ]);
  });
});
