import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestHttpServer } from '../../../../netfs-http/src/test-support/http-server.ts';
import { openRemoteCache } from '../../loader/remote-cache.ts';
import { TestVirtioDriver } from '../../test-support/virtio-driver.ts';
import { BlockBackendError } from './block-backend.ts';
import { FileBlockBackend } from './file-block-backend.ts';
import { HttpBlockBackend } from './http-block-backend.ts';
import { VIRTIO_BLK_F, VIRTIO_BLK_S, VIRTIO_BLK_T, VirtioBlk } from './virtio-blk.ts';
import { VIRTIO_F_VERSION_1 } from './virtio-device.ts';
import { VIRTIO_MMIO as R } from './virtio-mmio.ts';

const SECTORS = 64;

/** A disk image whose every byte says where it is: byte i is (i * 7 + i >> 9) & 0xff. */
function pattern(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >> 9)) & 0xff;
  return b;
}

function header(type: number, sector: number): Uint8Array {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(type, 0);
  h.writeBigUInt64LE(BigInt(sector), 8);
  return h;
}

interface Rig {
  d: TestVirtioDriver;
  blk: VirtioBlk;
}

function rig(blk: VirtioBlk): Rig {
  const d = new TestVirtioDriver(blk);
  d.bringUp(1, blk.features);
  return { d, blk };
}

/** Posts a request, notifies, waits for completion; returns [status, used length, data address]. */
async function request(
  r: Rig,
  parts: Parameters<TestVirtioDriver['post']>[1],
): Promise<[number, number, number[]]> {
  const addrs = r.d.post(0, parts);
  r.d.notify(0);
  await r.blk.drain();
  const used = r.d.used(0);
  assert.equal(used.length, 1);
  const statusAddr = addrs[addrs.length - 1]!;
  return [r.d.memory.read(statusAddr, 1)[0]!, used[0]!.len, addrs];
}

