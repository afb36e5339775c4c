import assert from 'node:assert/strict';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { URL } from 'node:url';
import { RemoteError } from './errors.ts';
import { HttpClient, redirectAllowed } from './http-client.ts';
import { TestHttpServer } from './test-support/http-server.ts';

/** 100 KiB of bytes whose value depends on their offset, so any misplaced slice shows. */
const BIG = Buffer.from(Array.from({ length: 100 * 1024 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
const SMALL = Buffer.from('hello, netfs\n');

/** Asserts that `p` rejects with a RemoteError of `code` (and `status`, if given). */
async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  status?: number,
  message?: RegExp,
): Promise<RemoteError> {
  let caught: unknown;
  await p.then(
    (v) => assert.fail(`expected ${code}, got ${JSON.stringify(v, (k, x) => (k === 'body' ? '[body]' : x))}`),
    (err) => (caught = err),
  );
  assert.ok(caught instanceof RemoteError, `not a RemoteError: ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (status !== undefined) assert.equal(caught.status, status);
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('HttpClient against a well-behaved node:http server', () => {
  let server: TestHttpServer;
  let client: HttpClient;
  before(async () => {
    server = await TestHttpServer.start({ '/big.bin': BIG, '/small.txt': SMALL, '/empty': '' });
  });
  after(async () => {
    client?.close();
    await server.close();
  });
  beforeEach(() => {
    client?.close();
    client = new HttpClient({ timeoutMs: 2000 });
    server.knobs = {};
  });

  test('GET returns the whole body with its validators and length', async () => {
    const r = await client.get(server.url('/big.bin'));
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(BIG));
    assert.equal(r.bytes, BIG.length);
    assert.equal(r.totalLength, BIG.length);
    assert.equal(r.start, 0);
    assert.equal(r.rangeIgnored, false);
    assert.deepEqual({ etag: r.etag, lastModified: r.lastModified }, server.validators('/big.bin'));
    assert.equal(server.logFor('/big.bin').at(-1)!.acceptEncoding, 'identity');
  });

  test('GET of an empty file', async () => {
    const r = await client.get(server.url('/empty'));
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(r.totalLength, 0);
  });

  test('HEAD returns validators, length and Accept-Ranges without a body', async () => {
    const before = client.stats.bodyBytes;
    const { headers, ...info } = await client.head(server.url('/big.bin'));
    assert.deepEqual(info, {
      status: 200,
      url: server.url('/big.bin'),
      ...server.validators('/big.bin'),
      length: BIG.length,
      acceptRanges: true,
    });
    assert.equal(headers['etag'], info.etag, 'the headers that decide caching come along');
    assert.equal(headers['last-modified'], info.lastModified);
    assert.ok(headers['date'], 'node:http sends Date');
    assert.equal(client.stats.bodyBytes, before);
    assert.equal(server.logFor('/big.bin').at(-1)!.method, 'HEAD');
  });

  for (const [name, start, end] of [
    ['start', 0, 4095],
    ['middle', 50_000, 60_123],
    ['end', BIG.length - 100, BIG.length - 1],
    ['a single byte', 777, 777],
  ] as const) {
    test(`206 for a range at the ${name}`, async () => {
      const r = await client.get(server.url('/big.bin'), { range: { start, end } });
      assert.equal(r.status, 206);
      assert.equal(r.start, start);
      assert.equal(r.totalLength, BIG.length);
      assert.ok(r.body.equals(BIG.subarray(start, end + 1)));
      assert.equal(r.bytes, end - start + 1);
      assert.equal(server.logFor('/big.bin').at(-1)!.range, `bytes=${start}-${end}`);
    });
  }

  test('a range past the end is clamped by the server and accepted', async () => {
    const r = await client.get(server.url('/big.bin'), {
      range: { start: BIG.length - 10, end: BIG.length + 1000 },
    });
    assert.equal(r.status, 206);
    assert.ok(r.body.equals(BIG.subarray(BIG.length - 10)));
  });

  test('a range starting past the end is a 416 that names the length', async () => {
    const range = { start: BIG.length, end: BIG.length + 10 };
    await rejectsWith(
      client.get(server.url('/big.bin'), { range }),
      'ERR_NETFS_HTTP_STATUS',
      416,
      /102400 bytes long/,
    );
  });

  test('an invalid range is refused before anything is sent', async () => {
    const n = server.requests;
    await assert.rejects(client.get(server.url('/big.bin'), { range: { start: 10, end: 5 } }), RangeError);
    assert.equal(server.requests, n);
  });

  test('onData sees every body byte in order', async () => {
    const seen: Buffer[] = [];
    const r = await client.get(server.url('/big.bin'), { onData: (c) => seen.push(c) });
    assert.ok(Buffer.concat(seen).equals(r.body));
  });

  test('If-None-Match with the current ETag: 304 and no body bytes; a changed file: 200 and the new bytes', async () => {
    const first = await client.get(server.url('/small.txt'));
    const s0 = client.stats;
    const second = await client.get(server.url('/small.txt'), { ifNoneMatch: first.etag! });
    assert.equal(second.status, 304);
    assert.equal(second.body.length, 0);
    assert.equal(second.bytes, 0);
    assert.equal(client.stats.bodyBytes - s0.bodyBytes, 0, 'no body bytes the second time');
    assert.equal(client.stats.notModified - s0.notModified, 1);
    assert.equal(server.logFor('/small.txt').at(-1)!.ifNoneMatch, first.etag);

    server.changeFile('/small.txt', 'changed\n');
    const third = await client.get(server.url('/small.txt'), { ifNoneMatch: first.etag! });
    assert.equal(third.status, 200);
    assert.equal(third.body.toString(), 'changed\n');
    assert.notEqual(third.etag, first.etag);
    server.changeFile('/small.txt', SMALL);
  });

  test('If-Modified-Since: 304 while unchanged, 200 once Last-Modified moves on', async () => {
    const first = await client.get(server.url('/big.bin'));
    const since = new Date(first.lastModified!);
    const second = await client.get(server.url('/big.bin'), { ifModifiedSince: since });
    assert.equal(second.status, 304);
    assert.equal(server.logFor('/big.bin').at(-1)!.ifModifiedSince, first.lastModified);
    const info = await client.head(server.url('/big.bin'), { ifModifiedSince: first.lastModified! });
    assert.equal(info.status, 304);
    server.changeFile('/big.bin', BIG);
    const third = await client.get(server.url('/big.bin'), {
      ifModifiedSince: since,
      range: { start: 0, end: 9 },
    });
    assert.equal(third.status, 206);
    assert.notEqual(third.lastModified, first.lastModified);
  });

  test('counters: requests, body bytes and 304s match what the server saw', async () => {
    const c = new HttpClient();
    try {
      const sent0 = server.bodyBytesSent;
      const a = await c.get(server.url('/big.bin'));
      await c.get(server.url('/big.bin'), { range: { start: 0, end: 999 } });
      await c.get(server.url('/big.bin'), { ifNoneMatch: a.etag! });
      await c.head(server.url('/big.bin'));
      assert.deepEqual(c.stats, {
        requests: 4,
        bodyBytes: BIG.length + 1000,
        notModified: 1,
        redirects: 0,
        retries: 0,
      });
      assert.equal(server.bodyBytesSent - sent0, BIG.length + 1000);
    } finally {
      c.close();
    }
  });

  test('concurrent GETs on one client each get their own bytes', async () => {
    const ranges = Array.from({ length: 16 }, (_, i) => ({ start: i * 6000, end: i * 6000 + 5999 }));
    const results = await Promise.all(ranges.map((range) => client.get(server.url('/big.bin'), { range })));
    results.forEach((r, i) => assert.ok(r.body.equals(BIG.subarray(ranges[i]!.start, ranges[i]!.end + 1))));
  });

  test('an abort signal ends the request with ABORT_ERR', async () => {
    server.knobs = { delayMs: 500 };
    const ac = new AbortController();
    const seen = server.requests;
    const p = client.get(server.url('/small.txt'), { signal: ac.signal });
    // Aborted while the server holds the answer back.
    while (server.requests === seen) await new Promise((r) => setImmediate(r));
    ac.abort();
    await rejectsWith(p, 'ABORT_ERR');
    await rejectsWith(client.get(server.url('/small.txt'), { signal: AbortSignal.abort() }), 'ABORT_ERR');
  });
});

describe('HttpClient against misbehaving servers', () => {
  let server: TestHttpServer;
  let client: HttpClient;
  before(async () => {
    server = await TestHttpServer.start({ '/f': BIG, '/g': SMALL });
  });
  after(async () => {
    client?.close();
    await server.close();
  });
  beforeEach(() => {
    client?.close();
    client = new HttpClient({ timeoutMs: 300 });
    server.knobs = {};
    server.setKnobs('/f', {});
  });

  test('a server that ignores Range answers 200: the whole body, start 0, rangeIgnored', async () => {
    server.setKnobs('/f', { ignoreRange: true });
    const r = await client.get(server.url('/f'), { range: { start: 1000, end: 1999 } });
    assert.equal(r.status, 200);
    assert.equal(r.rangeIgnored, true);
    assert.equal(r.start, 0);
    assert.equal(r.totalLength, BIG.length);
    assert.ok(r.body.subarray(1000, 2000).equals(BIG.subarray(1000, 2000)));
    assert.equal((await client.head(server.url('/f'))).acceptRanges, false);
  });

  test('a Content-Length larger than the body sent: ERR_NETFS_TRUNCATED', async () => {
    server.setKnobs('/f', { lieContentLength: 10 });
    const e = await rejectsWith(client.get(server.url('/f')), 'ERR_NETFS_TRUNCATED');
    assert.ok(e.transient);
    await rejectsWith(
      client.get(server.url('/f'), { range: { start: 0, end: 99 } }),
      'ERR_NETFS_BAD_RANGE',
      206,
      /Content-Length 110 disagrees/,
    );
  });

  test('a connection dropped mid-body: ERR_NETFS_TRUNCATED, whole or ranged', async () => {
    server.setKnobs('/f', { dropAfter: 5000 });
    await rejectsWith(client.get(server.url('/f')), 'ERR_NETFS_TRUNCATED', undefined, /mid-body/);
    await rejectsWith(
      client.get(server.url('/f'), { range: { start: 0, end: 9999 } }),
      'ERR_NETFS_TRUNCATED',
    );
    // The client is still usable afterwards.
    server.setKnobs('/f', {});
    assert.ok((await client.get(server.url('/f'))).body.equals(BIG));
  });

  test('404 and 410: ERR_NETFS_NOT_FOUND with the status, not transient', async () => {
    const e = await rejectsWith(client.get(server.url('/missing')), 'ERR_NETFS_NOT_FOUND', 404);
    assert.equal(e.transient, false);
    assert.equal(e.url, server.url('/missing'));
    server.setKnobs('/f', { status: 410 });
    await rejectsWith(client.head(server.url('/f')), 'ERR_NETFS_NOT_FOUND', 410);
  });

  test('500 and 503: ERR_NETFS_HTTP_STATUS with the status, transient', async () => {
    server.setKnobs('/f', { status: 500 });
    const e = await rejectsWith(client.get(server.url('/f')), 'ERR_NETFS_HTTP_STATUS', 500, /answered 500/);
    assert.ok(e.transient);
    server.knobs = { status: 503 };
    await rejectsWith(
      client.get(server.url('/g'), { range: { start: 0, end: 1 } }),
      'ERR_NETFS_HTTP_STATUS',
      503,
    );
  });

  test('a server slower than the timeout: ETIMEDOUT', async () => {
    // The answer would come: only the client's own timeout can fail the request.
    server.knobs = { delayMs: 1000 };
    const e = await rejectsWith(client.get(server.url('/g')), 'ETIMEDOUT', undefined, /no data for 300 ms/);
    assert.ok(e.transient);
  });

  test('redirects are followed, counted and bounded', async () => {
    server.redirect('/r1', '/r2', 301);
    server.redirect('/r2', server.url('/r3'), 307);
    server.redirect('/r3', '/g', 308);
    const r = await client.get(server.url('/r1'), { range: { start: 0, end: 4 } });
    assert.equal(r.body.toString(), 'hello');
    assert.equal(r.url, server.url('/g'));
    assert.equal(client.stats.redirects, 3);
    assert.equal(server.logFor('/g').at(-1)!.range, 'bytes=0-4', 'Range survives the redirects');
    const bounded = new HttpClient({ maxRedirects: 2 });
    try {
      await rejectsWith(bounded.get(server.url('/r1')), 'ERR_NETFS_REDIRECT', 308, /more than 2 redirects/);
    } finally {
      bounded.close();
    }
    server.redirect('/loop', '/loop', 302);
    await rejectsWith(client.head(server.url('/loop')), 'ERR_NETFS_REDIRECT', 302);
    server.redirect('/creds', 'http://u:p@127.0.0.1/x', 302);
    await rejectsWith(client.get(server.url('/creds')), 'ERR_NETFS_REDIRECT', 302, /credentials/);
    server.redirect('/ftp', 'ftp://127.0.0.1/x', 302);
    await rejectsWith(client.get(server.url('/ftp')), 'ERR_NETFS_REDIRECT', 302, /scheme/);
  });

  test('redirects keep the scheme or upgrade it; a downgrade to http is refused', () => {
    const u = (s: string) => new URL(s);
    assert.ok(redirectAllowed(u('http://a/'), u('http://b/')));
    assert.ok(redirectAllowed(u('http://a/'), u('https://a/')));
    assert.ok(redirectAllowed(u('https://a/'), u('https://b/')));
    assert.equal(redirectAllowed(u('https://a/'), u('http://a/')), false);
  });

  test('an http→https redirect is followed (the TLS handshake against a plain server then fails)', async () => {
    server.redirect('/up', server.url('/g').replace('http:', 'https:'), 301);
    const c = new HttpClient({ timeoutMs: 1000 });
    try {
      const err = await c.get(server.url('/up')).then(
        () => assert.fail('TLS to a plain HTTP port cannot succeed'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RemoteError);
      assert.notEqual(err.code, 'ERR_NETFS_REDIRECT');
      assert.ok(err.url.startsWith('https:'));
      assert.equal(c.stats.redirects, 1);
    } finally {
      c.close();
    }
  });
});

describe('HttpClient against raw sockets', () => {
  /** A TCP server that answers every request with `reply` (then closes, if asked). */
  async function rawServer(reply: string | Buffer, end = true): Promise<{ url: string; server: NetServer }> {
    const server = createNetServer((sock) => {
      sock.once('data', () => (end ? sock.end(reply) : sock.write(reply)));
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}/x`, server };
  }
  async function withRaw(reply: string, fn: (url: string, c: HttpClient) => Promise<void>, end = true) {
    const { url, server } = await rawServer(reply, end);
    const c = new HttpClient({ timeoutMs: 500 });
    try {
      await fn(url, c);
    } finally {
      c.close();
      server.close();
    }
  }
  const head = (status: string, headers: string[]) => `HTTP/1.1 ${status}\r\n${headers.join('\r\n')}\r\n\r\n`;

  test('a 206 whose Content-Range does not match the request: ERR_NETFS_BAD_RANGE', async () => {
    const reply =
      head('206 Partial Content', ['Content-Range: bytes 10-19/100', 'Content-Length: 10']) + 'x'.repeat(10);
    await withRaw(reply, (url, c) =>
      rejectsWith(
        c.get(url, { range: { start: 0, end: 9 } }),
        'ERR_NETFS_BAD_RANGE',
        206,
        /sent bytes 10-19/,
      ).then(() => {}),
    );
  });

  test('a 206 with a malformed or missing Content-Range, or to no Range at all: ERR_NETFS_BAD_RANGE', async () => {
    const bad =
      head('206 Partial Content', ['Content-Range: bytes=0-9', 'Content-Length: 10']) + 'x'.repeat(10);
    await withRaw(bad, async (url, c) => {
      await rejectsWith(c.get(url, { range: { start: 0, end: 9 } }), 'ERR_NETFS_BAD_RANGE', 206, /malformed/);
    });
    const multipart =
      head('206 Partial Content', ['Content-Type: multipart/byteranges; boundary=X', 'Content-Length: 3']) +
      'abc';
    await withRaw(multipart, async (url, c) => {
      await rejectsWith(
        c.get(url, { range: { start: 0, end: 9 } }),
        'ERR_NETFS_BAD_RANGE',
        206,
        /without Content-Range/,
      );
    });
    const good =
      head('206 Partial Content', ['Content-Range: bytes 0-9/10', 'Content-Length: 10']) + 'x'.repeat(10);
    await withRaw(good, async (url, c) => {
      await rejectsWith(c.get(url), 'ERR_NETFS_BAD_RANGE', 206, /without Range/);
    });
  });

  test('a chunked 206 that carries more bytes than its Content-Range: ERR_NETFS_TRUNCATED', async () => {
    const reply =
      head('206 Partial Content', ['Content-Range: bytes 0-3/100', 'Transfer-Encoding: chunked']) +
      '8\r\nabcdefgh\r\n0\r\n\r\n';
    await withRaw(reply, async (url, c) => {
      await rejectsWith(
        c.get(url, { range: { start: 0, end: 3 } }),
        'ERR_NETFS_TRUNCATED',
        undefined,
        /more bytes/,
      );
    });
  });

  test('a body longer than its Content-Length: ERR_NETFS_TRUNCATED, never the extra bytes', async () => {
    await withRaw(
      head('200 OK', ['Content-Length: 5']) + 'helloEXTRA',
      async (url, c) => {
        await rejectsWith(c.get(url), 'ERR_NETFS_TRUNCATED', undefined, /after the promised body/);
      },
      false,
    );
  });

  test('a body that stalls half-way: ETIMEDOUT while receiving the body', async () => {
    const reply = head('200 OK', ['Content-Length: 100']) + 'x'.repeat(40);
    await withRaw(
      reply,
      async (url, c) => {
        const seen: number[] = [];
        await rejectsWith(
          c.get(url, { onData: (b) => seen.push(b.length) }),
          'ETIMEDOUT',
          undefined,
          /receiving the body/,
        );
        assert.deepEqual(seen, [40], 'progress saw the partial body, the caller got none of it');
      },
      false,
    );
  });

  test('an error status whose body is cut still reports the status', async () => {
    const reply = head('503 Service Unavailable', ['Content-Length: 100']) + 'busy';
    await withRaw(reply, async (url, c) => {
      await rejectsWith(c.get(url), 'ERR_NETFS_HTTP_STATUS', 503);
    });
  });

  test('a chunked body cut before its last chunk: ERR_NETFS_TRUNCATED', async () => {
    const reply = head('200 OK', ['Transfer-Encoding: chunked']) + '5\r\nhello\r\n';
    await withRaw(reply, async (url, c) => {
      await rejectsWith(c.get(url), 'ERR_NETFS_TRUNCATED');
    });
  });

  test('a complete chunked 200 gives its length as totalLength', async () => {
    const reply = head('200 OK', ['Transfer-Encoding: chunked']) + '5\r\nhello\r\n0\r\n\r\n';
    await withRaw(reply, async (url, c) => {
      const r = await c.get(url, { range: { start: 1, end: 2 } });
      assert.equal(r.totalLength, 5);
      assert.equal(r.rangeIgnored, true);
    });
  });

  test('a compressed body although identity was asked: ERR_NETFS_BAD_RESPONSE', async () => {
    const reply = head('200 OK', ['Content-Encoding: gzip', 'Content-Length: 3']) + 'abc';
    await withRaw(reply, async (url, c) => {
      await rejectsWith(c.get(url), 'ERR_NETFS_BAD_RESPONSE', 200, /gzip/);
    });
  });

  test('garbage instead of HTTP: ERR_NETFS_BAD_RESPONSE', async () => {
    await withRaw('SSH-2.0-OpenSSH\r\n', async (url, c) => {
      await rejectsWith(c.get(url), 'ERR_NETFS_BAD_RESPONSE', undefined, /malformed HTTP/);
    });
  });

  test('a 304 to an unconditional request is an error, not an empty body', async () => {
    await withRaw(head('304 Not Modified', ['ETag: "x"']), async (url, c) => {
      await rejectsWith(c.get(url), 'ERR_NETFS_HTTP_STATUS', 304, /not conditional/);
    });
  });

  test('a keep-alive socket the server dropped while idle is retried once on a fresh connection', async () => {
    // Each connection answers its first request and hangs up on the second: the client's reuse fails.
    const server = createNetServer((sock) => {
      let n = 0;
      sock.on('data', () => {
        if (n++ === 0) sock.write(head('200 OK', ['Content-Length: 2', 'Connection: keep-alive']) + 'ok');
        else sock.destroy();
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new HttpClient({ timeoutMs: 500 });
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      assert.equal((await c.get(url)).body.toString(), 'ok');
      assert.equal((await c.get(url)).body.toString(), 'ok');
      assert.deepEqual([c.stats.requests, c.stats.retries], [3, 1]);
    } finally {
      c.close();
      server.close();
    }
  });

  test('a server that accepts and then resets: ECONNRESET', async () => {
    const server = createNetServer((sock) => sock.once('data', () => sock.resetAndDestroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new HttpClient({ timeoutMs: 500 });
    try {
      const port = (server.address() as { port: number }).port;
      await rejectsWith(c.get(`http://127.0.0.1:${port}/`), 'ECONNRESET');
    } finally {
      c.close();
      server.close();
    }
  });

  test('nothing listening: ECONNREFUSED, transient', async () => {
    const { server } = await rawServer('');
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const c = new HttpClient();
    try {
      const e = await rejectsWith(c.get(`http://127.0.0.1:${port}/`), 'ECONNREFUSED');
      assert.ok(e.transient);
    } finally {
      c.close();
    }
  });
});

test('bad options and bad URLs are refused at once', async () => {
  assert.throws(() => new HttpClient({ timeoutMs: 0 }), RangeError);
  assert.throws(() => new HttpClient({ maxRedirects: -1 }), RangeError);
  const c = new HttpClient();
  await assert.rejects(c.get('ftp://127.0.0.1/x'), { code: 'ERR_NETFS_URL' });
  await assert.rejects(c.head('http://u:p@127.0.0.1/x'), { code: 'ERR_NETFS_URL' });
  assert.equal(c.stats.requests, 0);
  c.close();
});
