import type {CheckpointMeta} from './checkpoint';

// Node's file system, loaded lazily so that browser bundles of the package never pull it in.
/** The part of `node:fs/promises` the checkpoint writer uses (tests inject a failing one). */
export type CheckpointFs = Pick<typeof import('node:fs/promises'), 'mkdir' | 'open' | 'rename' | 'rm' | 'readdir' | 'readFile' | 'access'>;
type Path = typeof import('node:path');
// Computed specifiers: a browser bundle of the main entry must not try to resolve node:* modules.
const NODE_FS = ['node:fs', 'promises'].join('/');
const NODE_PATH = ['node:', 'path'].join('');
const NODE_CRYPTO = ['node:', 'crypto'].join('');
async function node(fsOverride?: CheckpointFs): Promise<{fs: CheckpointFs; path: Path; random: () => string}> {
  const crypto = (await import(NODE_CRYPTO)) as typeof import('node:crypto');
  const fs = fsOverride ?? ((await import(NODE_FS)) as typeof import('node:fs/promises'));
  return {fs, path: (await import(NODE_PATH)) as Path, random: () => crypto.randomBytes(8).toString('hex')};
}

const LATEST = 'latest.json';
/** Checkpoint folder names: `step-<8 digits>`, or `step-<8 digits>-<suffix>` for a re-save of the same step. */
const CKPT_RE = /^step-(\d{8})(?:-([0-9a-z]{1,32}))?$/;
/** Leftovers of interrupted saves (temp folders, temp pointers, replaced folders). */
const LEFTOVER_RE = /^\.(tmp-step-|latest\.json\.|old-step-)/;

/** Options of `writeCheckpointDir`. */
export interface WriteCheckpointOptions {
  /** How many checkpoints to keep, >= 1 (the newest good one is kept in addition). Default 2. */
  keep?: number;
  /** File system to use (tests inject one that fails: a full or read-only disk). Default `node:fs/promises`. */
  fs?: CheckpointFs;
}

/**
 * Writes a checkpoint atomically and never loses the last good one:
 * 1. leftovers of earlier interrupted saves (`.tmp-*`) are removed;
 * 2. the files go into a new temporary folder with an unpredictable name, each opened exclusively
 *    (`wx`: a planted symlink is never followed) and flushed (`fsync`);
 * 3. the folder is renamed to `step-<n>` (or `step-<n>-<suffix>` when `step-<n>` exists: a re-save
 *    never removes the old folder first), and the directory is flushed;
 * 4. `latest.json` is replaced by the same exclusive-temp-file-then-rename;
 * 5. only then are old checkpoints pruned: the newest `keep`, the one `latest.json` names and the
 *    newest *good* one (`meta.healthy`) are always kept.
 * A crash at any point leaves `latest.json` pointing at a complete checkpoint.
 *
 * ```ts
 * const where = await writeCheckpointDir('runs/a', meta, bytes);
 * ```
 * @param dir the run's checkpoint folder (created if missing)
 * @param meta checkpoint metadata
 * @param bytes the weights
 * @param options how many to keep (or, for compatibility, that number directly), injected fs
 * @returns the folder written
 */