describe('virtio-blk on a file', () => {
  let dir: string;
  let path: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmm-blk-'));
    path = join(dir, 'disk.img');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reports capacity and blk_size in config, FLUSH for a writable disk, RO for a read-only one', async () => {
    await writeFile(path, pattern(SECTORS * 512));
    const rw = await FileBlockBackend.open(path);
    const blk = new VirtioBlk(rw);
    const d = new TestVirtioDriver(blk);
    assert.equal(d.reg(R.DEVICE_ID), 2);
    assert.equal(d.transport.read(R.CONFIG, 4), SECTORS);
    assert.equal(d.transport.read(R.CONFIG + 4, 4), 0);
    assert.equal(d.transport.read(R.CONFIG + 20, 4), 512);
    assert.equal(d.deviceFeatures(), VIRTIO_F_VERSION_1 | VIRTIO_BLK_F.FLUSH | VIRTIO_BLK_F.BLK_SIZE);
    await rw.close();
    const ro = await FileBlockBackend.open(path, { readOnly: true });
    assert.equal(new VirtioBlk(ro).features & VIRTIO_BLK_F.RO, VIRTIO_BLK_F.RO);
    await ro.close();
  });

  it('reads sectors into scattered buffers, asynchronously, then raises the interrupt', async () => {
    const image = pattern(SECTORS * 512);
    await writeFile(path, image);
    const backend = await FileBlockBackend.open(path);
    const r = rig(new VirtioBlk(backend));
    r.d.set(R.INTERRUPT_ACK, 3);
    const addrs = r.d.post(0, [
      { readable: header(VIRTIO_BLK_T.IN, 3) },
      { writable: 512 },
      { writable: 512 },
      { writable: 1 },
    ]);
    r.d.notify(0);
    assert.equal(r.d.irq.level, false, 'the file read has not completed yet');
    await r.blk.drain();
    assert.equal(r.d.irq.level, true);
    assert.deepEqual(r.d.used(0), [{ id: 0, len: 1025 }]);
    assert.equal(r.d.memory.read(addrs[3]!, 1)[0], VIRTIO_BLK_S.OK);
    assert.deepEqual(Buffer.from(r.d.memory.read(addrs[1]!, 512)), image.subarray(3 * 512, 4 * 512));
    assert.deepEqual(Buffer.from(r.d.memory.read(addrs[2]!, 512)), image.subarray(4 * 512, 5 * 512));
    await backend.close();
  });

  it('writes and flushes to the file; out-of-range and unknown requests fail with a status', async () => {
    await writeFile(path, Buffer.alloc(SECTORS * 512));
    const backend = await FileBlockBackend.open(path);
    const r = rig(new VirtioBlk(backend));
    const data = Buffer.alloc(1024, 0xab);
    const [status, len] = await request(r, [
      { readable: header(VIRTIO_BLK_T.OUT, 10) },
      { readable: data },
      { writable: 1 },
    ]);
    assert.deepEqual([status, len], [VIRTIO_BLK_S.OK, 1]);
    assert.deepEqual(
      [...(await request(r, [{ readable: header(VIRTIO_BLK_T.FLUSH, 0) }, { writable: 1 }]))].slice(0, 2),
      [VIRTIO_BLK_S.OK, 1],
    );
    const onDisk = await readFile(path);
    assert.deepEqual(onDisk.subarray(10 * 512, 12 * 512), data);
    assert.equal(onDisk[12 * 512], 0);
    const [beyond, beyondLength] = await request(r, [
      { readable: header(VIRTIO_BLK_T.IN, SECTORS - 1) },
      { writable: 1024 },
      { writable: 1 },
    ]);
    assert.equal(beyond, VIRTIO_BLK_S.IOERR);
    assert.equal(beyondLength, 1025, 'QEMU reports every writable byte as used, even on error');
    const [odd] = await request(r, [
      { readable: header(VIRTIO_BLK_T.IN, 0) },
      { writable: 100 },
      { writable: 1 },
    ]);
    assert.equal(odd, VIRTIO_BLK_S.IOERR, 'not a whole number of sectors');
    const [unknown] = await request(r, [{ readable: header(99, 0) }, { writable: 1 }]);
    assert.equal(unknown, VIRTIO_BLK_S.UNSUPP);
    assert.deepEqual(
      { ...r.blk.stats },
      { reads: 0, writes: 1, flushes: 1, errors: 2, bytesRead: 0, bytesWritten: 1024 },
    );
    await backend.close();
  });

  it('rounds a partial last sector up, reading zeros past the end of the file', async () => {
    const image = pattern(1000);
    await writeFile(path, image);
    const backend = await FileBlockBackend.open(path);
    const r = rig(new VirtioBlk(backend));
    assert.equal(r.blk.capacity, 2);
    const [status, , addrs] = await request(r, [
      { readable: header(VIRTIO_BLK_T.IN, 1) },
      { writable: 512 },
      { writable: 1 },
    ]);
    assert.equal(status, VIRTIO_BLK_S.OK);
    assert.deepEqual(
      Buffer.from(r.d.memory.read(addrs[1]!, 512)),
      Buffer.concat([image.subarray(512), Buffer.alloc(24)]),
    );
    const [write] = await request(r, [
      { readable: header(VIRTIO_BLK_T.OUT, 1) },
      { readable: Buffer.alloc(512) },
      { writable: 1 },
    ]);
    assert.equal(write, VIRTIO_BLK_S.IOERR);
    await backend.close();
  });

  it('answers GET_ID with the serial padded to 20 bytes', async () => {
    await writeFile(path, Buffer.alloc(512));
    const backend = await FileBlockBackend.open(path);
    const r = rig(new VirtioBlk(backend, 'disk0'));
    const [status, len, addrs] = await request(r, [
      { readable: header(VIRTIO_BLK_T.GET_ID, 0) },
      { writable: 20 },
      { writable: 1 },
    ]);
    assert.equal(status, VIRTIO_BLK_S.OK);
    assert.equal(len, 21);
    assert.deepEqual(
      Buffer.from(r.d.memory.read(addrs[1]!, 20)),
      Buffer.concat([Buffer.from('disk0'), Buffer.alloc(15)]),
    );
    await backend.close();
  });

  it('refuses writes on a read-only disk and reports a missing image clearly', async () => {
    await writeFile(path, Buffer.alloc(4096));
    const backend = await FileBlockBackend.open(path, { readOnly: true });
    const r = rig(new VirtioBlk(backend));
    const [status] = await request(r, [
      { readable: header(VIRTIO_BLK_T.OUT, 0) },
      { readable: Buffer.alloc(512) },
      { writable: 1 },
    ]);
    assert.equal(status, VIRTIO_BLK_S.IOERR);
    await assert.rejects(backend.write(0, new Uint8Array(512)), { code: 'BLOCK_READ_ONLY' });
    await backend.close();
    await assert.rejects(FileBlockBackend.open(join(dir, 'missing.img')), (e) => {
      assert.ok(e instanceof BlockBackendError);
      assert.equal(e.code, 'BLOCK_OPEN_FAILED');
      assert.match(e.message, /missing\.img/);
      return true;
    });
  });
});

