/**
 * A real forward proxy on 127.0.0.1 for tests: absolute-form requests are forwarded to their
 * server, CONNECT opens a TCP tunnel; every request is recorded as the proxy saw it. Knobs make
 * it refuse tunnels or demand credentials.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** One request as the proxy saw it. */
export interface ProxyLogEntry {
  method: string;
  /** The request target: an absolute URL, or `host:port` for CONNECT. */
  target: string;
  host: string | undefined;
  proxyAuthorization: string | undefined;
}

/** The proxy; start it with `TestProxy.start()`, end it with `close()`. */
export class TestProxy {
  readonly log: ProxyLogEntry[] = [];
  /** Answer every CONNECT with this status instead of opening the tunnel. */
  refuseConnect: number | null = null;
  /** Demand this `Proxy-Authorization` value; anything else is answered 407. */
  requireAuthorization: string | null = null;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<TestProxy> {
    const self = new TestProxy(createServer());
    const server = self.#server;
    server.on('connection', (s: Socket) => {
      self.#sockets.add(s);
      s.once('close', () => self.#sockets.delete(s));
    });
    server.on('request', (req, res) => {
      if (!self.#admit(req)) {
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' });
        return res.end();
      }
      const target = new URL(req.url ?? '');
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: target.pathname + target.search,
          headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      if (!self.#admit(req)) {
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
        );
        return;
      }
      if (self.refuseConnect !== null) {
        client.end(`HTTP/1.1 ${self.refuseConnect} Refused\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const [host, port] = splitAuthority(req.url ?? '');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      self.#sockets.add(upstream);
      upstream.once('close', () => self.#sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return self;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  // Records the request and says whether its credentials (if any are demanded) are right.
  #admit(req: IncomingMessage): boolean {
    const auth = req.headers['proxy-authorization'];
    this.log.push({
      method: req.method ?? '',
      target: req.url ?? '',
      host: req.headers.host,
      proxyAuthorization: auth,
    });
    return this.requireAuthorization === null || auth === this.requireAuthorization;
  }
}

// `host:port` or `[v6]:port`.
function splitAuthority(authority: string): [string, string] {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(authority);
  return m ? [m[1]!, m[2]!] : [authority, '443'];
}
