import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MachineInit } from './machine-init.ts';

describe('MachineInit', () => {
  it('runs notifiers once, in order, when init is done; late ones run at once', () => {
    const init = new MachineInit();
    const log: string[] = [];
    init.addMachineInitDoneNotifier(() => log.push('a'));
    const dropped = () => log.push('dropped');
    init.addMachineInitDoneNotifier(dropped);
    init.addMachineInitDoneNotifier(() => log.push('b'));
    init.removeMachineInitDoneNotifier(dropped);
    assert.equal(log.length, 0);
    assert.equal(init.done, false);
    init.machineInitDone();
    init.machineInitDone();
    assert.deepEqual(log, ['a', 'b']);
    init.addMachineInitDoneNotifier(() => log.push('late'));
    assert.deepEqual(log, ['a', 'b', 'late']);
    assert.equal(init.done, true);
  });
});
