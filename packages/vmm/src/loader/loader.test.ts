import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseElf } from '@armvm/arm';
import { TestHttpServer } from '../../../netfs-http/src/test-support/http-server.ts';
import { FdtNode } from '../fdt/fdt-node.ts';
import { propCells, propStrings, readFdt } from '../fdt/fdt-reader.ts';
import { writeFdt } from '../fdt/fdt-writer.ts';
import { BOOT_CPSR } from './boot-entry.ts';
import { loadElf } from './elf-loader.ts';
import type { GuestRam } from './guest-ram.ts';
import { readImage } from './image-file.ts';
import { bootKernel } from './kernel-boot.ts';
import { classifyKernel, ZIMAGE_MAGIC } from './kernel-image.ts';
import { LoaderError } from './loader-error.ts';
import { openRemoteCache } from './remote-cache.ts';

const RAM_BASE = 0x40000000;
const MiB = 1024 * 1024;
const HELLO = new URL('../../../../conformance/build/p-hello.arm.elf', import.meta.url);

function ram(size: number): GuestRam {
  return { base: RAM_BASE, bytes: new Uint8Array(size) };
}

/** A one-segment little-endian ARM ELF: `code` at `paddr`, entered at `entry`. */
function elf(paddr: number, code: Uint8Array, entry = paddr, memsz = code.length): Uint8Array {
  const out = new Uint8Array(52 + 32 + code.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 40, true); // EM_ARM
  v.setUint32(20, 1, true);
  v.setUint32(24, entry, true);
  v.setUint32(28, 52, true); // phoff
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(56, 84, true); // offset
  v.setUint32(60, paddr, true);
  v.setUint32(64, paddr, true);
  v.setUint32(68, code.length, true);
  v.setUint32(72, memsz, true);
  out.set(code, 84);
  return out;
}

function dtbAt(r: GuestRam, address: number) {
  return readFdt(r.bytes.subarray(address - r.base)).root;
}

function rejects(fn: () => unknown, code: LoaderError['code'], pattern?: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof LoaderError, String(e));
    assert.equal(e.code, code);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe('ELF loader', () => {
  it('loads a conformance program at its physical addresses and enters at its entry point', () => {
    const bytes = new Uint8Array(readFileSync(HELLO));
    const r = ram(64 * MiB);
    const result = loadElf(r, bytes, 'p-hello');
    const image = parseElf(bytes);
    assert.equal(result.entry.pc, image.entry);
    assert.deepEqual(
      [result.entry.r0, result.entry.r1, result.entry.r2, result.entry.thumb],
      [0, 0, 0, false],
    );
    for (const s of image.segments) {
      assert.deepEqual(r.bytes.subarray(s.paddr - RAM_BASE, s.paddr - RAM_BASE + s.data.length), s.data);
    }
    assert.equal(result.dtbRoom, undefined, 'the program starts at RAM base: no room for a device tree');
  });

  it('zeroes bss, enters Thumb at an odd entry, and leaves room for the device tree below', () => {
    const r = ram(16 * MiB);
    r.bytes.fill(0xee);
    const result = loadElf(r, elf(0x40100000, Uint8Array.of(1, 2, 3, 4), 0x40100001, 16), 'x');
    assert.deepEqual(
      [...r.bytes.subarray(0x100000, 0x100000 + 17)],
      [1, 2, 3, 4, ...new Array(12).fill(0), 0xee],
    );
    assert.equal(result.entry.pc, 0x40100000);
    assert.equal(result.entry.thumb, true);
    assert.deepEqual(result.dtbRoom, { address: RAM_BASE, limit: 0x40100000 });
  });

  it('refuses segments outside RAM, corrupt files and images larger than RAM', () => {
    rejects(
      () => loadElf(ram(MiB), elf(0x09000000, Uint8Array.of(1)), 'dev.elf'),
      'LOADER_OUTSIDE_RAM',
      /dev\.elf.*0x9000000.*outside RAM/,
    );
    rejects(
      () => loadElf(ram(MiB), elf(0x400ffffe, Uint8Array.of(1, 2, 3, 4)), 'edge.elf'),
      'LOADER_OUTSIDE_RAM',
    );
    const corrupt = elf(RAM_BASE, Uint8Array.of(1));
    corrupt[18] = 3; // not ARM
    rejects(() => loadElf(ram(MiB), corrupt, 'x86.elf'), 'LOADER_BAD_ELF', /x86\.elf: not an ARM ELF/);
    rejects(
      () => loadElf(ram(MiB), elf(RAM_BASE, Uint8Array.of(1)).subarray(0, 70), 'short.elf'),
      'LOADER_BAD_ELF',
    );
    rejects(
      () => loadElf(ram(MiB), elf(RAM_BASE, Uint8Array.of(1), RAM_BASE, 2 * MiB), 'big.elf'),
      'LOADER_TOO_BIG',
    );
  });
});

