import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FscacheAssertionError } from './errors.ts';
import { Fscache } from './fscache.ts';
import { MemoryCache, MemoryObject } from './memory-cache.ts';
import { OBJECT_EVENT_NAMES, OBJECT_STATE_NAMES, ObjectEvent, ObjectState } from './object-state.ts';
import { NEGATIVE } from './object.ts';
import { STATE_TABLE, TRANSITIONS } from './object-state-machine.ts';
import { fileDef, settle, setup, until } from './test-support/harness.ts';

// The seed's transitions, written out state by state: where each event leads from a state that
// waits for events. '-' means the state never waits for that event (it is masked or transient).
const EXPECTED: Record<string, Record<string, string>> = {
  INIT: {
    UPDATE: '-',
    CLEARED: '-',
    ERROR: 'ABORT_INIT',
    RELEASE: 'ABORT_INIT',
    RETIRE: 'ABORT_INIT',
    WITHDRAW: 'ABORT_INIT',
  },
  LOOKING_UP: {
    UPDATE: '-',
    CLEARED: '-',
    ERROR: 'LC_DYING',
    RELEASE: 'LC_DYING',
    RETIRE: 'LC_DYING',
    WITHDRAW: 'LC_DYING',
  },
  CREATING: {
    UPDATE: '-',
    CLEARED: '-',
    ERROR: 'LC_DYING',
    RELEASE: 'LC_DYING',
    RETIRE: 'LC_DYING',
    WITHDRAW: 'LC_DYING',
  },
  AVAILABLE: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  ACTIVE: {
    UPDATE: 'UPDATING',
    CLEARED: '-',
    ERROR: 'DYING',
    RELEASE: 'DYING',
    RETIRE: 'DYING',
    WITHDRAW: 'DYING',
  },
  UPDATING: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  DYING: {
    UPDATE: '-',
    CLEARED: 'DYING',
    ERROR: 'WITHDRAWING',
    RELEASE: 'RELEASING',
    RETIRE: 'RECYCLING',
    WITHDRAW: 'WITHDRAWING',
  },
  LC_DYING: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  ABORT_INIT: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  RELEASING: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  RECYCLING: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  WITHDRAWING: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
  DEAD: { UPDATE: '-', CLEARED: '-', ERROR: '-', RELEASE: '-', RETIRE: '-', WITHDRAW: '-' },
};

describe('state table', () => {
  test('every (state, event) pair leads where the seed says', () => {
    for (let s = 0; s < OBJECT_STATE_NAMES.length; s++) {
      for (let e = 0; e < OBJECT_EVENT_NAMES.length; e++) {
        const target = STATE_TABLE[OBJECT_STATE_NAMES[s]!].onEvent[e as ObjectEvent];
        const got = target === undefined ? '-' : OBJECT_STATE_NAMES[target];
        assert.equal(
          got,
          EXPECTED[OBJECT_STATE_NAMES[s]!]![OBJECT_EVENT_NAMES[e]!],
          `${OBJECT_STATE_NAMES[s]} on ${OBJECT_EVENT_NAMES[e]}`,
        );
      }
    }
  });

  test('every event-table target is a legal transition', () => {
    for (let s = 0 as ObjectState; s < OBJECT_STATE_NAMES.length; s++) {
      for (const t of Object.values(STATE_TABLE[OBJECT_STATE_NAMES[s]!].onEvent)) {
        assert.ok(
          TRANSITIONS.get(s)!.includes(t as ObjectState),
          `${OBJECT_STATE_NAMES[s]} -> ${OBJECT_STATE_NAMES[t as number]}`,
        );
      }
    }
  });

  test('DEAD is final and only the terminal states reach it', () => {
    assert.deepEqual(TRANSITIONS.get(ObjectState.DEAD), []);
    const into = [...TRANSITIONS]
      .filter(([, to]) => to.includes(ObjectState.DEAD))
      .map(([from]) => OBJECT_STATE_NAMES[from]);
    assert.deepEqual(into.sort(), ['RECYCLING', 'RELEASING', 'WITHDRAWING']);
  });
});

