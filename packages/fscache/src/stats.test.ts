import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FscacheHistogram } from './histogram.ts';
import { COUNTER_NAMES, FscacheStats } from './stats.ts';

test('stats print in the /proc/fs/fscache/stats format, every counter in place', () => {
  const s = new FscacheStats(4);
  COUNTER_NAMES.forEach((k, i) => {
    s.n[k] = i + 1;
  });
  assert.equal(
    s.text(),
    `FS-Cache statistics
Cookies: idx=1 dat=2 spc=3
Objects: alc=4 nal=5 avl=6 ded=7
ChkAux : non=8 ok=9 upd=10 obs=11
Pages  : mrk=12 unc=13
Acquire: n=14 nul=15 noc=16 ok=17 nbf=18 oom=19
Lookups: n=20 neg=21 pos=22 crt=23
Updates: n=24 nul=25 run=26
Relinqs: n=27 nul=28 wcr=29
AttrChg: n=30 ok=31 nbf=32 oom=33 run=34
Allocs : n=35 ok=36 wt=37 nbf=38
Allocs : ops=39 owt=40
Retrvls: n=41 ok=42 wt=43 nod=44 nbf=45 int=46 oom=47
Retrvls: ops=48 owt=49
Stores : n=50 ok=51 agn=52 nbf=53 oom=54
Stores : ops=55 run=56
Ops    : pend=57 run=58 enq=59
Ops    : dfr=60 rel=61 gc=62
`,
  );
});

test('the snapshot is a plain copy with the per-worker tallies', () => {
  const s = new FscacheStats(2);
  s.n.acquires = 5;
  s.objsProcessed[1] = 3;
  const snap = s.snapshot();
  s.n.acquires = 6;
  assert.equal(snap.acquires, 5);
  assert.deepEqual(snap.objsProcessed, [0, 3]);
  assert.equal(JSON.parse(JSON.stringify(snap)).acquires, 5);
  assert.equal(COUNTER_NAMES.length, 62, 'every counter of the kernel header');
});

test('histogram prints non-empty millisecond rows in the /proc format, clamping long times', () => {
  const h = new FscacheHistogram();
  h.record('objInstantiate', 0.4);
  h.record('objRuns', 0.9);
  h.record('retrievals', 12.5);
  h.record('opRuns', 5000);
  h.record('retrievalDelay', -1);
  assert.equal(
    h.text(),
    `JIFS  SECS  OBJ INST  OP RUNS   OBJ RUNS  RETRV DLY RETRIEVLS
===== ===== ========= ========= ========= ========= =========
   0  0.000         1         0         1         1         0
  12  0.012         0         0         0         0         1
 999  0.999         0         1         0         0         0
`,
  );
  assert.deepEqual(
    h.rows().map((r) => r.ms),
    [0, 12, 999],
  );
});
