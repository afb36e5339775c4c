import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeA32Entry } from './a32/a32-decoder.ts';
import { A32_CLASS_CONTINUES } from './table-row.ts';
import { decodeT16Entry, decodeT32Entry } from './thumb/thumb-decoder.ts';

/** Whether a block may go on after a Thumb instruction (a 32-bit one as hw1 << 16 | hw2). */
const thumbContinues = (w: number) => (w >>> 16 === 0 ? decodeT16Entry(w) : decodeT32Entry(w | 0)).continues;
/** The same for an A32 word, by the class of its row. */
const a32Continues = (w: number) => A32_CLASS_CONTINUES[decodeA32Entry(w | 0).cls];

describe('where a translated block may go on', () => {
  test('Thumb: after register, flag and memory instructions, and IT', () => {
    const words: Record<string, number> = {
      'adds r0, r1, #1': 0x1c48,
      'ldr r0, [r1, #4]': 0x6848,
      'push {r4, lr}': 0xb510,
      'it eq': 0xbf08,
      'ldr.w r0, [r1, #4]': 0xf8d10004,
      'vadd.f32 s0, s1, s2': 0xee300a81,
    };
    for (const [text, w] of Object.entries(words)) assert.equal(thumbContinues(w), true, text);
  });

  test('Thumb: not after branches, system, coprocessor, hint, Advanced SIMD or undefined instructions', () => {
    const words: Record<string, number> = {
      'beq.n': 0xd006,
      'b.n': 0xe005,
      'bx lr': 0x4770,
      'cbz r0': 0xb108,
      bl: 0xf7fffffe,
      'svc #0': 0xdf00,
      'cpsid i': 0xb672,
      'mrs r0, apsr': 0xf3ef8000,
      'msr apsr_nzcvq, r0': 0xf3808800,
      'mcr p15, 0, r0, c7, c5, 0': 0xee070f15,
      nop: 0xbf00,
      wfi: 0xbf30,
      'dmb ish': 0xf3bf8f5b,
      'vadd.i32 d0, d1, d2': 0xef210802,
      'udf #0': 0xde00,
    };
    for (const [text, w] of Object.entries(words)) assert.equal(thumbContinues(w), false, text);
  });

  test('A32: after register, flag and memory instructions', () => {
    const words: Record<string, number> = {
      'add r0, r1, r2': 0xe0810002,
      'ldr r0, [r1, #4]': 0xe5910004,
      'ldm r0, {r1, r2}': 0xe8900006,
      'vadd.f32 s0, s1, s2': 0xee300a81,
    };
    for (const [text, w] of Object.entries(words)) assert.equal(a32Continues(w), true, text);
  });

  test('A32: not after branches, system, coprocessor, hint, Advanced SIMD or undefined instructions', () => {
    const words: Record<string, number> = {
      b: 0xeafffffe,
      bl: 0xebfffffd,
      'bx lr': 0xe12fff1e,
      'svc #0': 0xef000000,
      'mcr p15, 0, r0, c7, c5, 0': 0xee070f15,
      'msr cpsr_c, r0': 0xe121f000,
      'dmb ish': 0xf57ff05b,
      'vadd.i32 d0, d1, d2': 0xf2210802,
      'udf #0': 0xe7f000f0,
    };
    for (const [text, w] of Object.entries(words)) assert.equal(a32Continues(w), false, text);
  });
});
