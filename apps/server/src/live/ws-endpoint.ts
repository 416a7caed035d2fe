/**
 * The websocket at `/ws`: checks Host and Origin before the handshake, caps message size, and
 * turns each validated `ClientMessage` into a hub or run action. A bad message gets an `error`
 * reply; the connection and the server go on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientMessage } from '@loopscope/trace';
import { type RawData, WebSocketServer } from 'ws';
import type { AccessGuard } from '../http/guard';
import { NoRunError, RunBusyError, RunFailedError } from '../runs/run-errors';
import type { RunManager } from '../runs/run-manager';
import { RunRequestError } from '../runs/run-request';
import { isProblem, parseClientMessage } from './client-messages';
import type { LiveHub } from './hub';
import type { LiveClient } from './live-client';

const STATUS_TEXT: Record<number, string> = {
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Largest accepted websocket message: control messages are tiny. */
export const WS_MAX_PAYLOAD = 64 * 1024;

export class WsEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });

  constructor(
    private readonly hub: LiveHub,
    private readonly runs: RunManager,
    private readonly guard: AccessGuard,
  ) {}

  /** Handles an HTTP upgrade request (the server's `upgrade` event). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refusal =
      path !== '/ws' ? { status: 404, text: `no websocket at ${path}: use /ws` } : this.refusal(req);
    if (refusal) {
      socket.end(
        `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? 'Error'}\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${refusal.text}\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client = this.hub.add(ws);
      ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
      ws.on('close', () => this.hub.remove(client));
      // An oversized frame or a protocol error closes this socket only (ws closes with 1009/1002).
      ws.on('error', () => this.hub.remove(client));
    });
  }

  /** Closes every websocket. */
  close(): void {
    this.hub.close();
    this.wss.close();
  }

  private refusal(req: IncomingMessage): { status: number; text: string } | null {
    const why = this.guard.checkHost(req) ?? this.guard.checkOrigin(req, !this.guard.allowsMissingOrigin);
    if (why) return { status: 403, text: why };
    if (this.hub.full)
      return { status: 503, text: `too many tabs: at most ${this.hub.limits.maxClients} at once` };
    return null;
  }

  private onMessage(client: LiveClient, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      client.send({
        type: 'error',
        code: 'bad-message',
        message: 'send JSON text frames, not binary',
        replyTo: null,
      });
      return;
    }
    const msg = parseClientMessage(rawText(data));
    if (isProblem(msg)) {
      client.send({ type: 'error', code: msg.code, message: msg.message, replyTo: msg.replyTo });
      return;
    }
    this.act(client, msg).catch((err: unknown) => {
      const [code, message] = describe(err);
      client.send({ type: 'error', code, message, replyTo: msg.id ?? null });
    });
  }

  private async act(client: LiveClient, msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'start': {
        const { type: _type, id: _id, ...request } = msg;
        await this.runs.start(request);
        return;
      }
      case 'stop':
        await this.runs.stop();
        return;
      case 'resume': {
        const problem = this.hub.resume(client, msg.runId, msg.from);
        if (problem)
          client.send({ type: 'error', code: 'unknown-run', message: problem, replyTo: msg.id ?? null });
        return;
      }
      case 'ping': {
        const snap = this.runs.snapshot();
        if (snap) client.send({ type: 'run', run: { ...snap.run }, header: snap.header });
        return;
      }
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function describe(err: unknown): [string, string] {
  if (err instanceof RunRequestError) return ['bad-params', err.message];
  if (err instanceof RunBusyError || err instanceof NoRunError || err instanceof RunFailedError) {
    return [err.code, err.message];
  }
  return ['internal', err instanceof Error ? err.message : String(err)];
}
