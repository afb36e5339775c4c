/**
 * Who is using a cache directory. Every process that opens it listens on a Unix socket in
 * `<dir>/users/`, named by a random id; another process asks whether that id is alive by
 * connecting to the socket. The kernel closes a listener when its process dies, however it dies,
 * so a dead user answers ECONNREFUSED at once and nothing stale is ever trusted.
 *
 * A path socket (unlike an abstract one) is a file on the cache's own file system: it is seen by
 * every process that sees the directory, whatever network namespace it runs in. Connecting only
 * reaches a listener on the same kernel, so each id starts with a tag of the kernel's boot id; a
 * user on another kernel (a host sharing the directory over NFS) cannot be asked that way and
 * counts as alive while it refreshes its socket's mtime, which it does every HEARTBEAT_MS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { lstat, readdir, unlink, utimes } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Clock, realClock, type Timer } from '@armvm/fscache';
import { errnoCode } from './cache-io.ts';

/** How often a user refreshes its socket's mtime, for users on other kernels. */
export const HEARTBEAT_MS = 30_000;
/** A user on another kernel whose socket is older than this is taken for dead. */
export const FOREIGN_LEASE_MS = 5 * 60_000;
// sun_path holds 108 bytes; longer paths go through /proc/self/fd (Linux).
const SUN_PATH_MAX = 100;

/** A tag of this kernel: the boot id on Linux, else the host name. */
export function kernelTag(): string {
  let id = hostname();
  try {
    id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // not Linux: the host name stands in
  }
  return createHash('sha256').update(id).digest('hex').slice(0, 8);
}

/** This process's presence in a cache directory, and the means to ask about others. */
export class Presence {
  /** `<kernel tag>-<random>`: unique across processes, namespaces and hosts. */
  readonly id: string;
  readonly #dir: string;
  readonly #tag: string;
  readonly #server: Server;
  readonly #clock: Clock;
  readonly #heartbeat: Timer;
  #dirFd: number | null;
  #left = false;

  private constructor(
    dir: string,
    id: string,
    tag: string,
    server: Server,
    dirFd: number | null,
    clock: Clock,
  ) {
    this.#dir = dir;
    this.id = id;
    this.#tag = tag;
    this.#server = server;
    this.#dirFd = dirFd;
    this.#clock = clock;
    this.#heartbeat = clock
      .setInterval(() => {
        const now = new Date(clock.now());
        void utimes(join(dir, `${id}.sock`), now, now).catch(() => {});
      }, HEARTBEAT_MS)
      .unref();
  }

  /**
   * Joins the users of `dir` (an existing directory): listens on `<dir>/<id>.sock`. The clock
   * times the heartbeat and judges other kernels' heartbeats.
   */
  static async join(dir: string, tag = kernelTag(), clock: Clock = realClock): Promise<Presence> {
    const id = `${tag}-${randomBytes(8).toString('hex')}`;
    const dirFd = join(dir, 'x').length + 40 > SUN_PATH_MAX ? openSync(dir, 'r') : null;
    const server = createServer((socket) => socket.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath(dir, `${id}.sock`, dirFd), () => resolve());
      });
    } catch (err) {
      if (dirFd !== null) closeSync(dirFd);
      throw err;
    }
    server.unref();
    return new Presence(dir, id, tag, server, dirFd, clock);
  }

  /** True unless `id` is certainly gone: its socket refuses connections, or is missing. */
  async isAlive(id: string): Promise<boolean> {
    if (id === this.id) return !this.#left;
    if (!/^[0-9a-f]{8}-[0-9a-f]{16}$/.test(id)) return false;
    const name = `${id}.sock`;
    if (!id.startsWith(`${this.#tag}-`)) {
      // Another kernel: only the heartbeat can tell.
      const st = await lstat(join(this.#dir, name)).catch(() => null);
      return st !== null && this.#clock.now() - st.mtimeMs < FOREIGN_LEASE_MS;
    }
    return new Promise<boolean>((resolve) => {
      const s = connect(socketPath(this.#dir, name, this.#dirFd));
      const done = (alive: boolean) => {
        s.destroy();
        resolve(alive);
      };
      s.once('connect', () => done(true));
      s.once('error', (err) => {
        const code = errnoCode(err);
        done(!(code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ENOTSOCK'));
      });
    });
  }

  /** The ids of users whose sockets are in the directory and who are gone; their sockets are removed. */
  async sweep(): Promise<string[]> {
    const dead: string[] = [];
    for (const name of await readdir(this.#dir).catch(() => [] as string[])) {
      const m = /^([0-9a-f]{8}-[0-9a-f]{16})\.sock$/.exec(name);
      if (!m || (await this.isAlive(m[1]!))) continue;
      dead.push(m[1]!);
      await unlink(join(this.#dir, name)).catch(() => {});
    }
    return dead;
  }

  /** Stops listening and removes the socket. */
  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    this.#heartbeat.cancel();
    await new Promise<void>((r) => this.#server.close(() => r()));
    await unlink(join(this.#dir, `${this.id}.sock`)).catch(() => {});
    if (this.#dirFd !== null) closeSync(this.#dirFd);
    this.#dirFd = null;
  }
}

// The path to bind or connect to: short enough for sun_path, through an open fd of the directory
// when the real path is not.
function socketPath(dir: string, name: string, dirFd: number | null): string {
  return dirFd === null ? join(dir, name) : `/proc/self/fd/${dirFd}/${name}`;
}
