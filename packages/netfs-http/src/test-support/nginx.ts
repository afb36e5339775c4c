/**
 * Debian's nginx on a loopback port, configured from scratch in a temporary prefix, so that the
 * HTTP client can be checked against a server it was not written alongside. For tests only.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The nginx binary: on PATH, or where Debian puts it (outside a non-root PATH). */
export function findNginx(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, 'nginx')).find((p) => p !== 'nginx' && existsSync(p));
}

/** A running nginx serving `files` from its document root. */
export class NginxServer {
  readonly origin: string;
  readonly #child: ChildProcess;
  readonly #prefix: string;
  #exited: Promise<void>;

  private constructor(origin: string, child: ChildProcess, prefix: string, exited: Promise<void>) {
    this.origin = origin;
    this.#child = child;
    this.#prefix = prefix;
    this.#exited = exited;
  }

  /**
   * Writes a config into a temporary prefix and starts nginx in the foreground on 127.0.0.1.
   * `locations` are added to the server block as they are (e.g. a `location /slow/ { limit_rate
   * 1m; }`); files may be in subdirectories (`slow/big.bin`).
   */
  static async start(
    binary: string,
    files: Record<string, Uint8Array>,
    locations = '',
  ): Promise<NginxServer> {
    const prefix = await mkdtemp(join(tmpdir(), 'netfs-nginx-'));
    const www = join(prefix, 'www');
    await mkdir(www);
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(www, name)), { recursive: true });
      await writeFile(join(www, name), bytes);
    }
    const port = await freePort();
    await writeFile(join(prefix, 'nginx.conf'), config(prefix, port, compiledOut(binary), locations));
    // -e: Debian's compiled-in error log is under /var/log, which a test must not need.
    const child = spawn(
      binary,
      ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const server = new NginxServer(`http://127.0.0.1:${port}`, child, prefix, exited);
    try {
      await waitForPort(port, child, 5000);
    } catch (err) {
      const log = await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '');
      await server.stop();
      throw new Error(`nginx did not start: ${(err as Error).message}\n${stderr}${log}`);
    }
    return server;
  }

  /** The URL of a file in the document root. */
  url(name: string): string {
    return `${this.origin}/${name}`;
  }

  /** Where a file of the document root is on disk (to change it under nginx). */
  path(name: string): string {
    return join(this.#prefix, 'www', name);
  }

  /** Every request answered so far: method, path, status and body bytes sent. */
  async requests(): Promise<{ method: string; path: string; status: number; bytes: number }[]> {
    const text = await readFile(join(this.#prefix, 'access.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [method, path, status, bytes] = line.split(' ');
        return { method: method!, path: path!, status: Number(status), bytes: Number(bytes) };
      });
  }

  /** Stops nginx, waits for it to exit, and removes its prefix. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    await this.#exited;
    await rm(this.#prefix, { recursive: true, force: true });
  }
}

/** Modules this build left out, whose temp-path directives would be unknown to it. */
function compiledOut(binary: string): Set<string> {
  const v = spawnSync(binary, ['-V'], { encoding: 'utf8' });
  const text = `${v.stdout ?? ''}${v.stderr ?? ''}`;
  return new Set([...text.matchAll(/--without-http_(\w+)_module/g)].map((m) => m[1]!));
}

/** A minimal single-process config: every path inside the prefix, nothing from /etc or /var. */
function config(prefix: string, port: number, without: Set<string>, locations: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((m) => m === 'client_body' || !without.has(m))
    .map((m) => `  ${m}_temp_path ${join(prefix, `${m}_temp`)};`)
    .join('\n');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 64; }
http {
  log_format counts '$request_method $uri $status $body_bytes_sent';
  access_log ${join(prefix, 'access.log')} counts;
${temp}
  default_type application/octet-stream;
  etag on;
  server {
    listen 127.0.0.1:${port};
    root ${join(prefix, 'www')};
${locations}
  }
}
`;
}

/** A port free a moment ago (nginx needs a number in its config, not port 0). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Resolves once the port accepts connections; rejects if nginx exits or the time runs out. */
async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} not listening after ${ms} ms`);
}
