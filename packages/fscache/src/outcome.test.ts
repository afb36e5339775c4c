import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FscacheError } from './errors.ts';
import { ObjectEvent } from './object-state.ts';
import { backendFailure, countOutcome } from './outcome.ts';
import { fileDef, settle, setup } from './test-support/harness.ts';

test('one classifier: ENOMEM stays ENOMEM, a declining cache is ENOBUFS, anything else fails the object', async () => {
  const { fs, netfs, cache } = await setup();
  const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'f', version: 1 });
  await settle(fs);
  const object = c!.backingObjects[0]!;
  const n = fs.stats.n;

  assert.equal(backendFailure(fs, 'retrieval', object, new FscacheError('ENOMEM')), 'ENOMEM');
  assert.equal(n.retrievalsNomem, 1);
  assert.equal(backendFailure(fs, 'alloc', object, new FscacheError('ENOMEM')), 'ENOMEM');
  assert.equal(n.allocsNobufs, 1, 'the kernel counts an allocation ENOMEM as nobufs');
  assert.equal(backendFailure(fs, 'storeRun', object, new FscacheError('ENOSPC')), 'ENOBUFS');
  assert.equal(n.storesNobufs, 0, 'a store that ran was already counted ok');
  assert.equal(object.events & (1 << ObjectEvent.ERROR), 0, 'a cache that declines does not fail the object');
  assert.equal(countOutcome(fs, 'retrieval', 'ENODATA'), 'ENODATA');
  assert.equal(n.retrievalsNodata, 1);

  assert.equal(backendFailure(fs, 'attrChangedRun', object, new FscacheError('EIO')), 'ENOBUFS');
  assert.ok(object.events & (1 << ObjectEvent.ERROR), 'a failed medium fails the object');
  assert.ok(cache.ioErrorSeen, 'and an EIO stops the cache');
  await settle(fs);
});
