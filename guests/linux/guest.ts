/**
 * The Linux guest the tests, the demo and the benchmark boot: Debian's armhf kernel and busybox,
 * fetched with `apt-get download`, and images built from them here:
 *
 *   out/<flavour>/vmlinuz              the kernel (a zImage), as Debian ships it
 *   out/<flavour>/initrd-workload.gz   /init runs a fixed workload, then powers off
 *   out/<flavour>/initrd-shell.gz      /init gives a busybox shell on the console
 *   out/<flavour>/disk.img             an empty ext4 file system for the workload (copy it per run)
 *
 * Nothing from Debian is committed: `out/` is git-ignored, and rebuilding is `npm run guest:linux`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type CpioEntry, CpioType, newcArchive } from '../../packages/vmm/src/loader/cpio.ts';
import { findModules, loadOrder } from './kernel-modules.ts';

/** Debian's kernel flavours for armhf that boot on the virt board. */
export type Flavour = 'armmp' | 'armmp-lpae';

/** Where a built guest's files are. */
export interface LinuxGuest {
  readonly flavour: Flavour;
  readonly dir: string;
  readonly kernel: string;
  readonly workloadInitrd: string;
  readonly shellInitrd: string;
  readonly disk: string;
  /** The Debian package versions it was built from. */
  readonly packages: Record<string, string>;
}

