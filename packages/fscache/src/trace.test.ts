import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fscache } from './fscache.ts';
import { MemoryCache } from './memory-cache.ts';
import { fileDef } from './test-support/harness.ts';
import {
  parseTraceMask,
  TRACE_ALL,
  TracePoint,
  Tracer,
  TraceStream,
  traceBit,
  traceMaskFromEnv,
} from './trace.ts';

test('the mask follows the kernel layout: point << (stream * 3)', () => {
  assert.equal(traceBit(TraceStream.CACHE, TracePoint.ENTER), 1);
  assert.equal(traceBit(TraceStream.COOKIE, TracePoint.ENTER), 8);
  assert.equal(traceBit(TraceStream.PAGE, TracePoint.DEBUG), 256);
  assert.equal(traceBit(TraceStream.OPERATION, TracePoint.LEAVE), 1024);
  assert.equal(parseTraceMask('73'), 1 | 8 | 64);
  assert.equal(parseTraceMask('0x49'), 73);
  assert.equal(parseTraceMask('cache.enter,cookie.enter,page.enter'), 73);
  assert.equal(parseTraceMask('operation'), 7 << 9);
  assert.equal(parseTraceMask('all'), TRACE_ALL);
  assert.throws(() => parseTraceMask('disk'), /unknown fscache debug stream "disk"/);
  assert.throws(() => parseTraceMask('page.exit'), /unknown fscache debug point "exit"/);
  assert.throws(() => parseTraceMask('0x1000'), /bits above/);
});

test('the environment switches tracing on the way Node users expect', () => {
  assert.equal(traceMaskFromEnv({}), 0);
  assert.equal(traceMaskFromEnv({ NODE_DEBUG: 'http,fscache' }), TRACE_ALL);
  assert.equal(traceMaskFromEnv({ NODE_DEBUG: 'fscachefoo' }), 0);
  assert.equal(traceMaskFromEnv({ FSCACHE_DEBUG: 'cookie', NODE_DEBUG: 'fscache' }), 7 << 3);
});

test('lines look like the kernel: [comm  ] ==> fn(args) / <== fn()result', () => {
  const lines: string[] = [];
  const t = new Tracer(TRACE_ALL, (l) => lines.push(l));
  t.enter(TraceStream.COOKIE, 'netfs', 'fscache_acquire_cookie', 'a,b');
  t.leave(TraceStream.COOKIE, 'kslowd001', 'fscache_acquire_cookie', ' = 0');
  t.debug(TraceStream.PAGE, 'w', 'hello');
  assert.deepEqual(lines, [
    '[netfs ] ==> fscache_acquire_cookie(a,b)',
    '[kslowd] <== fscache_acquire_cookie() = 0',
    '[w     ] hello',
  ]);
  const quiet = new Tracer(traceBit(TraceStream.PAGE, TracePoint.DEBUG), (l) => lines.push(l));
  quiet.enter(TraceStream.COOKIE, 'x', 'f');
  assert.equal(lines.length, 3, 'a stream that is off prints nothing');
});

test('an instance traces state-machine runs with object ids', async () => {
  const lines: string[] = [];
  const fs = new Fscache({ debug: 'cache', traceSink: (l) => lines.push(l) });
  await fs.addCache(new MemoryCache(), 'm');
  const netfs = fs.registerNetfs({ name: 't', version: 1 });
  await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'f', version: 1 });
  await fs.pool.drain();
  assert.ok(lines.some((l) => /==> fscache_object_state_machine\(OBJ[0-9a-f]+\{INIT\}\)/.test(l)));
  assert.ok(lines.some((l) => /OBJ[0-9a-f]+\{ACTIVE\} from AVAILABLE/.test(l)));
});
