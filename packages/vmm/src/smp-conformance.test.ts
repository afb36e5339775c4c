import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from './cli/main.ts';

const conformance = new URL('../../../conformance/', import.meta.url);

/** s2-NAME was recorded with -smp 2, s4-NAME with -smp 4. */
function cpusOf(name: string): number {
  const m = /^s(\d)-/.exec(name);
  if (!m) throw new Error(`${name} is not an SMP program`);
  return Number(m[1]);
}

/** A stream that keeps what is written to it. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('latin1') };
}

const programs = readdirSync(new URL('build/', conformance))
  .filter((f) => /^s\d-.*\.elf$/.test(f))
  .map((f) => f.slice(0, -'.elf'.length))
  .sort();

describe('SMP conformance programs through `armvm run --smp N`', () => {
  test('there are programs for 2 and 4 CPUs, ARM and Thumb', () => {
    for (const prefix of ['s2-', 's4-'])
      for (const isa of ['.arm', '.thumb'])
        assert.ok(programs.filter((p) => p.startsWith(prefix) && p.endsWith(isa)).length >= 4, prefix + isa);
  });

  // the software KVM's default time slice, and a short one that interleaves the vCPUs far more often
  for (const timeSlice of [undefined, 997])
    for (const name of programs) {
      const cpus = cpusOf(name);
      const slice = timeSlice === undefined ? '' : ` (${timeSlice}-instruction slices)`;
      test(`armvm run --smp ${cpus} ${name}${slice}`, async () => {
        const out = collector();
        const err = collector();
        const kernel = fileURLToPath(new URL(`build/${name}.elf`, conformance));
        const status = await main(
          ['run', '--kernel', kernel, '--smp', String(cpus), '--no-cache', '--no-reboot'],
          {
            stdin: undefined,
            stdout: out.stream,
            stderr: err.stream,
            env: {},
            signal: AbortSignal.timeout(60_000),
          },
        );
        assert.equal(status, 0, err.text());
        assert.equal(out.text(), readFileSync(new URL(`expected/${name}.txt`, conformance), 'latin1'));
        assert.equal(err.text(), '', 'nothing on stderr (a stop on the time limit says "terminated")');
      });
    }
});
