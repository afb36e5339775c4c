/**
 * `npm start`: FS-Cache at work. A pretend network filesystem caches two files in two memory
 * caches; every object's state changes are printed as they happen, then the /proc-style stats
 * and histogram.
 */
import { CheckAux, type CookieDef, Fscache, MemoryCache, OBJECT_STATE_NAMES } from '@armvm/fscache';

interface RemoteFile {
  path: string;
  etag: string;
  body: Uint8Array;
}

const serverDef: CookieDef<string> = {
  name: 'server',
  type: 'index',
  getKey: (host) => host,
  selectCache: (_parent, host) => (host.endsWith('.eu') ? 'eu-cache' : 'main-cache'),
};
const fileDef: CookieDef<RemoteFile> = {
  name: 'file',
  type: 'data',
  getKey: (f) => f.path,
  getAux: (f) => f.etag,
  checkAux: (f, aux) => (new TextDecoder().decode(aux) === f.etag ? CheckAux.OKAY : CheckAux.OBSOLETE),
  getAttr: (f) => f.body.length,
};

const fs = new Fscache();
const t0 = Date.now();
const labels = new WeakMap<object, string>(); // objects outlive their cookies' names
fs.onTransition = (object, from, to) => {
  let label = labels.get(object);
  if (!label && object.cookie) {
    const key = new TextDecoder().decode(object.cookie.key());
    label = key ? `${object.cookie.name} ${key}` : 'master index';
    labels.set(object, label);
  }
  const id = `OBJ${object.debugId.toString(16)}`;
  console.log(
    `  +${String(Date.now() - t0).padStart(3)}ms  ${id.padEnd(6)} ${OBJECT_STATE_NAMES[from].padEnd(11)} -> ${OBJECT_STATE_NAMES[to].padEnd(11)} ${object.cache.tag.padEnd(10)} ${label ?? ''}`,
  );
};
const settle = () => new Promise((r) => setTimeout(r, 5));

console.log('Two caches are added and a netfs registers.');
const main = await fs.addCache(new MemoryCache(), 'main-cache');
await fs.addCache(new MemoryCache(), 'eu-cache');
const netfs = fs.registerNetfs({ name: 'demo-http', version: 1 });

const fetches = { network: 0, cache: 0 };
/** Reads a file the way a netfs does: from the cache if it can, else from the "network". */
async function read(server: string, file: RemoteFile): Promise<void> {
  const host = await fs.acquireCookie(netfs.primaryIndex, serverDef, server);
  const cookie = await fs.acquireCookie(host, fileDef, file);
  const r = await fs.readOrAllocPage(cookie, 0);
  if (r.status === 'ok') {
    fetches.cache++;
    console.log(`  ${file.path}: served from the cache (${r.data.length} bytes)`);
  } else {
    fetches.network++;
    if (r.status === 'ENODATA') {
      console.log(`  ${file.path}: ENODATA, fetched from the network and written to the cache`);
      await fs.writePage(cookie, 0, file.body);
    } else {
      console.log(`  ${file.path}: ${r.status}, fetched from the network (no cache can hold it)`);
    }
  }
  fs.uncachePage(cookie, 0);
  await fs.relinquishCookie(cookie);
  await fs.relinquishCookie(host);
  await settle();
}

const a: RemoteFile = {
  path: '/kernel.img',
  etag: '"v1"',
  body: new TextEncoder().encode('ARM kernel image bytes'),
};
const b: RemoteFile = { path: '/disk.qcow', etag: '"7"', body: new TextEncoder().encode('disk bytes') };

console.log('\nFirst reads miss: objects are looked up, created, and the data is written back.');
await read('files.example.com', a);
await read('mirror.example.eu', b);
console.log('\nSecond reads hit: lookups find the objects and their aux data is current.');
await read('files.example.com', a);
await read('mirror.example.eu', b);
console.log(
  '\nThe server changes the file: its aux data is obsolete, so the object is discarded and recreated.',
);
a.etag = '"v2"';
await read('files.example.com', a);

console.log('\nThe main cache is withdrawn: its objects die; the next read finds no cache and says ENOBUFS.');
await fs.withdrawCache(main);
await read('files.example.com', a);

await fs.unregisterNetfs(netfs);
await fs.close();
console.log(`\n${fetches.cache} reads from the cache, ${fetches.network} from the network.\n`);
console.log(fs.statsText());
console.log(fs.histogramText());
