/** Test tooling for the CPU: the conformance machine and the differential fuzzers' random blocks. */

export {
  buildFuzzBlob,
  FUZZ_BLOB_ADDRESS,
  FUZZ_CLASSES,
  FUZZ_HEADER_WORDS,
  FUZZ_SCRATCH_ADDRESS,
  FUZZ_SCRATCH_WORDS,
  FUZZ_STATE_WORDS,
  type FuzzIsa,
  fuzzEntries,
  randomInstruction,
  randomMemoryInstruction,
  randomThumbInstruction,
  randomThumbMemoryInstruction,
  randomVfpInstruction,
  THUMB_FUZZ_ROWS,
  thumbFuzzEntries,
  thumbStream,
} from './fuzz-blob.ts';
export { FuzzRng } from './fuzz-rng.ts';
export {
  type MachineStop,
  Psci,
  psciAnswer,
  RAM_BASE,
  TestMachine,
  type TestMachineOptions,
  UART_BASE,
} from './test-machine.ts';
