// What the crash test's objects must contain: sizes and bytes derived from object and block.
import { CheckAux } from '@armvm/fscache';

/** How many objects the writer works on. */
export const OBJECTS = 12;

/** Object k's size: a third are small enough to be stored inline; the rest end in a short block. */
export function sizeOf(k) {
  if (k % 3 === 0) return 700 + 997 * (k / 3);
  return (k + 1) * 4096 * 2 + 123 * (k + 1);
}

/** The bytes of block b of object k. */
export function content(k, b) {
  const size = Math.min(4096, sizeOf(k) - b * 4096);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (k * 131 + b * 31 + i * 7 + ((i >> 8) ^ b)) & 0xff;
  return out;
}

/** The cookie definition both sides use. */
export const crashDef = {
  name: 'crash',
  type: 'data',
  getKey: (d) => `object-${d.key}`,
  getAux: () => 'v1',
  checkAux: (_d, aux) => (new TextDecoder().decode(aux) === 'v1' ? CheckAux.OKAY : CheckAux.OBSOLETE),
  getAttr: (d) => d.size,
};