describe('kernel images', () => {
  it('tells ELF, zImage and raw images apart, and refuses a truncated zImage', () => {
    const z = new Uint8Array(0x1000);
    const v = new DataView(z.buffer);
    v.setUint32(0x24, ZIMAGE_MAGIC, true);
    v.setUint32(0x28, 0, true);
    v.setUint32(0x2c, 0x1000, true);
    assert.deepEqual(classifyKernel(z, 'z'), { kind: 'zimage', bytes: z, start: 0, end: 0x1000 });
    assert.equal(classifyKernel(elf(RAM_BASE, Uint8Array.of(1)), 'e').kind, 'elf');
    assert.equal(classifyKernel(Uint8Array.of(1, 2, 3), 'r').kind, 'raw');
    v.setUint32(0x2c, 0x2000, true);
    rejects(() => classifyKernel(z, 'cut.zImage'), 'LOADER_READ_FAILED', /truncated/);
    rejects(() => classifyKernel(new Uint8Array(0), 'empty'), 'LOADER_READ_FAILED', /empty/);
  });
});

describe('Linux boot protocol', () => {
  const kernel = Uint8Array.from({ length: 0x3000 }, (_, i) => i & 0xff);

  it('places kernel, initrd and device tree where QEMU does with 256 MiB, and sets r0-r2', () => {
    const r = ram(256 * MiB);
    const initrd = Uint8Array.of(9, 8, 7, 6);
    const boot = bootKernel(r, {
      kernel,
      kernelName: 'k',
      initrd,
      bootargs: 'console=ttyAMA0 hello',
      cpus: 2,
    });
    assert.equal(boot.kind, 'raw');
    assert.deepEqual(r.bytes.subarray(0x10000, 0x13000), kernel);
    assert.deepEqual(boot.initrd, { start: 0x48000000, end: 0x48000004 });
    assert.deepEqual([...r.bytes.subarray(0x8000000, 0x8000004)], [9, 8, 7, 6]);
    assert.equal(boot.dtb?.address, 0x48001000);
    assert.deepEqual(boot.entry, { pc: 0x40010000, thumb: false, r0: 0, r1: 0xffffffff, r2: 0x48001000 });
    assert.equal(boot.cpsr, BOOT_CPSR);
    assert.equal(BOOT_CPSR & 0x1f, 0x13, 'SVC');
    assert.equal(BOOT_CPSR & 0xc0, 0xc0, 'IRQ and FIQ masked');
    const dt = dtbAt(r, 0x48001000);
    assert.deepEqual(propStrings(dt.find('/chosen')?.get('bootargs')), ['console=ttyAMA0 hello']);
    assert.deepEqual(propCells(dt.find('/chosen')?.get('linux,initrd-start')), [0x48000000]);
    assert.deepEqual(propCells(dt.find('/chosen')?.get('linux,initrd-end')), [0x48000004]);
    assert.deepEqual(propCells(dt.find('/memory@40000000')?.get('reg')), [0, RAM_BASE, 0, 256 * MiB]);
    assert.equal(dt.find('/cpus')?.children.length, 2);
  });

  it('without an initrd puts the device tree at the initrd address; with small RAM at half of it', () => {
    const r = ram(16 * MiB);
    const boot = bootKernel(r, { kernel, kernelName: 'k', cpus: 1 });
    assert.equal(boot.dtb?.address, RAM_BASE + 8 * MiB);
    assert.equal(boot.initrd, undefined);
    assert.equal(
      dtbAt(r, RAM_BASE + 8 * MiB)
        .find('/chosen')
        ?.get('linux,initrd-start'),
      undefined,
    );
  });

  it('a zImage boots the same way', () => {
    const z = new Uint8Array(0x2000);
    new DataView(z.buffer).setUint32(0x24, ZIMAGE_MAGIC, true);
    new DataView(z.buffer).setUint32(0x2c, 0x2000, true);
    const boot = bootKernel(ram(64 * MiB), { kernel: z, kernelName: 'zImage', cpus: 1 });
    assert.equal(boot.kind, 'zimage');
    assert.equal(boot.entry.pc, 0x40010000);
    assert.equal(boot.entry.r2, RAM_BASE + 32 * MiB);
  });

  it('refuses a kernel or initrd larger than RAM with a clear message', () => {
    rejects(
      () => bootKernel(ram(MiB), { kernel: new Uint8Array(MiB), kernelName: 'huge', cpus: 1 }),
      'LOADER_TOO_BIG',
      /huge.*does not fit in RAM/,
    );
    rejects(
      () =>
        bootKernel(ram(MiB), {
          kernel,
          kernelName: 'k',
          initrd: new Uint8Array(MiB),
          initrdName: 'rd.img',
          cpus: 1,
        }),
      'LOADER_TOO_BIG',
      /rd\.img.*does not fit/,
    );
  });

  it('an ELF kernel gets the device tree at RAM base when there is room, and ignores an initrd', () => {
    const r = ram(16 * MiB);
    const boot = bootKernel(r, {
      kernel: elf(0x40100000, Uint8Array.of(0, 0, 0, 0)),
      kernelName: 'e',
      initrd: Uint8Array.of(1),
      cpus: 1,
      bootargs: 'x',
    });
    assert.equal(boot.kind, 'elf');
    assert.equal(boot.dtb?.address, RAM_BASE);
    assert.deepEqual(propStrings(dtbAt(r, RAM_BASE).find('/chosen')?.get('bootargs')), ['x']);
    assert.equal(boot.notes.length, 1);
    assert.equal(boot.entry.r2, 0);
  });

  it("a user's device tree keeps its nodes and gets bootargs and the initrd in /chosen", () => {
    const mine = new FdtNode('').set('model', 'mine');
    mine.add('chosen').set('bootargs', 'old');
    const r = ram(64 * MiB);
    const boot = bootKernel(r, {
      kernel,
      kernelName: 'k',
      cpus: 1,
      bootargs: 'new',
      initrd: Uint8Array.of(1),
      dtb: writeFdt(mine),
    });
    const dt = dtbAt(r, boot.dtb!.address);
    assert.deepEqual(propStrings(dt.get('model')), ['mine']);
    assert.deepEqual(propStrings(dt.find('/chosen')?.get('bootargs')), ['new']);
    assert.deepEqual(propCells(dt.find('/chosen')?.get('linux,initrd-start')), [boot.initrd!.start]);
    rejects(
      () => bootKernel(ram(64 * MiB), { kernel, kernelName: 'k', cpus: 1, dtb: Uint8Array.of(1, 2, 3) }),
      'LOADER_BAD_DTB',
    );
  });
});