describe('dispatcher', () => {
  test('an event a state does not expect is a loud assertion naming object, state and event', async () => {
    const { fs, netfs, bugs } = await setup();
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'a', version: 1 });
    await settle(fs);
    const object = c!.backingObjects[0]!;
    assert.equal(object.state, ObjectState.ACTIVE);
    object.eventMask |= 1 << ObjectEvent.CLEARED; // a broken mask lets CLEARED through
    fs.raiseEvent(object, ObjectEvent.CLEARED);
    await settle(fs);
    assert.equal(bugs.length, 1);
    const bug = bugs[0] as FscacheAssertionError;
    assert.ok(bug instanceof FscacheAssertionError);
    assert.equal(bug.context.state, 'ACTIVE');
    assert.equal(bug.context.event, 'CLEARED');
    assert.equal(bug.context.objectId, object.debugId);
    assert.match(bug.message, /Unsupported event.*OBJ[0-9a-f]+ state=ACTIVE event=CLEARED/);
  });

  test('running a dead object is a loud assertion', async () => {
    const { fs, cache, bugs } = await setup();
    const o = new MemoryObject(cache, null, 'x', 'data');
    (o as { state: ObjectState }).state = ObjectState.DEAD; // forced: no path leads a new object there
    o.eventMask = 0x3f;
    fs.raiseEvent(o, ObjectEvent.UPDATE);
    await settle(fs);
    assert.match(String((bugs[0] as Error).message), /Unexpected event in dead state/);
  });

  test('the highest pending event wins: withdraw beats release beats update', async () => {
    const { fs, netfs } = await setup();
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'b', version: 1 });
    await settle(fs);
    const object = c!.backingObjects[0]!;
    const seen: string[] = [];
    fs.onTransition = (o, _from, to) => {
      if (o === object) seen.push(OBJECT_STATE_NAMES[to]);
    };
    // All three land before any worker runs: relinquishing raises RELEASE synchronously.
    fs.updateCookie(c);
    const relinquished = fs.relinquishCookie(c);
    fs.raiseEvent(object, ObjectEvent.WITHDRAW);
    await relinquished;
    await settle(fs);
    assert.deepEqual(seen, ['DYING', 'WITHDRAWING', 'DEAD']);
  });
});