describe('virtio-blk on a URL through the cache', () => {
  let server: TestHttpServer;
  let dir: string;
  const image = pattern(256 * 1024);
  before(async () => {
    server = await TestHttpServer.start({ '/disk.img': image });
    dir = await mkdtemp(join(tmpdir(), 'vmm-blk-cache-'));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads over HTTP the first time and from the cache the second, read-only', async () => {
    for (const round of [1, 2]) {
      const remote = await openRemoteCache({ cacheDir: join(dir, 'cache'), maxAgeMs: 60_000 });
      assert.equal(remote.cached, true);
      const backend = await HttpBlockBackend.open(remote.netfs, server.url('/disk.img'));
      assert.equal(backend.size, image.length);
      const r = rig(new VirtioBlk(backend));
      assert.equal(r.d.transport.read(R.CONFIG, 4), image.length / 512);
      assert.equal(r.blk.features & VIRTIO_BLK_F.RO, VIRTIO_BLK_F.RO);
      const [status, len, addrs] = await request(r, [
        { readable: header(VIRTIO_BLK_T.IN, 200) },
        { writable: 4096 },
        { writable: 1 },
      ]);
      assert.equal(status, VIRTIO_BLK_S.OK);
      assert.equal(len, 4097);
      assert.deepEqual(
        Buffer.from(r.d.memory.read(addrs[1]!, 4096)),
        image.subarray(200 * 512, 200 * 512 + 4096),
      );
      const [write] = await request(r, [
        { readable: header(VIRTIO_BLK_T.OUT, 0) },
        { readable: Buffer.alloc(512) },
        { writable: 1 },
      ]);
      assert.equal(write, VIRTIO_BLK_S.IOERR);
      const stats = remote.netfs.stats;
      if (round === 1)
        assert.ok(stats.bytesFromNetwork >= 4096, `round 1 from the network (${stats.bytesFromNetwork})`);
      else {
        assert.equal(stats.bytesFromNetwork, 0, 'round 2 needs no network');
        assert.ok(stats.bytesFromCache >= 4096);
      }
      await backend.close();
      await remote.close();
    }
    assert.ok(
      server.logFor('/disk.img').some((e) => e.range !== undefined),
      'read with Range requests',
    );
  });

  it('a missing URL is a clear open error', async () => {
    const remote = await openRemoteCache();
    await assert.rejects(HttpBlockBackend.open(remote.netfs, server.url('/nope.img')), {
      code: 'BLOCK_OPEN_FAILED',
    });
    await remote.close();
  });
});
