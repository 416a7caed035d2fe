import { describe, expect, it } from 'vitest';
import { Action, type Conn, type DataResult } from '../../src/core/api';
import echo from '../../src/handlers/echo';
import http, { keepAlive, parseRequest } from '../../src/handlers/http';
import redis, { execute, parseCommand } from '../../src/handlers/redis';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | string | null | undefined) =>
  typeof b === 'string' ? b : b ? new TextDecoder().decode(b) : '';
const conn = (): Conn =>
  ({
    context: null,
    addrIndex: 0,
    localAddr: 'l',
    remoteAddr: 'r',
    fd: 7,
    loopIndex: 0,
    wake() {},
    busy() {},
  }) as Conn;

describe('echo handler', () => {
  it('echoes and greets when asked', () => {
    const ev = echo({ greeting: 'hi' });
    const c = conn();
    expect(ev.opened?.(c)).toEqual({ out: 'hi' });
    expect((ev.data!(c, enc('x')) as DataResult).out).toEqual(enc('x'));
    expect(echo().opened).toBeUndefined();
    expect(echo({ reuseInputBuffer: true }).opened?.(c)).toEqual({ opts: { reuseInputBuffer: true } });
  });
});

describe('HTTP parser and handler', () => {
  const get = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

  it('parses a request, waits for the rest, and rejects garbage', () => {
    const r = parseRequest(enc(get));
    expect(r).toMatchObject({ method: 'GET', path: '/', version: 'HTTP/1.1', length: get.length });
    expect(parseRequest(enc(get.slice(0, 10)))).toBe('incomplete');
    expect(parseRequest(enc('POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nab'))).toBe('incomplete');
    const post = 'POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde';
    expect(parseRequest(enc(`${post}GET`))).toMatchObject({ method: 'POST', length: post.length });
    expect(parseRequest(enc('NONSENSE\r\n\r\n'))).toEqual({ error: 'bad request line "NONSENSE"' });
    expect(parseRequest(enc('GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n'))).toEqual({
      error: 'bad content-length "x"',
    });
  });

  it('knows keep-alive rules of 1.0 and 1.1', () => {
    const req = (v: string, h: string) =>
      parseRequest(enc(`GET / ${v}\r\n${h}\r\n`)) as Parameters<typeof keepAlive>[0];
    expect(keepAlive(req('HTTP/1.1', ''))).toBe(true);
    expect(keepAlive(req('HTTP/1.1', 'Connection: close\r\n'))).toBe(false);
    expect(keepAlive(req('HTTP/1.0', ''))).toBe(false);
    expect(keepAlive(req('HTTP/1.0', 'Connection: keep-alive\r\n'))).toBe(true);
  });

  it('answers pipelined requests in order, split anywhere, and closes on Connection: close', () => {
    const ev = http({ body: 'hey' });
    const c = conn();
    ev.opened?.(c);
    const all = get + get + 'GET /x HTTP/1.1\r\nConnection: close\r\n\r\n';
    const r1 = ev.data!(c, enc(all.slice(0, 20))) as DataResult;
    expect(r1.out).toBeNull();
    const r2 = ev.data!(c, enc(all.slice(20))) as DataResult;
    const text = dec(r2.out);
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(text.endsWith('Connection: close\r\n\r\nhey')).toBe(true);
    expect(text).toContain('Content-Length: 3\r\n');
    expect(r2.action).toBe(Action.Close);
    const bad = ev.data!(conn(), enc('BAD\r\n\r\n')) as DataResult;
    expect(dec(bad.out)).toContain('400 Bad Request');
    expect(bad.action).toBe(Action.Close);
  });
});

describe('RESP parser and redis handler', () => {
  it('parses arrays, inline commands and partial input', () => {
    const cmd = parseCommand(enc('*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n'));
    expect(cmd).not.toBe('incomplete');
    const ok = cmd as { args: Uint8Array[]; next: number };
    expect(ok.args.map(dec)).toEqual(['ECHO', 'a\r\n']);
    expect(ok.next).toBe(23);
    expect(parseCommand(enc('*2\r\n$4\r\nECHO\r\n$3\r\na'))).toBe('incomplete');
    expect(parseCommand(enc('*1\r\n'))).toBe('incomplete');
    const inline = parseCommand(enc('PING hello\r\nPING'));
    expect((inline as { args: Uint8Array[] }).args.map(dec)).toEqual(['PING', 'hello']);
    expect(parseCommand(enc('PING'))).toBe('incomplete');
    expect(parseCommand(enc('*x\r\n'))).toEqual({ error: 'Protocol error: invalid multibulk length' });
    expect(parseCommand(enc('*1\r\n+x\r\n'))).toEqual({ error: "Protocol error: expected '$'" });
  });

  it('runs PING, ECHO, SET, GET, DEL, QUIT and rejects the rest', () => {
    const store = new Map<string, Uint8Array>();
    const run = (...a: string[]) => {
      const r = execute(store, a.map(enc));
      return [r.out.map(dec).join(''), r.quit];
    };
    expect(run('ping')).toEqual(['+PONG\r\n', false]);
    expect(run('PING', 'x')).toEqual(['$1\r\nx\r\n', false]);
    expect(run('ECHO', 'hi')).toEqual(['$2\r\nhi\r\n', false]);
    expect(run('SET', 'k', 'v')).toEqual(['+OK\r\n', false]);
    expect(run('GET', 'k')).toEqual(['$1\r\nv\r\n', false]);
    expect(run('DEL', 'k', 'nope')).toEqual([':1\r\n', false]);
    expect(run('GET', 'k')).toEqual(['$-1\r\n', false]);
    expect(run('GET')).toEqual(["-ERR wrong number of arguments for 'get' command\r\n", false]);
    expect(run('FLUSHALL')).toEqual(["-ERR unknown command 'flushall'\r\n", false]);
    expect(run('QUIT')).toEqual(['+OK\r\n', true]);
  });

  it('answers a pipeline across packets in one reply', () => {
    const ev = redis();
    const c = conn();
    const wire = '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$2\r\nbb\r\nGET a\r\n*1\r\n$4\r\nPING\r\n';
    const r1 = ev.data!(c, enc(wire.slice(0, 17))) as DataResult;
    expect(r1.out).toBeNull();
    const r2 = ev.data!(c, enc(wire.slice(17))) as DataResult;
    expect(dec(r2.out)).toBe('+OK\r\n$2\r\nbb\r\n+PONG\r\n');
    const q = ev.data!(c, enc('QUIT\r\nPING\r\n')) as DataResult;
    expect(dec(q.out)).toBe('+OK\r\n');
    expect(q.action).toBe(Action.Close);
  });
});