describe('readImage', () => {
  let dir: string;
  let server: TestHttpServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmm-loader-'));
    server = await TestHttpServer.start({ '/kernel.bin': Buffer.from('remote kernel') });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads files, names missing ones, and refuses files larger than the limit', async () => {
    const path = join(dir, 'k.bin');
    await writeFile(path, Buffer.from('local kernel'));
    assert.equal(Buffer.from(await readImage(path)).toString(), 'local kernel');
    await assert.rejects(readImage(join(dir, 'gone.bin'), { what: 'kernel' }), (e) => {
      assert.ok(e instanceof LoaderError);
      assert.equal(e.code, 'LOADER_NOT_FOUND');
      assert.match(e.message, /kernel .*gone\.bin: no such file/);
      return true;
    });
    await assert.rejects(readImage(path, { limit: 4 }), { code: 'LOADER_TOO_BIG' });
  });

  it('reads URLs through the netfs', async () => {
    const remote = await openRemoteCache({ cacheDir: join(dir, 'cache') });
    try {
      assert.equal(
        Buffer.from(await readImage(server.url('/kernel.bin'), { netfs: remote.netfs })).toString(),
        'remote kernel',
      );
      await assert.rejects(readImage(server.url('/missing'), { netfs: remote.netfs }), {
        code: 'LOADER_NOT_FOUND',
      });
      await assert.rejects(readImage(server.url('/kernel.bin')), { code: 'LOADER_READ_FAILED' });
    } finally {
      await remote.close();
    }
  });
});
