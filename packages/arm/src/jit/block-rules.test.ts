import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bus } from '../bus.ts';
import { decodeBlock, DecodePool } from './block-interpreter.ts';
import { MAX_BLOCK_INSNS } from './block-rules.ts';
import { basicBlock } from './translator.ts';

/** A bus whose RAM starts with the given Thumb halfwords. */
function thumbCode(halfwords: readonly number[]): Bus {
  const ram = new Uint8Array(0x2000);
  const view = new DataView(ram.buffer);
  halfwords.forEach((hw, i) => view.setUint16(i * 2, hw, true));
  return new Bus(0, ram);
}

const ADDS = 0x1c48; // adds r0, r1, #1
const IT_EQ = 0xbf08; // it eq
const BX_LR = 0x4770; // bx lr
const pool = new DecodePool();

test('both tiers end a block after the first instruction that does not continue', () => {
  const bus = thumbCode([ADDS, ADDS, BX_LR, ADDS]);
  assert.equal(decodeBlock(bus, 0, 1, pool)?.count, 3);
  assert.equal(basicBlock(bus, 0, 0, 1)?.count, 3);
});

test('both tiers go on after an IT; at an IT inside an IT block only the translator ends its block', () => {
  const bus = thumbCode([IT_EQ, ADDS, ADDS, BX_LR]);
  assert.equal(decodeBlock(bus, 0, 1, pool)?.count, 4);
  assert.equal(basicBlock(bus, 0, 0, 1)?.count, 4);
  const nested = thumbCode([IT_EQ, IT_EQ, ADDS, BX_LR]);
  assert.equal(decodeBlock(nested, 0, 1, pool)?.count, 4);
  assert.equal(basicBlock(nested, 0, 0, 1)?.count, 2);
});

test('a block holds at most MAX_BLOCK_INSNS instructions', () => {
  const bus = thumbCode(new Array<number>(MAX_BLOCK_INSNS + 8).fill(ADDS));
  assert.equal(decodeBlock(bus, 0, 1, pool)?.count, MAX_BLOCK_INSNS);
  assert.equal(basicBlock(bus, 0, 0, 1)?.count, MAX_BLOCK_INSNS);
});
