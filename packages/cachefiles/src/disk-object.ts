/** An object of the on-disk cache: where it lives, its open file and its metadata. */
import type { FileHandle } from 'node:fs/promises';
import {
  type CookieType,
  type FscacheCache,
  type FscacheCookie,
  FscacheObject,
  type Timer,
} from '@armvm/fscache';
import type { ObjectMeta } from './object-meta.ts';

/** An on-disk object. Index objects are directories; data and special objects are files. */
export class DiskObject extends FscacheObject {
  readonly type: CookieType;
  /** The key's path components below the parent's directory (see key-encoding.ts). */
  readonly parts: string[];
  /** The object's directory (index) or data file (data, special); set when it is looked up. */
  path = '';
  /** Where its metadata lives; set with `path`. */
  metaPath = '';
  /** The metadata as the object knows it now (null until looked up). */
  meta: ObjectMeta | null = null;
  /** The data file, open while the object lives. */
  file: FileHandle | null = null;
  /** The object keeps its data in its metadata record (one file; small objects). */
  inline = false;
  /** The DIRTY marker is on disk: the object is being modified. */
  markedDirty = false;
  /** The metadata changed since it was last written clean. */
  changed = false;
  /** Blocks whose checksum was verified since the object was opened. */
  verified: Uint8Array | null = null;
  /** SHA-256 of the key path, recorded in the metadata (set with `path`). */
  identity: Uint8Array | null = null;
  /** The claim file this process holds on the object (it is the object's writer), if any. */
  claim: string | null = null;
  /** Another live process is the object's writer: this one only reads what it has stored. */
  readerOf: string | null = null;
  /** The other process is writing another version: read what was adopted, wait for nothing more. */
  otherVersion = false;
  /** What the metadata file was when last read: inode and mtime (to notice a writer's flush). */
  metaStamp = '';
  /** Writes are declined: the disk is at its limit. */
  declined = false;
  /** Whether the object's size was checked against all the room the cache could make. */
  sizeChecked = false;
  /** Serialises writes, flushes and the final drop of this object. */
  queue: Promise<unknown> = Promise.resolve();
  flushTimer: Timer | null = null;

  constructor(cache: FscacheCache, cookie: FscacheCookie | null, type: CookieType, parts: string[]) {
    super(cache, cookie);
    this.type = type;
    this.parts = parts;
  }

  /** Runs `task` after everything queued before it on this object. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }
}
