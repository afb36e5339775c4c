/**
 * https: through an HTTP proxy: a keep-alive https agent whose connections are CONNECT tunnels
 * through the proxy, with TLS to the server inside them, so the proxy sees only the host and
 * port. The proxy's own failures become RemoteErrors that name the proxy, not the server.
 */
import type { Duplex } from 'node:stream';
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { CodedError } from '@armvm/fscache';
import { RemoteError, type RemoteErrorCode } from './errors.ts';
import type { Proxy } from './proxy-env.ts';

/** A failure of the proxy itself; the client turns it into a RemoteError for the URL asked for. */
export class ProxyFailure extends CodedError<RemoteErrorCode> {
  readonly status: number | undefined;
  constructor(code: RemoteErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, message, { cause: options?.cause });
    this.status = options?.status;
  }

  /** The RemoteError of a request for `url` that failed this way. */
  toRemoteError(url: string): RemoteError {
    return new RemoteError(this.code, url, this.message, {
      ...(this.status !== undefined ? { status: this.status } : {}),
      cause: this.cause ?? this,
    });
  }
}

/** A failure to reach the proxy, said as such; null when `err` is not about reaching it. */
export function proxyError(proxy: Proxy, err: NodeJS.ErrnoException): ProxyFailure | null {
  const at = `proxy ${proxy.href}`;
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ProxyFailure('ERR_NETFS_PROXY_NOT_FOUND', `${at}: host ${proxy.host} not found`, {
        cause: err,
      });
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProxyFailure(err.code, `${at}: cannot connect`, { cause: err });
    default:
      return null;
  }
}

/** An https agent that reaches every server through `proxy` with CONNECT. */
export class TunnelAgent extends HttpsAgent {
  readonly #proxy: Proxy;
  readonly #timeoutMs: number;

  constructor(proxy: Proxy, timeoutMs: number, options: AgentOptions) {
    super(options);
    this.#proxy = proxy;
    this.#timeoutMs = timeoutMs;
  }

  // Node's Agent takes the socket from the callback when this returns nothing.
  override createConnection(
    options: ConnectionOptions,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex {
    const done = callback ?? (() => {});
    const host = options.host ?? 'localhost';
    const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`;
    const connect = httpRequest({
      host: this.#proxy.host,
      port: this.#proxy.port,
      method: 'CONNECT',
      path: authority,
      headers: {
        host: authority,
        ...(this.#proxy.authorization ? { 'proxy-authorization': this.#proxy.authorization } : {}),
      },
      agent: false,
    });
    let answered = false;
    const fail = (err: Error) => {
      if (answered) return;
      answered = true;
      connect.destroy();
      done(err, undefined as unknown as Duplex);
    };
    connect.setTimeout(this.#timeoutMs, () =>
      fail(
        new ProxyFailure(
          'ETIMEDOUT',
          `proxy ${this.#proxy.href}: no answer to CONNECT for ${this.#timeoutMs} ms`,
        ),
      ),
    );
    connect.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        proxyError(this.#proxy, err) ??
          new ProxyFailure('ECONNRESET', `proxy ${this.#proxy.href}: ${err.message}`),
      ),
    );
    connect.once('response', (res) => {
      // A proxy that answers CONNECT with an ordinary response refuses the tunnel.
      res.resume();
      fail(tunnelRefused(this.#proxy, res.statusCode ?? 0));
    });
    connect.once('connect', (res, socket, head) => {
      if (answered) return socket.destroy();
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        socket.destroy();
        return fail(tunnelRefused(this.#proxy, status));
      }
      answered = true;
      connect.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      // The tunnel is the server's TCP connection: TLS over it checks the server's name as usual.
      const tls = tlsConnect({ ...options, socket });
      done(null, tls);
    });
    connect.end();
    return undefined as unknown as Duplex;
  }
}

function tunnelRefused(proxy: Proxy, status: number): ProxyFailure {
  const why = status === 407 ? ' (proxy authentication required)' : '';
  return new ProxyFailure(
    'ERR_NETFS_PROXY_TUNNEL',
    `proxy ${proxy.href} refused the tunnel: CONNECT answered ${status}${why}`,
    { status },
  );
}