/** Why the guest cannot be built here (no apt, no armhf lists, no network). */
export class GuestUnavailableError extends Error {
  readonly code = 'ARMVM_NO_GUEST';
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** The built guests' folder (git-ignored). */
export const OUT = join(HERE, 'out');
/** Modules the workload loads: the virtio-mmio transport, the block driver and ext4. */
const MODULES = ['virtio_mmio', 'virtio_blk', 'crc32c_generic', 'ext4'];
const MANIFEST = 'manifest.json';
/** Bumped when the images' recipe changes in code, so old builds are remade. */
const RECIPE = 2;

/** What the images are made from besides Debian's packages: a build from other inputs is remade. */
function recipe(): string {
  const hash = createHash('sha256').update(`${RECIPE} ${MODULES.join(',')}`);
  for (const f of ['init-common.sh', 'init-workload.sh', 'init-shell.sh'])
    hash.update(readFileSync(join(HERE, f)));
  return hash.digest('hex').slice(0, 16);
}

function guestAt(dir: string, flavour: Flavour, packages: Record<string, string>): LinuxGuest {
  return {
    flavour,
    dir,
    kernel: join(dir, 'vmlinuz'),
    workloadInitrd: join(dir, 'initrd-workload.gz'),
    shellInitrd: join(dir, 'initrd-shell.gz'),
    disk: join(dir, 'disk.img'),
    packages,
  };
}

/** The guest built earlier, or undefined when it is missing or from an older recipe. */
export function builtGuest(flavour: Flavour = 'armmp', out = OUT): LinuxGuest | undefined {
  const dir = join(out, flavour);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as {
      recipe: string;
      packages: Record<string, string>;
    };
    const guest = guestAt(dir, flavour, manifest.packages);
    const complete = [guest.kernel, guest.workloadInitrd, guest.shellInitrd, guest.disk].every((f) =>
      existsSync(f),
    );
    return manifest.recipe === recipe() && complete ? guest : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new GuestUnavailableError(`${cmd} is not available (${r.error.message})`);
  if (r.status !== 0) throw new GuestUnavailableError(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The versioned kernel package the flavour's meta package points at, and the version of each. */
function resolvePackages(flavour: Flavour): Record<string, string> {
  const candidate = (pkg: string): string => {
    const policy = run('apt-cache', ['policy', `${pkg}:armhf`]);
    const version = /Candidate: (\S+)/.exec(policy)?.[1];
    if (version === undefined || version === '(none)') {
      throw new GuestUnavailableError(
        `apt knows no armhf package ${pkg}: add the architecture (scripts/install-deps.sh does, as root)`,
      );
    }
    return version;
  };
  const meta = `linux-image-${flavour}`;
  candidate(meta);
  const depends = run('apt-cache', ['depends', `${meta}:armhf`]);
  const image = new RegExp(`Depends: (linux-image-[0-9][^:\\s]*-${flavour})\\b`).exec(depends)?.[1];
  if (image === undefined) throw new GuestUnavailableError(`cannot tell which kernel ${meta} depends on`);
  return { [image]: candidate(image), 'busybox-static': candidate('busybox-static') };
}

/** Downloads the packages into `debs` (kept between builds) and returns their files. */
function download(packages: Record<string, string>, debs: string, log: (line: string) => void): string[] {
  mkdirSync(debs, { recursive: true });
  return Object.entries(packages).map(([pkg, version]) => {
    // file names carry the version without its epoch ("1:1.35.0-4" is saved as "1%3a1.35.0-4")
    const bare = version.replace(/^\d+:/, '');
    const find = () =>
      readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(`${bare}_armhf.deb`));
    if (find() === undefined) {
      log(`downloading ${pkg} ${version} (armhf)`);
      run('apt-get', ['download', '-q', `${pkg}:armhf=${version}`], debs);
    }
    const got = find();
    if (got === undefined) throw new GuestUnavailableError(`apt-get download left no ${pkg} ${version}`);
    return join(debs, got);
  });
}

/** Unpacks the parts of a package we use (`patterns` are tar wildcards) into `dir`. */
function unpack(deb: string, dir: string, patterns: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', deb], { maxBuffer: 1 << 30 });
  const r = spawnSync('tar', ['-x', '-C', dir, '--wildcards', ...patterns], { input: tar });
  if (r.status !== 0)
    throw new GuestUnavailableError(`unpacking ${basename(deb)} failed: ${r.stderr.toString().trim()}`);
}

/** A directory entry, and the entries for every directory above it not yet in `seen`. */
function withParents(path: string, seen: Set<string>, out: CpioEntry[]): void {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (!seen.has(dir)) {
      seen.add(dir);
      out.push({ path: dir, mode: CpioType.directory | 0o755 });
    }
  }
}

/** An initramfs: busybox, the kernel modules, the shared init code and `init` as /init. */
function initramfs(
  busybox: Uint8Array,
  modules: readonly { name: string; bytes: Uint8Array }[],
  init: string,
): Uint8Array {
  const entries: CpioEntry[] = [];
  const seen = new Set<string>();
  const file = (path: string, bytes: Uint8Array, mode = 0o644): void => {
    withParents(path, seen, entries);
    entries.push({ path, mode: CpioType.file | mode, data: bytes });
  };
  const text = (s: string) => new TextEncoder().encode(s);
  for (const dir of ['dev', 'proc', 'sys', 'tmp', 'mnt', 'sbin', 'usr/bin', 'usr/sbin']) {
    withParents(`${dir}/x`, seen, entries);
  }
  entries.push({ path: 'dev/console', mode: CpioType.characterDevice | 0o600, rdev: { major: 5, minor: 1 } });
  file('bin/busybox', busybox, 0o755);
  entries.push({ path: 'bin/sh', mode: CpioType.symlink | 0o777, data: text('busybox') });
  for (const m of modules) file(`lib/modules/${m.name}`, m.bytes);
  file('lib/modules/load-order', text(modules.map((m) => m.name).join('\n') + '\n'));
  file('init-common.sh', readFileSync(join(HERE, 'init-common.sh')));
  file('init', text(init), 0o755);
  return gzipSync(newcArchive(entries), { level: 9 });
}

/** An empty ext4 file system of `mib` MiB, made by e2fsprogs' mkfs.ext4. */
function makeDisk(path: string, mib: number): void {
  rmSync(path, { force: true });
  const mkfs = ['mkfs.ext4', '/sbin/mkfs.ext4', '/usr/sbin/mkfs.ext4'].find(
    (m) => !spawnSync(m, ['-V']).error,
  );
  if (mkfs === undefined) throw new GuestUnavailableError('mkfs.ext4 (e2fsprogs) is not installed');
  run(mkfs, ['-q', '-F', '-L', 'workload', '-E', 'lazy_itable_init=0,lazy_journal_init=0', path, `${mib}M`]);
}

/**
 * Builds the guest of `flavour` into `out/<flavour>` unless an up-to-date build is there. Throws a
 * GuestUnavailableError saying why when this machine cannot (no apt, no armhf lists, no network).
 */
export function buildGuest(
  flavour: Flavour = 'armmp',
  out = OUT,
  log: (line: string) => void = () => {},
): LinuxGuest {
  const packages = resolvePackages(flavour);
  const dir = join(out, flavour);
  const built = builtGuest(flavour, out);
  if (built && JSON.stringify(built.packages) === JSON.stringify(packages)) return built;

  const [kernelDeb, busyboxDeb] = download(packages, join(out, 'debs'), log);
  const work = join(dir, 'unpacked');
  rmSync(work, { recursive: true, force: true });
  unpack(kernelDeb!, work, ['./boot/vmlinuz-*', './boot/config-*', './lib/modules/*/kernel/*']);
  unpack(busyboxDeb!, work, ['./bin/busybox']);

  const kernel = readdirSync(join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'));
  if (kernel === undefined) throw new GuestUnavailableError(`${basename(kernelDeb!)} holds no vmlinuz`);
  const modulesDir = join(work, 'lib/modules', readdirSync(join(work, 'lib/modules'))[0]!);
  const order = loadOrder(MODULES, findModules(modulesDir));
  log(`kernel ${kernel}, modules ${order.map((f) => basename(f, '.ko')).join(' ')}`);
  const modules = order.map((f) => ({ name: basename(f), bytes: readFileSync(f) }));
  const busybox = readFileSync(join(work, 'bin/busybox'));

  const guest = guestAt(dir, flavour, packages);
  writeFileSync(join(dir, 'vmlinuz.tmp'), readFileSync(join(work, 'boot', kernel)));
  renameSync(join(dir, 'vmlinuz.tmp'), guest.kernel);
  writeFileSync(
    guest.workloadInitrd,
    initramfs(busybox, modules, readFileSync(join(HERE, 'init-workload.sh'), 'utf8')),
  );
  writeFileSync(
    guest.shellInitrd,
    initramfs(busybox, modules, readFileSync(join(HERE, 'init-shell.sh'), 'utf8')),
  );
  makeDisk(guest.disk, 32);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(dir, MANIFEST), JSON.stringify({ recipe: recipe(), packages }, null, 2) + '\n');
  log(`built ${relative(process.cwd(), dir) || '.'}`);
  return guest;
}
