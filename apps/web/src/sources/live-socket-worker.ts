/**
 * The live websocket, off the page's thread: receiving the text messages alone cost the page's
 * thread about a tenth of a core at 20,000 events/s. The page sends `connect`, `send` and
 * `close`; the worker answers `open`, each message's text, and `close`. The page parses the
 * text: a string crosses to the page as one copy, parsed objects would cost as much to copy as
 * to parse.
 */
import type { SocketCommand, SocketReport } from './live-socket';

interface WorkerScope {
  onmessage: ((e: MessageEvent<SocketCommand>) => void) | null;
  postMessage(message: SocketReport): void;
}

const scope = self as unknown as WorkerScope;
let ws: WebSocket | null = null;

scope.onmessage = (e) => {
  const c = e.data;
  switch (c.type) {
    case 'connect': {
      let socket: WebSocket;
      try {
        socket = new WebSocket(c.url);
      } catch (err) {
        scope.postMessage({ type: 'close', error: err instanceof Error ? err.message : String(err) });
        return;
      }
      ws = socket;
      socket.onopen = () => scope.postMessage({ type: 'open' });
      socket.onmessage = (m) => {
        if (typeof m.data === 'string') scope.postMessage({ type: 'message', text: m.data });
      };
      socket.onclose = () => {
        if (ws === socket) ws = null;
        scope.postMessage({ type: 'close', error: null });
      };
      return;
    }
    case 'send':
      if (ws?.readyState === WebSocket.OPEN) ws.send(c.text);
      return;
    case 'close':
      ws?.close();
      return;
  }
};
