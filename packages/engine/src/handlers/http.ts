/**
 * A minimal HTTP/1.1 "hello" server, evio's http example: pipelined requests are buffered with
 * InputStream and answered in order in one output, keep-alive by default (HTTP/1.0 and
 * `Connection: close` close after the reply), request bodies skipped by Content-Length.
 * Works with curl and wrk. Browser-safe: TextEncoder/TextDecoder only.
 *
 * Params: `{ body?: string }` (default "Hello World!\r\n").
 */
import { Action, type Conn, type Events, InputStream } from '../core/api';

export interface HttpParams {
  body?: string;
}

/** One parsed request head. */
export interface HttpRequest {
  method: string;
  path: string;
  version: string;
  headers: Map<string, string>;
  /** Bytes of head plus body. */
  length: number;
}

/** A parse result: a request, "need more bytes", or a protocol error. */
export type ParseResult = HttpRequest | 'incomplete' | { error: string };

const MAX_HEAD = 64 * 1024;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function headEnd(buf: Uint8Array): number {
  for (let i = 3; i < buf.length; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i + 1;
  }
  return -1;
}

/** Parses the request at the start of `buf`. */
export function parseRequest(buf: Uint8Array): ParseResult {
  const end = headEnd(buf);
  if (end < 0) return buf.length > MAX_HEAD ? { error: 'request head too large' } : 'incomplete';
  const lines = decoder.decode(buf.subarray(0, end - 4)).split('\r\n');
  const [method, path, version, extra] = (lines[0] ?? '').split(' ');
  if (!method || !path || !version?.startsWith('HTTP/1.') || extra !== undefined) {
    return { error: `bad request line "${lines[0]}"` };
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { error: `bad header line "${line}"` };
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const cl = headers.get('content-length') ?? '0';
  if (!/^\d+$/.test(cl)) return { error: `bad content-length "${cl}"` };
  const length = end + Number(cl);
  if (buf.length < length) return 'incomplete';
  return { method, path, version, headers, length };
}

/** Whether the connection stays open after answering `req`. */
export function keepAlive(req: HttpRequest): boolean {
  const conn = req.headers.get('connection')?.toLowerCase();
  return req.version === 'HTTP/1.0' ? conn === 'keep-alive' : conn !== 'close';
}

function response(status: string, body: string, close: boolean): string {
  const size = encoder.encode(body).length;
  const conn = close ? 'Connection: close\r\n' : '';
  return `HTTP/1.1 ${status}\r\nServer: loopscope\r\nContent-Type: text/plain\r\nContent-Length: ${size}\r\n${conn}\r\n${body}`;
}

export default function http(params?: HttpParams): Events {
  const body = params?.body ?? 'Hello World!\r\n';
  const streams = new WeakMap<Conn, InputStream>();
  return {
    opened: (c) => {
      streams.set(c, new InputStream());
    },
    data: (c, input) => {
      if (!input) return;
      const is = streams.get(c) ?? new InputStream();
      streams.set(c, is);
      let data = is.begin(input);
      let out = '';
      let action = Action.None;
      while (data.length > 0) {
        const req = parseRequest(data);
        if (req === 'incomplete') break;
        if ('error' in req) {
          out += response('400 Bad Request', `${req.error}\r\n`, true);
          action = Action.Close;
          data = data.subarray(data.length);
          break;
        }
        const close = !keepAlive(req);
        out += response('200 OK', body, close);
        data = data.subarray(req.length);
        if (close) {
          action = Action.Close;
          data = data.subarray(data.length);
          break;
        }
      }
      is.end(data);
      return { out: out === '' ? null : out, action };
    },
  };
}
