/**
 * Where a block ends, shared by both tiers: after at most MAX_BLOCK_INSNS instructions, at the page
 * end, or after an instruction that may change how the code after it must run (a branch, system,
 * coprocessor, hint or exception-generating instruction). Each table row says which it is: a Thumb
 * row by its `continues` field, an A32 row by its class (`A32_CLASS_CONTINUES` beside `A32Class`).
 */

/** Most guest instructions in one block (an IT block in progress may add up to four). */
export const MAX_BLOCK_INSNS = 48;
