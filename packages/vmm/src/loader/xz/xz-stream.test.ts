import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { crc64 } from './crc64.ts';
import { decodeXz, isXzHeader } from './xz-stream.ts';
import { XzError } from './xz-error.ts';

const haveXz = spawnSync('xz', ['--version']).status === 0;
const skip = haveXz ? false : 'the xz command is not installed (scripts/install-deps.sh installs xz-utils)';

/** `data` compressed by the xz command with `args`. */
function xz(data: Uint8Array, ...args: string[]): Uint8Array {
  const r = spawnSync('xz', ['-c', '-z', ...args], { input: data, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `xz ${args.join(' ')} failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Data like a kernel's: code with BL instructions (A32 and Thumb), text, zeros and noise. */
function kernelLike(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i + 4 <= size; i += 4) {
    const kind = (i >>> 10) % 5;
    let word: number;
    if (kind === 0)
      word = 0xeb000000 | (next() & 0xfff); // A32 BL
    else if (kind === 1)
      word = ((0xf800 | (next() & 0x7ff)) << 16) | 0xf000 | (next() & 0x7ff); // Thumb BL
    else if (kind === 2)
      word = 0x20656874 + ((i >>> 6) & 7); // text-ish and repetitive
    else if (kind === 3) word = 0;
    else word = next();
    new DataView(out.buffer).setUint32(i, word >>> 0, true);
  }
  return out;
}

function decode(stream: Uint8Array, capacity: number): Uint8Array {
  return decodeXz(stream, 0, capacity).data;
}

describe('xz decoder', { skip }, () => {
  const data = kernelLike(300_000, 7);

  for (const args of [
    ['--check=crc32', '--arm', '--lzma2=preset=6,dict=1MiB'],
    ['--check=crc64', '--armthumb', '--lzma2=preset=9e'],
    ['--check=sha256', '-0'],
    ['--check=none', '--lzma2=lc=0,lp=2,pb=0'],
    ['--check=crc32', '--lzma2=lc=4,lp=0,pb=4'],
    ['--check=crc32', '--block-size=65536', '--arm', '--lzma2=preset=6'],
  ]) {
    it(`decodes what xz ${args.join(' ')} made`, () => {
      const stream = xz(data, ...args);
      const { data: out, end } = decodeXz(stream, 0, data.length);
      assert.equal(end, stream.length, 'the stream ends at its footer');
      assert.deepEqual(out, data);
    });
  }

  it('decodes incompressible data (stored LZMA2 chunks) and an empty stream', () => {
    const noise = new Uint8Array(randomBytes(200_000));
    assert.deepEqual(decode(xz(noise, '--check=crc32'), noise.length), noise);
    assert.equal(decode(xz(new Uint8Array(0)), 0).length, 0);
  });

  it('finds a stream inside other bytes and says where it ends', () => {
    const stream = xz(data, '--check=crc32');
    const file = new Uint8Array(100 + stream.length + 4);
    file.set(stream, 100);
    assert.equal(isXzHeader(file, 99), false);
    assert.equal(isXzHeader(file, 100), true);
    assert.equal(decodeXz(file, 100, data.length).end, 100 + stream.length);
  });

  it('refuses corrupt and truncated streams with an XzError, never wrong bytes', () => {
    const stream = xz(data, '--check=crc32', '--arm', '--lzma2=preset=6');
    for (const at of [20, stream.length >>> 2, stream.length >>> 1, stream.length - 30]) {
      const bad = stream.slice();
      bad[at]! ^= 0x10;
      assert.throws(() => decode(bad, data.length), XzError, `a flipped bit at ${at}`);
    }
    assert.throws(() => decode(stream.subarray(0, stream.length >>> 1), data.length), XzError);
    assert.throws(() => decode(stream, data.length - 1), XzError, 'more output than room');
    assert.throws(() => decode(xz(data, '--x86', '--lzma2=preset=1'), data.length), /unsupported .xz filter/);
  });

  it('decodes any bytes the xz command compresses (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.constantFrom(
          ['--arm', '--lzma2=preset=1'],
          ['--armthumb', '--lzma2=preset=1'],
          [],
          ['--lzma2=lc=1,lp=1,pb=1'],
        ),
        (bytes, chain) => {
          const stream = xz(bytes, '--check=crc64', ...chain);
          assert.deepEqual(decode(stream, bytes.length), bytes);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('crc64', () => {
  it('matches the check value of the ECMA-182 reflected CRC', () => {
    assert.equal(crc64(new TextEncoder().encode('123456789')), 0x995dc9bbdf1939fan);
    assert.equal(crc64(new Uint8Array(0)), 0n);
  });
});
