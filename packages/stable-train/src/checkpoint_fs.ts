import type {CheckpointMeta} from './checkpoint';

// Node's file system, loaded lazily so that browser bundles of the package never pull it in.
type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
// Computed specifiers: a browser bundle of the main entry must not try to resolve node:* modules.
const NODE_FS = ['node:fs', 'promises'].join('/');
const NODE_PATH = ['node:', 'path'].join('');
async function node(): Promise<{fs: Fs; path: Path}> {
  return {fs: (await import(NODE_FS)) as Fs, path: (await import(NODE_PATH)) as Path};
}

const LATEST = 'latest.json';

/**
 * Writes a checkpoint atomically: into a temporary folder first (files flushed), renamed to
 * `dir/step-<n>` when complete, then `dir/latest.json` is replaced by an atomic rename. A
 * crash at any point leaves the previous checkpoint and pointer intact. Keeps the newest `keep`.
 *
 * ```ts
 * const where = await writeCheckpointDir('runs/a', meta, bytes);
 * ```
 * @param dir the run's checkpoint folder (created if missing)
 * @param meta checkpoint metadata
 * @param bytes the weights
 * @param keep how many checkpoints to keep, >= 1
 * @returns the folder written
 */
export async function writeCheckpointDir(dir: string, meta: CheckpointMeta, bytes: Uint8Array, keep = 2): Promise<string> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`save: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const {fs, path} = await node();
  await fs.mkdir(dir, {recursive: true});
  const name = `step-${String(meta.step).padStart(8, '0')}`;
  const tmp = path.join(dir, `.tmp-${name}-${process.pid}-${Date.now()}`);
  await fs.mkdir(tmp);
  await writeFlushed(fs, path.join(tmp, 'weights.bin'), bytes);
  await writeFlushed(fs, path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 1));
  const final = path.join(dir, name);
  await fs.rm(final, {recursive: true, force: true});
  await fs.rename(tmp, final);
  const ptrTmp = path.join(dir, `.${LATEST}.${process.pid}.tmp`);
  await writeFlushed(fs, ptrTmp, JSON.stringify({checkpoint: name, step: meta.step}));
  await fs.rename(ptrTmp, path.join(dir, LATEST));
  const all = (await fs.readdir(dir)).filter((f) => /^step-\d{8}$/.test(f)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    if (old !== name) await fs.rm(path.join(dir, old), {recursive: true, force: true});
  }
  return final;
}

/**
 * Reads the checkpoint `dir/latest.json` points to (or `dir` itself when it is a checkpoint
 * folder). Missing or unreadable files get an error naming the file.
 * @param dir a run folder or one checkpoint folder
 */
export async function readCheckpointDir(dir: string): Promise<{meta: CheckpointMeta; bytes: Uint8Array; where: string}> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`restore: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const {fs, path} = await node();
  let where = dir;
  const ptr = path.join(dir, LATEST);
  if (await exists(fs, ptr)) {
    let p: {checkpoint?: unknown};
    try {
      p = JSON.parse(await fs.readFile(ptr, 'utf8'));
    } catch (e) {
      throw new Error(`restore: ${ptr} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof p.checkpoint !== 'string') throw new Error(`restore: ${ptr} names no checkpoint`);
    where = path.join(dir, p.checkpoint);
  } else if (!(await exists(fs, path.join(dir, 'meta.json')))) {
    throw new Error(`restore: no checkpoint in ${dir} (neither ${LATEST} nor meta.json found)`);
  }
  const metaFile = path.join(where, 'meta.json');
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await fs.readFile(metaFile, 'utf8'));
  } catch (e) {
    throw new Error(`restore: cannot read ${metaFile}: ${(e as Error).message}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path.join(where, 'weights.bin')));
  } catch (e) {
    throw new Error(`restore: cannot read ${path.join(where, 'weights.bin')}: ${(e as Error).message}`);
  }
  return {meta, bytes, where};
}

async function writeFlushed(fs: Fs, file: string, data: Uint8Array | string): Promise<void> {
  const h = await fs.open(file, 'w');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

async function exists(fs: Fs, p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
