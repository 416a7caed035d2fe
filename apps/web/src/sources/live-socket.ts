/**
 * The live source's websocket: in a worker (./live-socket-worker.ts) that receives the server's
 * messages and hands their text to the page; or, where no worker can run, a plain websocket in
 * the page. Either way the page parses each message once.
 */
import type { ServerMessage } from '@loopscope/trace';

/** Page -> worker. */
export type SocketCommand =
  | { type: 'connect'; url: string }
  | { type: 'send'; text: string }
  | { type: 'close' };

/** Worker -> page. `close` also reports a socket that could not be opened (`error`). */
export type SocketReport =
  | { type: 'open' }
  | { type: 'message'; text: string }
  | { type: 'close'; error: string | null };

export interface SocketHandlers {
  open(): void;
  message(msg: ServerMessage): void;
  /** The socket closed, or never opened (`error` says why, when known). */
  close(error: string | null): void;
}

export interface LiveSocket {
  readonly isOpen: boolean;
  /** Sends a text message; false when the socket is not open. */
  send(text: string): boolean;
  /** Closes the socket; no handler is called after this. */
  close(): void;
}

/** A server message, or null for text that is not JSON (ignored, as the server never sends it). */
function parse(text: string): ServerMessage | null {
  try {
    return JSON.parse(text) as ServerMessage;
  } catch {
    return null;
  }
}

/** A websocket in the page. */
function pageSocket(url: string, h: SocketHandlers): LiveSocket {
  let closed = false;
  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch (err) {
    queueMicrotask(() => h.close(err instanceof Error ? err.message : String(err)));
    return { isOpen: false, send: () => false, close: () => {} };
  }
  ws.onopen = () => {
    if (!closed) h.open();
  };
  ws.onmessage = (e) => {
    if (closed || typeof e.data !== 'string') return;
    const msg = parse(e.data);
    if (msg) h.message(msg);
  };
  ws.onclose = () => {
    if (!closed) h.close(null);
  };
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    send(text) {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(text);
      return true;
    },
    close() {
      closed = true;
      ws.close();
    },
  };
}

/** A websocket in a worker; falls back to `pageSocket` if the worker cannot start. */
function workerSocket(url: string, h: SocketHandlers): LiveSocket | null {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./live-socket-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
  let open = false;
  let closed = false;
  /** The page socket used when the worker failed to load. */
  let fallback: LiveSocket | null = null;
  const post = (c: SocketCommand) => worker.postMessage(c);
  worker.onmessage = (e: MessageEvent<SocketReport>) => {
    if (closed) return;
    const r = e.data;
    if (r.type === 'open') {
      open = true;
      h.open();
    } else if (r.type === 'message') {
      const msg = parse(r.text);
      if (msg) h.message(msg);
    } else {
      open = false;
      closed = true;
      worker.terminate();
      h.close(r.error);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    if (closed || fallback) return;
    worker.terminate();
    fallback = pageSocket(url, h);
  };
  post({ type: 'connect', url });
  return {
    get isOpen() {
      return fallback ? fallback.isOpen : open;
    },
    send(text) {
      if (fallback) return fallback.send(text);
      if (!open) return false;
      post({ type: 'send', text });
      return true;
    },
    close() {
      closed = true;
      if (fallback) fallback.close();
      post({ type: 'close' });
      // The worker's socket gets its close frame out before the worker goes.
      setTimeout(() => worker.terminate(), 1000);
    },
  };
}

/** Opens the live websocket at `url`, in a worker where one can run. */
export function openLiveSocket(url: string, h: SocketHandlers): LiveSocket {
  return (typeof Worker !== 'undefined' ? workerSocket(url, h) : null) ?? pageSocket(url, h);
}
