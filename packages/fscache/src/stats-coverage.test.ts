/** Every counter of the kernel's header moves when the event it names happens. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckAux, type CookieDef } from './cookie-def.ts';
import { FscacheError } from './errors.ts';
import { COUNTER_NAMES } from './stats.ts';
import { type FileData, fileDef, indexDef, page, settle, setup, until } from './test-support/harness.ts';

test('every counter moves when its event happens', async () => {
  const gates: Record<string, Promise<void>> = {};
  const open: Record<string, () => void> = {};
  const gate = (name: string) => (gates[name] ??= new Promise<void>((r) => (open[name] = r)));
  let failNext: string | null = null;
  const { fs, netfs, mem, cache } = await setup({
    faults: {
      lookup: (o) =>
        o.type === 'data' && (o.cookie?.netfsData as FileData)?.name === 'slow' ? gate('lookup') : undefined,
      read: () => {
        if (failNext === 'read') {
          failNext = null;
          throw new FscacheError('ENOMEM');
        }
      },
      write: () => {
        if (failNext === 'write') {
          failNext = null;
          throw new FscacheError('ENOMEM');
        }
      },
      update: () => gate('update'),
    },
  });
  const root = netfs.primaryIndex;

  // Null cookies: nul counters.
  await fs.acquireCookie(null, fileDef, { name: 'x', version: 1 });
  fs.updateCookie(null);
  await fs.relinquishCookie(null);

  // A special cookie, an index cookie, and a plain lifecycle with a hit.
  await fs.relinquishCookie(await fs.acquireCookie(root, indexDef, 'dir'));
  const special: CookieDef<string> = { name: 'special', type: 'special', getKey: (d) => d };
  await fs.relinquishCookie(await fs.acquireCookie(root, special, 'sp'));
  const f: FileData = { name: 'f', version: 1, size: 8192 };
  const c = await fs.acquireCookie(root, fileDef, f);
  await fs.readOrAllocPage(c, 0); // ENODATA
  await fs.writePage(c, 0, page(1));
  fs.uncachePage(c, 0);
  await fs.readOrAllocPage(c, 0); // ok: retrievalsOk, marks
  await fs.allocPage(c, 1); // allocsOk, allocOps
  failNext = 'read';
  await fs.readOrAllocPage(c, 0); // retrievalsNomem
  failNext = 'write';
  await fs.writePage(c, 1, page(2)); // storesOom
  fs.updateCookie(c); // updates, updatesRun; the update is held at its gate...
  await until(() => open.update !== undefined, 'the update to reach its gate');
  await fs.readOrAllocPage(c, 0); // ...so this read finishes while the object runs: opDeferredRelease, then opGc
  open.update!();
  await settle(fs);
  const original = mem.attrChanged.bind(mem);
  mem.attrChanged = () => {
    throw new FscacheError('ENOMEM');
  };
  await fs.attrChanged(c); // attrChangedNomem
  const attrGate = gate('attr');
  mem.attrChanged = (o) => attrGate.then(() => original(o));
  const changing = fs.attrChanged(c); // attrChangedOk, attrChangedCalls; exclusive...
  const behind = fs.readOrAllocPage(c, 0); // ...so this read waits for it: retrievalOpWaits
  open.attr!();
  await Promise.all([changing, behind]);
  mem.attrChanged = original;
  await fs.relinquishCookie(c);
  await settle(fs);

  // Aux checks: none (no checkAux), okay, needs update, obsolete.
  const noCheck: CookieDef<FileData> = { ...fileDef, checkAux: undefined };
  await fs.relinquishCookie(await fs.acquireCookie(root, noCheck, { name: 'f', version: 1 }));
  await settle(fs);
  await fs.relinquishCookie(await fs.acquireCookie(root, fileDef, { name: 'f', version: 1 }));
  await settle(fs);
  const stale: CookieDef<FileData> = { ...fileDef, checkAux: () => CheckAux.NEEDS_UPDATE };
  await fs.relinquishCookie(await fs.acquireCookie(root, stale, { name: 'f', version: 1 }));
  await settle(fs);
  await fs.relinquishCookie(await fs.acquireCookie(root, fileDef, { name: 'f', version: 2 }), {
    retire: true,
  });
  await settle(fs);

  // Waiting on lookup: reads and allocations wait (wt); an aborted wait is EINTR; relinquishing
  // while creation is pending waits for it (wcr).
  const slow = await fs.acquireCookie(root, fileDef, { name: 'slow', version: 1 });
  const ac = new AbortController();
  const interrupted = fs.readOrAllocPage(slow, 0, { signal: ac.signal });
  ac.abort();
  await interrupted;
  const waitedRead = fs.readOrAllocPage(slow, 0);
  const waitedAlloc = fs.allocPage(slow, 1);
  const waitedRelinquish = fs.relinquishCookie(slow);
  open.lookup!();
  await Promise.all([waitedRead, waitedAlloc, waitedRelinquish]);
  await settle(fs);

  // A cookie acquired with no cache, and allocation failures.
  mem.faults.alloc = () => {
    throw new FscacheError('ENOMEM');
  };
  await fs.acquireCookie(root, fileDef, { name: 'oom', version: 1 }); // acquiresOom, objectNoAlloc
  mem.faults.alloc = undefined;
  await fs.withdrawCache(cache);
  await fs.acquireCookie(root, fileDef, { name: 'none', version: 1 }); // acquiresNoCache, acquiresNobufs
  await fs.readOrAllocPage(null, 0);
  await fs.allocPage(null, 0);
  await fs.writePage(null, 0, page(0));
  await fs.attrChanged(null);

  // Stores merged while queued, and work waiting for creation (pend, op waits).
  const fs2 = await setup({
    faults: { create: (o) => (o.type === 'data' ? gate('create') : undefined), write: () => gate('write') },
  });
  const w = await fs2.fs.acquireCookie(fs2.netfs.primaryIndex, fileDef, { name: 'w', version: 1 });
  await fs2.fs.readOrAllocPage(w, 0);
  const first = fs2.fs.writePage(w, 0, page(1));
  const again = fs2.fs.writePage(w, 0, page(2));
  const allocWait = fs2.fs.allocPage(w, 1);
  open.create!();
  await until(() => open.write !== undefined, 'the queued write to run once the object is created');
  const readWait = fs2.fs.readOrAllocPage(w, 1);
  open.write!();
  await Promise.all([first, again, allocWait, readWait]);
  for (const k of COUNTER_NAMES) fs.stats.n[k] += fs2.fs.stats.n[k];

  const still = COUNTER_NAMES.filter((k) => fs.stats.n[k] === 0);
  assert.deepEqual(still, [], 'counters that never moved');
});
