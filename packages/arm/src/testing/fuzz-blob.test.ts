import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeA32Entry } from '../isa/a32/a32-decoder.ts';
import {
  buildFuzzBlob,
  FUZZ_BLOB_ADDRESS,
  FUZZ_HEADER_WORDS,
  FUZZ_STATE_WORDS,
  type FuzzIsa,
  fuzzEntries,
  randomInstruction,
  randomThumbInstruction,
  thumbFuzzEntries,
} from './fuzz-blob.ts';
import { FuzzRng } from './fuzz-rng.ts';
import { decodeT16Entry, decodeT32Entry } from '../isa/thumb/thumb-decoder.ts';
import { TestMachine } from './test-machine.ts';

const harness = new URL('../../../../conformance/build/fuzz-harness.arm.elf', import.meta.url);
/** CI runs a fixed, bounded case; FUZZ_SEED and FUZZ_BLOCKS make longer local runs. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const BLOCKS = Number(process.env.FUZZ_BLOCKS ?? 150);
const LENGTH = 6;

const qemu = spawnSync('qemu-system-arm', ['--version']).status === 0;

function runOurs(blob: Uint8Array): string {
  const m = new TestMachine();
  m.loadElf(readFileSync(harness));
  m.bus.load(FUZZ_BLOB_ADDRESS, blob);
  assert.equal(m.run(1_000_000 + BLOCKS * 40_000).kind, 'poweroff'); // each block also resets and sums 8 KiB of scratch
  return Buffer.from(m.output).toString('latin1');
}

function runQemu(blob: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'arm-fuzz-'));
  try {
    const blobPath = join(dir, 'blob.bin');
    writeFileSync(blobPath, blob);
    const args = ['-M', 'virt,highmem=off', '-cpu', 'cortex-a15', '-display', 'none', '-serial', 'stdio'];
    args.push('-monitor', 'none', '-nic', 'none', '-kernel', harness.pathname);
    args.push('-device', `loader,file=${blobPath},addr=0x${FUZZ_BLOB_ADDRESS.toString(16)},force-raw=on`);
    const r = spawnSync('qemu-system-arm', args, {
      timeout: 120_000,
      encoding: 'latin1',
      maxBuffer: 1 << 28,
    });
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fuzz blobs', () => {
  test('generated instructions decode to the fuzzed classes and are reproducible', () => {
    const entries = fuzzEntries();
    const a = new FuzzRng(7);
    const b = new FuzzRng(7);
    for (let i = 0; i < 500; i++) {
      const w = randomInstruction(a, entries);
      assert.equal(w, randomInstruction(b, entries));
      assert.ok(entries.includes(decodeA32Entry(w)), `0x${(w >>> 0).toString(16)}`);
    }
  });

  test('generated Thumb instructions decode to the fuzzed rows', () => {
    const entries = thumbFuzzEntries();
    const rng = new FuzzRng(9);
    for (let i = 0; i < 500; i++) {
      const w = randomThumbInstruction(rng, entries);
      const entry = w >>> 16 !== 0 ? decodeT32Entry(w) : decodeT16Entry(w);
      assert.ok(entries.includes(entry), `0x${(w >>> 0).toString(16)}`);
    }
  });

  for (const isa of [
    'arm',
    'thumb',
    'arm-memory',
    'thumb-memory',
    'vfp',
    'thumb-vfp',
    'neon',
    'thumb-neon',
  ] as FuzzIsa[]) {
    test(
      `our CPU matches qemu-system-arm on ${BLOCKS} random ${isa} blocks (seed ${SEED})`,
      { skip: !qemu && 'qemu-system-arm is not installed' },
      () => {
        const blob = buildFuzzBlob(SEED, BLOCKS, LENGTH, isa);
        const ours = runOurs(blob).split('\n');
        const theirs = runQemu(blob).split('\n');
        assert.equal(
          theirs.length,
          BLOCKS + 1,
          `the reference ran every block: ${theirs.slice(-2).join(' | ')}`,
        );
        const view = new DataView(blob.buffer);
        for (let b = 0; b < BLOCKS; b++) {
          if (ours[b] === theirs[b]) continue;
          const code = [];
          for (let i = 0; i < LENGTH; i++) {
            const w = view.getUint32(
              (FUZZ_HEADER_WORDS + BLOCKS * FUZZ_STATE_WORDS + b * (LENGTH + 1) + i) * 4,
              true,
            );
            code.push(w.toString(16).padStart(8, '0'));
          }
          assert.fail(
            `${isa} block ${b} differs (memory checksum, d0-d7, FPSCR, APSR, r0..r12)\n  ours:   ${ours[b]}\n  theirs: ${theirs[b]}\n  code words: ${code.join(' ')}`,
          );
        }
      },
    );
  }
});
