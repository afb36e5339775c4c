/**
 * Random Advanced SIMD instructions for the differential fuzzer: data processing drawn from the
 * NEON table rows with every register on d0-d7 (q0-q3), plus the core-register moves (VMOV
 * to and from a scalar, VDUP). Words our decoder calls UNDEFINED are drawn again, so a block runs
 * to its end on both CPUs; an encoding the reference refuses but we accept still shows up as a
 * difference.
 */
import type { A32Entry } from '../isa/a32/a32-table.ts';
import { parsePattern } from '../isa/a32/a32-table.ts';
import { Bus } from '../bus.ts';
import { Cpu } from '../cpu.ts';
import { GuestException } from '../system/exceptions.ts';
import type { FuzzRng } from './fuzz-rng.ts';
import { vmovScalar } from '../isa/neon/neon-permute.ts';
import { NEON_A32_ROWS, VDUP_CORE_ROW } from '../isa/neon/neon-table.ts';

/** The rows fuzzed: every data-processing group (the loads and stores are left to the programs). */
export const NEON_FUZZ_ROWS: readonly A32Entry[] = NEON_A32_ROWS.filter((r) => r.name !== 'VLDn/VSTn');

/** Groups whose bits 19:16 and 7 are Vn. */
const HAS_VN = new Set(['NEON 3 same', 'NEON 3 diff', 'NEON 2 reg scalar', 'VEXT', 'VTBL/VTBX']);

/** A CPU to try words on: VFP and Advanced SIMD enabled, nothing else needed. */
let probe: Cpu | undefined;
function probeCpu(): Cpu {
  if (probe === undefined) {
    probe = new Cpu(new Bus(0x40000000, new Uint8Array(4096)));
    probe.cpsr = 0x1d3;
    probe.cp15.cpacr = 0x00f00000;
    probe.vfp.writeFpexc(0x40000000);
  }
  return probe;
}

/** True when our executor runs `w` without raising UNDEFINED. */
function defined(entry: A32Entry, w: number): boolean {
  try {
    entry.exec(probeCpu(), w);
    return true;
  } catch (e) {
    if (e instanceof GuestException) return false;
    throw e;
  }
}

/** Keeps a data-processing word's registers in d0-d7: clears the top bit of each register field. */
function lowRegisters(entry: A32Entry, w: number): number {
  let x = w & ~0x00408000; // D and Vd<3>
  if (HAS_VN.has(entry.name)) x &= ~0x00080080; // N and Vn<3>
  if (entry.name === 'NEON 1 reg imm') return x;
  if (entry.name === 'NEON 2 reg scalar') return ((w >>> 20) & 3) === 2 ? x & ~8 : x; // M is the index
  if (entry.name === 'VTBL/VTBX' && ((x >>> 16) & 7) + ((x >>> 8) & 3) > 7) x &= ~0x00070000; // the table stays low too
  return x & ~0x28; // M and Vm<3>
}

/** Rules out the UNPREDICTABLE cases the decoder accepts: VSWP, VTRN, VUZP and VZIP of one register. */
function predictable(entry: A32Entry, w: number): boolean {
  if (entry.name !== 'NEON 2 reg misc' || ((w >>> 16) & 3) !== 2 || ((w >>> 9) & 3) !== 0) return true;
  return ((w >>> 12) & 0xf) !== (w & 0xf);
}

/** How often each group is drawn: the large groups more than the single instructions. */
const WEIGHTS: Record<string, number> = {
  'NEON 3 same': 8,
  'NEON shift imm': 4,
  'NEON 2 reg misc': 4,
  'NEON 3 diff': 3,
  'NEON 2 reg scalar': 3,
};
const DRAW: readonly A32Entry[] = NEON_FUZZ_ROWS.flatMap((r) =>
  new Array<A32Entry>(WEIGHTS[r.name] ?? 1).fill(r),
);

/** One random Advanced SIMD data-processing word (A32 form, unconditional). */
export function randomNeonData(rng: FuzzRng): number {
  const entry = DRAW[rng.below(DRAW.length)]!;
  const { mask, match } = parsePattern(entry.pattern);
  for (;;) {
    const w = lowRegisters(entry, (rng.next() & ~mask) | match) | 0;
    if ((entry.when === undefined || entry.when(w)) && predictable(entry, w) && defined(entry, w)) return w;
  }
}

/**
 * One random core/scalar move with condition AL: VMOV to or from an 8-, 16- or 32-bit scalar of
 * d0-d7, or VDUP from a core register, using r0-r9.
 */
export function randomNeonCoreMove(rng: FuzzRng): number {
  for (;;) {
    const t = rng.below(10) << 12;
    const reg = rng.below(8) << 16;
    let w: number;
    if (rng.below(3) === 0) {
      const q = rng.below(2);
      w =
        0xee800b10 |
        (rng.below(2) << 22) |
        (q << 21) |
        (q ? rng.below(4) << 17 : reg) |
        t |
        (rng.below(2) << 5);
      if (defined(VDUP_CORE_ROW, w | 0)) return w | 0;
      continue;
    }
    const toCore = rng.below(2);
    const opc1 = rng.below(4);
    const opc2 = rng.below(4);
    const u = toCore ? rng.below(2) : 0;
    w = 0xee000b10 | (u << 23) | (opc1 << 21) | (toCore << 20) | reg | t | (opc2 << 5);
    const row = { ...VDUP_CORE_ROW, exec: vmovScalar };
    if (defined(row, w | 0)) return w | 0;
  }
}

/** A random NEON-class instruction: mostly data processing, now and then a core move (A32 form). */
export function randomNeonInstruction(rng: FuzzRng): number {
  return rng.below(8) === 0 ? randomNeonCoreMove(rng) : randomNeonData(rng);
}

/** The Thumb form of an A32 word from `randomNeonInstruction`, as hw1 << 16 | hw2. */
export function neonToThumb(w: number): number {
  if (w >>> 28 === 0xf) return (w & 0x00ffffff) | 0xef000000 | (((w >>> 24) & 1) << 28) | 0;
  return (w & 0x0fffffff) | 0xe0000000 | 0;
}
