/**
 * Who may talk to the server. A web page on another site must not drive the engine or read
 * recordings through the user's browser:
 * - `Host` must name this server (127.0.0.1, localhost or [::1] with its port, or the `--host`
 *   given), which defeats DNS rebinding; a wildcard `--host` (0.0.0.0, ::) accepts any Host.
 * - A websocket or a state-changing request that carries an `Origin` must come from the page's
 *   own origin (`http://` + the Host it asked for, or this server under another of its loopback
 *   names). Browsers always send `Origin` on websockets
 *   and cross-site POSTs, so refusing foreign origins is what stops cross-site use.
 * - A websocket without `Origin` is a program, not a page: allowed while the server listens on
 *   loopback only (any local program can reach the engine's ports anyway), refused otherwise.
 */
import type { IncomingMessage } from 'node:http';

/** Addresses that are this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

export class AccessGuard {
  private readonly hosts: Set<string>;

  constructor(
    private readonly bindHost: string,
    port: number,
  ) {
    const names = ['127.0.0.1', 'localhost', '[::1]'];
    if (!isLoopbackHost(bindHost) && !isWildcard(bindHost)) {
      names.push(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
    }
    this.hosts = new Set(names.map((n) => `${n}:${port}`.toLowerCase()));
  }

  /** Why a request's Host header is refused, or null if it is fine. */
  checkHost(req: IncomingMessage): string | null {
    if (isWildcard(this.bindHost)) return null;
    const host = (req.headers.host ?? '').toLowerCase();
    if (this.hosts.has(host)) return null;
    return `Host "${host.slice(0, 80)}" is not this server (expected one of ${[...this.hosts].join(', ')})`;
  }

  /** Why a request's Origin is refused, or null; `requireOrigin` refuses a missing Origin. */
  checkOrigin(req: IncomingMessage, requireOrigin: boolean): string | null {
    const origin = req.headers.origin;
    if (origin === undefined) {
      return requireOrigin ? 'a request without an Origin header is refused on a non-loopback server' : null;
    }
    const o = origin.toLowerCase();
    const expected = `http://${(req.headers.host ?? '').toLowerCase()}`;
    // The page's own origin, or this server under another of its names (localhost vs 127.0.0.1).
    if (o === expected || (o.startsWith('http://') && this.hosts.has(o.slice(7)))) return null;
    return `Origin "${origin.slice(0, 80)}" is not this page's origin (${expected})`;
  }

  /** Whether a websocket without Origin is accepted (loopback servers only). */
  get allowsMissingOrigin(): boolean {
    return isLoopbackHost(this.bindHost);
  }
}
