import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { TestHttpServer } from './http-server.ts';

/** A raw request to the test server, so its behaviour is checked without the client under test. */
function raw(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TestHttpServer', () => {
  let s: TestHttpServer;
  before(async () => {
    s = await TestHttpServer.start({ '/f': '0123456789' });
  });
  after(() => s.close());

  test('serves open, suffix and clamped ranges, and 416 with the length', async () => {
    assert.deepEqual(
      [
        (await raw(s.url('/f'), { range: 'bytes=7-' })).body,
        (await raw(s.url('/f'), { range: 'bytes=-3' })).body,
      ],
      ['789', '789'],
    );
    const clamped = await raw(s.url('/f'), { range: 'bytes=8-100' });
    assert.equal(clamped.status, 206);
    assert.equal(clamped.headers['content-range'], 'bytes 8-9/10');
    const bad = await raw(s.url('/f'), { range: 'bytes=10-20' });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */10');
    assert.equal(
      (await raw(s.url('/f'), { range: 'bytes=0-1,4-5' })).status,
      200,
      'multiple ranges: whole body',
    );
  });

  test('conditional requests: an ETag list, *, and If-Modified-Since (ignored when If-None-Match is present)', async () => {
    const { etag, lastModified } = s.validators('/f');
    assert.equal((await raw(s.url('/f'), { 'if-none-match': `"nope", ${etag}` })).status, 304);
    assert.equal((await raw(s.url('/f'), { 'if-none-match': '*' })).status, 304);
    assert.equal((await raw(s.url('/f'), { 'if-modified-since': lastModified })).status, 304);
    assert.equal(
      (await raw(s.url('/f'), { 'if-none-match': '"nope"', 'if-modified-since': lastModified })).status,
      200,
    );
    s.changeFile('/f', '0123456789');
    assert.notEqual(s.validators('/f').etag, etag, 'same bytes, new version: a new ETag');
    assert.equal((await raw(s.url('/f'), { 'if-modified-since': lastModified })).status, 200);
  });

  test('HEAD sends headers only; the log and counters record every request', async () => {
    const n = s.requests;
    const sent = s.bodyBytesSent;
    const r = await raw(s.url('/f'), { range: 'bytes=0-3' }, 'HEAD');
    assert.equal(r.status, 206);
    assert.equal(r.body, '');
    assert.equal(s.requests, n + 1);
    assert.equal(s.bodyBytesSent, sent);
    assert.deepEqual(s.log.at(-1), {
      method: 'HEAD',
      path: '/f',
      range: 'bytes=0-3',
      ifNoneMatch: undefined,
      ifModifiedSince: undefined,
      ifRange: undefined,
      acceptEncoding: undefined,
      status: 206,
    });
  });

  test('close() ends idle keep-alive connections and pending delays', async () => {
    const t = await TestHttpServer.start({ '/x': 'x' });
    const agentReq = await new Promise<number>((resolve) =>
      request(t.url('/x'), { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      }).end(),
    );
    assert.equal(agentReq, 200);
    t.knobs = { delayMs: 60_000 };
    const pending = raw(t.url('/x')).catch((e: unknown) => e);
    while (t.requests < 2) await new Promise((r) => setImmediate(r));
    assert.equal(t.pendingTimers, 1, 'the answer is held back');
    await t.close();
    assert.equal(t.pendingTimers, 0, 'and its delay ended with the server');
    assert.ok((await pending) instanceof Error);
  });
});
