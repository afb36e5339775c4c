import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { bootKernel } from './kernel-boot.ts';
import { classifyKernel, ZIMAGE_MAGIC } from './kernel-image.ts';
import { KERNEL_LOAD_OFFSET } from './linux-boot.ts';
import { LoaderError } from './loader-error.ts';
import { unpackZImage } from './zimage-unpack.ts';

const RAM_BASE = 0x40000000;
const MiB = 1024 * 1024;
const haveXz = spawnSync('xz', ['--version']).status === 0;

interface FakeZImage {
  payload: Uint8Array;
  /** The size word's value (default: the true size). */
  stated?: number;
  textOffset?: number;
  bss?: number;
  /** Words of the KLSZ entry (5 and more give TEXT_OFFSET). */
  entryWords?: number;
  table?: boolean;
  appendedDtb?: boolean;
  unpackedSize: number;
}

/**
 * A zImage as the kernel build lays one out: header (magic, start, end, the table pointer), some
 * decompressor bytes (with decoys of both magics), the payload, the size word right after it, and
 * the loader table.
 */
function zimage(z: FakeZImage): Uint8Array {
  const code = new Uint8Array(0x200);
  code.set([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3, 4, 5, 6], 0x100); // xz magic, bad CRC
  code.set([0x1f, 0x8b, 0x08, 0, 0, 0], 0x140); // gzip magic, nothing after
  const sizeAt = code.length + z.payload.length;
  const tableAt = (sizeAt + 4 + 3) & ~3;
  const words = z.entryWords ?? 6;
  const entry = [words, 0x5a534c4b, sizeAt, z.bss ?? 0x4000, z.textOffset ?? 0x8000, 0x10000].slice(0, words);
  const end = tableAt + (entry.length + 1) * 4;
  const out = new Uint8Array(end + (z.appendedDtb ? 64 : 0));
  const v = new DataView(out.buffer);
  out.set(code);
  out.set(z.payload, code.length);
  v.setUint32(sizeAt, z.stated ?? z.unpackedSize, true);
  entry.forEach((w, i) => v.setUint32(tableAt + 4 * i, w, true));
  v.setUint32(0x20, 0xea000000, true);
  v.setUint32(0x24, ZIMAGE_MAGIC, true);
  v.setUint32(0x28, 0, true);
  v.setUint32(0x2c, end, true);
  v.setUint32(0x30, 0x04030201, true);
  if (z.table !== false) {
    v.setUint32(0x34, 0x45454545, true);
    v.setUint32(0x38, tableAt, true);
  }
  if (z.appendedDtb) v.setUint32(end, 0xd00dfeed, false);
  return out;
}

/** A kernel image of `size` bytes that compresses well but not to nothing. */
function kernel(size: number): Uint8Array {
  const k = new Uint8Array(size);
  for (let i = 0; i < size; i++) k[i] = (i * 2654435761) >>> 27 ? i >>> 9 : i & 0xff;
  return k;
}

function xz(data: Uint8Array): Uint8Array {
  const r = spawnSync('xz', ['-c', '-z', '--check=crc32', '--arm', '--lzma2=preset=6'], { input: data });
  assert.equal(r.status, 0, String(r.stderr));
  return new Uint8Array(r.stdout);
}

function unpack(bytes: Uint8Array) {
  const k = classifyKernel(bytes, 'zImage');
  assert.equal(k.kind, 'zimage');
  return unpackZImage(k as typeof k & { kind: 'zimage' }, 'zImage');
}

