import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckAux, type CookieDef } from './cookie-def.ts';
import { FscacheError } from './errors.ts';
import { ObjectEvent } from './object-state.ts';
import { backendFailure, countOutcome } from './outcome.ts';
import { type FileData, fileDef, settle, setup } from './test-support/harness.ts';

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

test('cookie calls: each counts the call, a null cookie counts once more and stops the call', async () => {
  const { fs, netfs } = await setup();
  const n = fs.stats.n;
  const before = { ...n };
  const moved = (counter: keyof typeof n) => n[counter] - before[counter];

  assert.equal(await fs.acquireCookie(null, fileDef, { name: 'f', version: 1 }), null);
  await fs.relinquishCookie(null);
  fs.updateCookie(null);
  assert.deepEqual(
    [moved('acquires'), moved('acquiresNull'), moved('acquiresOk'), moved('cookieData')],
    [1, 1, 0, 0],
    'a null parent makes no cookie',
  );
  assert.deepEqual([moved('relinquishes'), moved('relinquishesNull')], [1, 1]);
  assert.deepEqual([moved('updates'), moved('updatesNull')], [1, 1]);

  const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'g', version: 1 });
  assert.deepEqual([moved('acquires'), moved('acquiresOk'), moved('cookieData')], [2, 1, 1]);
  fs.updateCookie(c);
  await settle(fs);
  assert.deepEqual([moved('updates'), moved('updatesNull'), moved('updatesRun')], [2, 1, 1]);
  await fs.relinquishCookie(c);
  await settle(fs);
  assert.deepEqual([moved('relinquishes'), moved('objectDead')], [2, 1]);
});

test('checkAux: each verdict moves its counter; an answer that is no verdict is the netfs bug', async () => {
  const { fs, netfs, cache } = await setup();
  let answer: string = CheckAux.OKAY;
  const def: CookieDef<FileData> = { ...fileDef, checkAux: () => answer as CheckAux };
  const c = await fs.acquireCookie(netfs.primaryIndex, def, { name: 'f', version: 1 });
  await settle(fs);
  const object = c!.backingObjects[0]!;
  const n = fs.stats.n;
  const before = { ...n };
  for (const verdict of [CheckAux.OKAY, CheckAux.NEEDS_UPDATE, CheckAux.OBSOLETE, CheckAux.OBSOLETE]) {
    answer = verdict;
    assert.equal(cache.checkAux(object, new Uint8Array(1)), verdict);
  }
  assert.deepEqual(
    [
      n.checkauxOkay - before.checkauxOkay,
      n.checkauxUpdate - before.checkauxUpdate,
      n.checkauxObsolete - before.checkauxObsolete,
    ],
    [1, 1, 2],
  );
  for (const bad of ['maybe', 'constructor', 'toString']) {
    answer = bad;
    assert.throws(() => cache.checkAux(object, new Uint8Array(1)), TypeError, bad);
  }
  await fs.relinquishCookie(c);
});