describe('backend reports', () => {
  test('objectObtained only reports: the dispatcher moves the object on once lookup returns', async () => {
    const { fs, netfs, mem } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = mem.lookupObject.bind(mem);
    let stateAtReport = '';
    mem.lookupObject = (o) => {
      if (o.cookie?.type !== 'data') return original(o);
      return (async () => {
        o.cache.objectObtained(o); // found at once: report it, then keep the backend busy
        stateAtReport = OBJECT_STATE_NAMES[o.state];
        (o as MemoryObject).entry = { type: 'data', aux: null, pages: null, children: null };
        await gate;
      })();
    };
    const moves: string[] = [];
    fs.onTransition = (o, from, to) => {
      if (o.cookie?.type === 'data') moves.push(`${OBJECT_STATE_NAMES[from]}->${OBJECT_STATE_NAMES[to]}`);
    };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'found', version: 1 });
    await until(() => stateAtReport !== '', 'the backend to report the object found');
    const object = c!.backingObjects[0]!;
    assert.equal(stateAtReport, 'LOOKING_UP', 'the report did not move the state');
    assert.equal(object.state, ObjectState.LOOKING_UP);
    release();
    await settle(fs);
    assert.equal(object.state, ObjectState.ACTIVE);
    assert.deepEqual(moves, ['INIT->LOOKING_UP', 'LOOKING_UP->AVAILABLE', 'AVAILABLE->ACTIVE']);
  });

  test('objectLookupNegative only reports: CREATING comes from the dispatcher, then the backend creates', async () => {
    const { fs, netfs, mem } = await setup();
    const original = mem.lookupObject.bind(mem);
    const calls: string[] = [];
    const statesAfterReport: string[] = [];
    mem.lookupObject = (o) => {
      if (o.cookie?.type !== 'data') return original(o);
      calls.push(OBJECT_STATE_NAMES[o.state]);
      const r = original(o);
      if (o.flags & NEGATIVE) statesAfterReport.push(OBJECT_STATE_NAMES[o.state]);
      return r;
    };
    const moves: string[] = [];
    fs.onTransition = (o, from, to) => {
      if (o.cookie?.type === 'data') moves.push(`${OBJECT_STATE_NAMES[from]}->${OBJECT_STATE_NAMES[to]}`);
    };
    await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'first', version: 1 }); // makes the index
    calls.length = 0;
    moves.length = 0;
    statesAfterReport.length = 0;
    const before = { ...fs.stats.n };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'new', version: 1 });
    await settle(fs);
    assert.deepEqual(
      statesAfterReport,
      ['LOOKING_UP', 'CREATING'],
      'the negative report did not move the state',
    );
    assert.deepEqual(calls, ['LOOKING_UP', 'CREATING'], 'the backend is called once to look, once to create');
    assert.deepEqual(moves, [
      'INIT->LOOKING_UP',
      'LOOKING_UP->CREATING',
      'CREATING->AVAILABLE',
      'AVAILABLE->ACTIVE',
    ]);
    assert.equal(c!.backingObjects[0]!.state, ObjectState.ACTIVE);
    assert.equal(fs.stats.n.objectLookups - before.objectLookups, 1, 'creation is not counted as a lookup');
    assert.equal(fs.stats.n.objectLookupsNegative - before.objectLookupsNegative, 1);
    assert.equal(fs.stats.n.objectCreated - before.objectCreated, 1);
    assert.equal(fs.stats.n.objectLookupsPositive - before.objectLookupsPositive, 0);
  });

  test('the cache failing between the negative report and creation: the backend is not asked to create', async () => {
    const { fs, netfs, mem, cache, bugs } = await setup();
    let creates = 0;
    mem.faults.lookup = (o) => {
      if (o.type === 'data') cache.ioError(); // the medium fails while the object is looked up
    };
    mem.faults.create = (o) => {
      if (o.type === 'data') creates++;
    };
    const moves: string[] = [];
    fs.onTransition = (o, from, to) => {
      if (o.cookie?.type === 'data') moves.push(`${OBJECT_STATE_NAMES[from]}->${OBJECT_STATE_NAMES[to]}`);
    };
    const c = await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'doomed', version: 1 });
    await settle(fs);
    assert.equal(creates, 0);
    assert.deepEqual(moves.slice(0, 3), ['INIT->LOOKING_UP', 'LOOKING_UP->CREATING', 'CREATING->LC_DYING']);
    assert.deepEqual(await fs.readOrAllocPage(c, 0), { status: 'ENOBUFS' });
    await fs.relinquishCookie(c);
    assert.deepEqual(bugs, []);
  });

  test('a lookup that returns without reporting the object obtained is a loud assertion', async () => {
    const { fs, netfs, mem, bugs } = await setup();
    const original = mem.lookupObject.bind(mem);
    mem.lookupObject = (o) => (o.cookie?.type === 'data' ? undefined : original(o));
    await fs.acquireCookie(netfs.primaryIndex, fileDef, { name: 'silent', version: 1 });
    await settle(fs);
    assert.equal(bugs.length, 1);
    assert.match(String((bugs[0] as Error).message), /returned without obtaining the object/);
  });

  test("a cache's root goes INIT -> ACTIVE through the dispatcher when the cache is added", async () => {
    const fs = new Fscache({ debug: 0 });
    const moves: string[] = [];
    fs.onTransition = (_o, from, to) => moves.push(`${OBJECT_STATE_NAMES[from]}->${OBJECT_STATE_NAMES[to]}`);
    const cache = await fs.addCache(new MemoryCache(), 'mem');
    assert.deepEqual(moves, ['INIT->ACTIVE']);
    assert.equal(cache.root!.state, ObjectState.ACTIVE);
    await fs.close();
    assert.equal(fs.liveObjects, 0);
  });
});