export async function writeCheckpointDir(dir: string, meta: CheckpointMeta, bytes: Uint8Array, options: number | WriteCheckpointOptions = {}): Promise<string> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`save: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const o = typeof options === 'number' ? {keep: options} : options;
  const keep = o.keep ?? 2;
  if (!(Number.isInteger(keep) && keep >= 1)) throw new Error(`save: keep must be an integer >= 1, got ${keep}`);
  if (!(Number.isInteger(meta?.step) && meta.step >= 0)) throw new Error(`save: meta.step must be an integer >= 0, got ${meta?.step}`);
  const {fs, path, random} = await node(o.fs);
  let tmp: string | null = null;
  let ptrTmp: string | null = null;
  try {
    await fs.mkdir(dir, {recursive: true});
    await removeLeftovers(fs, path, dir);
    const base = `step-${String(meta.step).padStart(8, '0')}`;
    const existing = new Set(await fs.readdir(dir));
    // Date in base 36 keeps re-saves of one step in write order when sorted by name.
    const name = existing.has(base) ? `${base}-${Date.now().toString(36).padStart(9, '0')}${random().slice(0, 6)}` : base;
    tmp = path.join(dir, `.tmp-${base}-${random()}`);
    await fs.mkdir(tmp); // fails if it exists: the name is ours alone
    await writeFlushed(fs, path.join(tmp, 'weights.bin'), bytes);
    await writeFlushed(fs, path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 1));
    await syncDir(fs, tmp);
    const final = path.join(dir, name);
    await fs.rename(tmp, final);
    tmp = null;
    await syncDir(fs, dir);
    ptrTmp = path.join(dir, `.${LATEST}.${random()}.tmp`);
    await writeFlushed(fs, ptrTmp, JSON.stringify({checkpoint: name, step: meta.step}));
    await fs.rename(ptrTmp, path.join(dir, LATEST));
    ptrTmp = null;
    await syncDir(fs, dir);
    await prune(fs, path, dir, keep, name);
    return final;
  } catch (e) {
    // Best effort: a full or read-only disk may refuse this too (the next save retries it).
    for (const t of [tmp, ptrTmp]) if (t) await fs.rm(t, {recursive: true, force: true}).catch(() => undefined);
    throw new Error(`save: cannot write a checkpoint to ${dir}: ${(e as Error).message}; the previous checkpoint is intact`);
  }
}

/** Checkpoint folders of `dir`, oldest first (by step, then by write order of re-saves). */
export async function listCheckpoints(dir: string, fsOverride?: CheckpointFs): Promise<string[]> {
  const {fs} = await node(fsOverride);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  return names.filter((f) => CKPT_RE.test(f)).sort();
}

async function prune(fs: CheckpointFs, path: Path, dir: string, keep: number, current: string): Promise<void> {
  const stepOf = (f: string): string => CKPT_RE.exec(f)![1];
  // a re-save replaces the older folders of the same step (removed only now, after the rename)
  const currentHealthy = await isHealthy(fs, path.join(dir, current));
  for (const f of (await fs.readdir(dir)).filter((x) => CKPT_RE.test(x) && x !== current && stepOf(x) === stepOf(current))) {
    if (!currentHealthy && (await isHealthy(fs, path.join(dir, f)))) continue;
    await fs.rm(path.join(dir, f), {recursive: true, force: true});
  }
  const all = (await fs.readdir(dir)).filter((f) => CKPT_RE.test(f)).sort();
  const keepSet = new Set([current, ...all.slice(-keep)]);
  // the newest good checkpoint is kept whatever `keep` says
  for (let i = all.length - 1; i >= 0; i--) {
    if (await isHealthy(fs, path.join(dir, all[i]))) {
      keepSet.add(all[i]);
      break;
    }
  }
  for (const old of all) if (!keepSet.has(old)) await fs.rm(path.join(dir, old), {recursive: true, force: true});
}

async function isHealthy(fs: CheckpointFs, where: string): Promise<boolean> {
  try {
    const m = JSON.parse(await fs.readFile(`${where}/meta.json`, 'utf8'));
    return m?.healthy === true;
  } catch {
    return false;
  }
}

async function removeLeftovers(fs: CheckpointFs, path: Path, dir: string): Promise<void> {
  for (const f of await fs.readdir(dir)) {
    if (LEFTOVER_RE.test(f)) await fs.rm(path.join(dir, f), {recursive: true, force: true});
  }
}

/**
 * Reads the checkpoint `dir/latest.json` points to (or `dir` itself when it is a checkpoint
 * folder). When `latest.json` is missing, unreadable or names a folder that is gone, the newest
 * `step-*` folder is read instead. The pointer may only name a `step-*` folder inside `dir`.
 * @param dir a run folder or one checkpoint folder
 */
export async function readCheckpointDir(dir: string): Promise<{meta: CheckpointMeta; bytes: Uint8Array; where: string}> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`restore: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const {fs, path} = await node();
  const where = await findCheckpoint(fs, path, dir);
  const metaFile = path.join(where, 'meta.json');
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await fs.readFile(metaFile, 'utf8'));
  } catch (e) {
    throw new Error(`restore: cannot read ${metaFile}: ${(e as Error).message}${await otherHint(dir, where)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path.join(where, 'weights.bin')));
  } catch (e) {
    throw new Error(`restore: cannot read ${path.join(where, 'weights.bin')}: ${(e as Error).message}${await otherHint(dir, where)}`);
  }
  return {meta, bytes, where};
}

/** ` (other checkpoints in DIR: …)`, for errors about one unreadable checkpoint. */
export async function otherHint(dir: string, where: string): Promise<string> {
  const {path} = await node();
  const others = (await listCheckpoints(dir)).filter((n) => path.join(dir, n) !== where).reverse();
  return others.length ? ` (other checkpoints in ${dir}: ${others.join(', ')}; restore one of them by its folder)` : '';
}

async function findCheckpoint(fs: CheckpointFs, path: Path, dir: string): Promise<string> {
  if (await exists(fs, path.join(dir, 'meta.json'))) return dir;
  const ptr = path.join(dir, LATEST);
  if (await exists(fs, ptr)) {
    let p: {checkpoint?: unknown} | null = null;
    try {
      p = JSON.parse(await fs.readFile(ptr, 'utf8'));
    } catch {
      p = null; // fall back to the newest folder below
    }
    const name = p && typeof p === 'object' ? p.checkpoint : undefined;
    if (name !== undefined && (typeof name !== 'string' || !CKPT_RE.test(name))) {
      throw new Error(`restore: ${ptr} names ${JSON.stringify(name)}, which is not a step-<n> folder of ${dir}`);
    }
    if (typeof name === 'string' && (await exists(fs, path.join(dir, name, 'meta.json')))) return path.join(dir, name);
  }
  const all = await listCheckpoints(dir, fs);
  for (let i = all.length - 1; i >= 0; i--) {
    if (await exists(fs, path.join(dir, all[i], 'meta.json'))) return path.join(dir, all[i]);
  }
  throw new Error(`restore: no checkpoint in ${dir} (no ${LATEST}, no step-* folder and no meta.json found)`);
}

async function writeFlushed(fs: CheckpointFs, file: string, data: Uint8Array | string): Promise<void> {
  const h = await fs.open(file, 'wx');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Flushes a directory entry (renames) to disk; a no-op where directories cannot be opened (Windows). */
async function syncDir(fs: CheckpointFs, dir: string): Promise<void> {
  let h: Awaited<ReturnType<CheckpointFs['open']>> | null = null;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    // not supported on this platform
  } finally {
    await h?.close();
  }
}

async function exists(fs: CheckpointFs, p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