describe('zImage unpacking on the host', () => {
  const image = kernel(300_000);
  const gz = new Uint8Array(gzipSync(image));

  it(
    'unpacks an XZ payload (with the ARM branch converter) and reads the loader table',
    { skip: !haveXz },
    () => {
      const u = unpack(
        zimage({ payload: xz(image), unpackedSize: image.length, textOffset: 0x208000, bss: 0x5e4d4 }),
      );
      assert.ok(typeof u !== 'string', String(u));
      assert.deepEqual(u.image, image);
      assert.equal(u.textOffset, 0x208000);
      assert.equal(u.bssSize, 0x5e4d4);
      assert.equal(u.format, 'xz');
    },
  );

  it('refuses a damaged XZ payload with a clear error instead of booting it', { skip: !haveXz }, () => {
    const payload = xz(image);
    payload[payload.length >>> 1]! ^= 0x10;
    const bytes = zimage({ payload, unpackedSize: image.length });
    assert.throws(
      () => unpack(bytes),
      (err: unknown) =>
        err instanceof LoaderError &&
        err.code === 'LOADER_READ_FAILED' &&
        /zImage: the zImage's XZ payload at 0x200 is damaged \(.+\); --guest-decompress/.test(err.message),
    );
    const ram = { base: RAM_BASE, bytes: new Uint8Array(8 * MiB) };
    assert.throws(() => bootKernel(ram, { kernel: bytes, kernelName: 'zImage', cpus: 1 }), LoaderError);
    // asked to, the zImage still boots as it is
    const boot = bootKernel(ram, { kernel: bytes, kernelName: 'zImage', cpus: 1, unpackZImage: false });
    assert.equal(boot.entry.pc, RAM_BASE + KERNEL_LOAD_OFFSET);
  });

  it('unpacks a gzip payload', () => {
    const u = unpack(zimage({ payload: gz, unpackedSize: image.length }));
    assert.ok(typeof u !== 'string', String(u));
    assert.deepEqual(u.image, image);
    assert.equal(u.format, 'gzip');
  });

  it('says why it leaves a zImage to its own decompressor', () => {
    const cases: [FakeZImage, RegExp][] = [
      [{ payload: gz, unpackedSize: image.length, table: false }, /no loader table/],
      [{ payload: gz, unpackedSize: image.length, entryWords: 4 }, /does not give TEXT_OFFSET/],
      [{ payload: gz, unpackedSize: image.length, appendedDtb: true }, /appended device tree/],
      [{ payload: gz, unpackedSize: image.length, stated: image.length + 1 }, /not XZ or gzip|stated size/],
      [{ payload: kernel(5000).map((b) => b ^ 0x5a), unpackedSize: 9000 }, /not XZ or gzip/],
    ];
    for (const [z, reason] of cases) {
      const u = unpack(zimage(z));
      assert.equal(typeof u, 'string');
      assert.match(u as string, reason);
    }
  });

  it('boots the unpacked kernel where the decompressor would put it, the initrd clear of its BSS', () => {
    // 8 MiB of RAM puts the initrd at 4 MiB by QEMU's rule: inside this kernel's BSS, so it moves up
    const big = kernel(3 * MiB);
    const bytes = zimage({ payload: new Uint8Array(gzipSync(big)), unpackedSize: big.length, bss: 2 * MiB });
    const ram = new Uint8Array(8 * MiB);
    const boot = bootKernel(
      { base: RAM_BASE, bytes: ram },
      {
        kernel: bytes,
        kernelName: 'zImage',
        cpus: 1,
        initrd: new Uint8Array(1000).fill(7),
      },
    );
    assert.equal(boot.entry.pc, RAM_BASE + 0x8000);
    assert.equal(boot.entry.r2, boot.dtb!.address);
    assert.deepEqual(ram.subarray(0x8000, 0x8000 + big.length), big);
    assert.ok(boot.initrd!.start >= RAM_BASE + 0x8000 + big.length + 2 * MiB, 'the initrd is past the BSS');
    assert.match(boot.notes.join('\n'), /unpacked the zImage's gzip payload on the host/);
  });

  it('leaves the zImage to decompress itself when asked', () => {
    const bytes = zimage({ payload: gz, unpackedSize: image.length });
    const ram = new Uint8Array(8 * MiB);
    const boot = bootKernel(
      { base: RAM_BASE, bytes: ram },
      { kernel: bytes, kernelName: 'zImage', cpus: 1, unpackZImage: false },
    );
    assert.equal(boot.entry.pc, RAM_BASE + KERNEL_LOAD_OFFSET);
    assert.deepEqual(ram.subarray(KERNEL_LOAD_OFFSET, KERNEL_LOAD_OFFSET + bytes.length), bytes);
    assert.deepEqual(boot.notes, []);
  });
});
