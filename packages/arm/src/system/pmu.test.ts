import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PMCR_RESET, Pmu } from './pmu.ts';

describe('Pmu', () => {
  test('the cycle counter runs only while PMCR.E and its enable bit are both set', () => {
    let now = 100n;
    const p = new Pmu();
    p.clock = () => now;
    assert.equal(p.read(12, 0, false), PMCR_RESET);
    p.write(12, 0, 1 | 4, false); // E, and reset the cycle counter
    now = 150n;
    assert.equal(p.read(13, 0, false), 0, 'not enabled in PMCNTENSET yet');
    p.write(12, 1, 0x80000000, false);
    now = 180n;
    assert.equal(p.read(13, 0, false), 30);
    p.write(12, 2, 0x80000000, false);
    now = 500n;
    assert.equal(p.read(13, 0, false), 30, 'frozen while disabled');
    p.write(13, 0, 1000, false);
    p.write(12, 1, 0x80000000, false);
    now = 564n;
    p.write(12, 0, 1 | 8, false); // divide by 64 from here on
    now = 564n + 128n;
    assert.equal(p.read(13, 0, false), 1064 + 2);
  });

  test('PL0 needs PMUSERENR.EN, and may never write PMUSERENR', () => {
    const p = new Pmu();
    assert.equal(p.read(13, 0, true), undefined);
    assert.equal(p.read(14, 0, true), 0);
    assert.equal(p.write(14, 0, 1, true), false);
    p.write(14, 0, 1, false);
    assert.equal(p.read(13, 0, true), 0);
    assert.equal(p.write(14, 0, 0, true), false);
  });
});
