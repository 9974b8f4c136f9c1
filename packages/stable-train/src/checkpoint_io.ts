import * as tf from '@tensorflow/tfjs-core';
import {CHECKPOINT_FORMAT, type CheckpointMeta} from './checkpoint';
import {readCheckpointDir, writeCheckpointDir} from './checkpoint_fs';

/** Where a checkpoint goes: a Node directory path, a `tf.io` URL (`indexeddb://run-a`) or any `tf.io.IOHandler`. */
export type CheckpointTarget = string | tf.io.IOHandler;

/** The key of `userDefinedMetadata` that holds the checkpoint's JSON part. */
export const ARTIFACTS_KEY = 'stableTrainCheckpoint';

const URL_RE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * True for `indexeddb://…`, `localstorage://…` and other `scheme://` strings (routed through `tf.io`).
 *
 * ```ts
 * isIoUrl('indexeddb://run-a'); // true
 * isIoUrl('runs/a');            // false: a directory
 * ```
 * @param target a save/restore target
 */
export function isIoUrl(target: unknown): target is string {
  return typeof target === 'string' && URL_RE.test(target);
}

/**
 * Packs a checkpoint as `tf.io.ModelArtifacts`: every tensor (variables, then optimizer state)
 * as `weightSpecs` + one `weightData` buffer, and the JSON part (step, guard, schedule/plateau/
 * AutoClip state, seed, extra, …) in `userDefinedMetadata.stableTrainCheckpoint`.
 *
 * ```ts
 * const artifacts = checkpointToArtifacts(meta, bytes);
 * await tf.io.getSaveHandlers('indexeddb://run-a')[0].save(artifacts);
 * ```
 * @param meta checkpoint metadata (as `packCheckpoint` returns it)
 * @param bytes the tensors' bytes
 */
export function checkpointToArtifacts(meta: CheckpointMeta, bytes: Uint8Array): tf.io.ModelArtifacts {
  const spec = (prefix: string) => (e: CheckpointMeta['variables'][number]): tf.io.WeightsManifestEntry => ({name: `${prefix}/${e.name}`, shape: e.shape, dtype: e.dtype});
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return {
    modelTopology: {format: CHECKPOINT_FORMAT, version: meta.version, step: meta.step},
    format: CHECKPOINT_FORMAT,
    generatedBy: 'stable-train',
    weightSpecs: [...meta.variables.map(spec('variables')), ...meta.optimizer.state.map(spec('optimizer'))],
    weightData,
    userDefinedMetadata: {[ARTIFACTS_KEY]: JSON.parse(JSON.stringify(meta))},
  };
}

/**
 * The inverse of `checkpointToArtifacts`; artifacts that hold no stable-train checkpoint are an
 * error naming `where`.
 *
 * ```ts
 * const {meta, bytes} = artifactsToCheckpoint(await handler.load!(), 'indexeddb://run-a');
 * ```
 * @param a what a `tf.io` load handler returned
 * @param where the source, for error messages
 */
export function artifactsToCheckpoint(a: tf.io.ModelArtifacts | undefined, where: string): {meta: CheckpointMeta; bytes: Uint8Array} {
  const meta = (a?.userDefinedMetadata as {[k: string]: unknown} | undefined)?.[ARTIFACTS_KEY] as CheckpointMeta | undefined;
  if (!a || !meta || typeof meta !== 'object') {
    throw new Error(`restore: ${where} holds no stable-train checkpoint (no userDefinedMetadata.${ARTIFACTS_KEY}; was it saved with trainer.save?)`);
  }
  if (a.weightData == null) throw new Error(`restore: ${where} has no weightData`);
  const buf = Array.isArray(a.weightData) ? tf.io.CompositeArrayBuffer.join(a.weightData) : a.weightData;
  return {meta, bytes: new Uint8Array(buf)};
}

function handlerFor(target: CheckpointTarget, kind: 'save' | 'load'): {handler: tf.io.IOHandler; where: string} | null {
  if (typeof target === 'string') {
    if (!isIoUrl(target)) return null;
    const hs = kind === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
    if (hs.length === 0) {
      const browserOnly = /^(indexeddb|localstorage|downloads):\/\//i.test(target) ? ' (IndexedDB and localStorage exist only in browsers; in Node give a directory path)' : '';
      throw new Error(`${kind === 'save' ? 'save' : 'restore'}: no tf.io ${kind} handler for ${target}${browserOnly}`);
    }
    if (hs.length > 1) throw new Error(`${kind === 'save' ? 'save' : 'restore'}: ${hs.length} tf.io handlers match ${target}`);
    return {handler: hs[0], where: target};
  }
  if (target && typeof target === 'object' && typeof (target as tf.io.IOHandler)[kind] === 'function') return {handler: target, where: 'the tf.io handler'};
  throw new Error(`${kind === 'save' ? 'save' : 'restore'}: expected a directory path, a tf.io URL or a tf.io.IOHandler with ${kind}(), got ${String(target)}`);
}

/**
 * Writes a checkpoint to a directory (atomic, Node), a `tf.io` URL (`indexeddb://name` in the
 * browser) or any `tf.io.IOHandler` (e.g. `tf.io.withSaveHandler`). Returns where it went.
 *
 * ```ts
 * await writeCheckpoint('indexeddb://run-a', meta, bytes);   // browser
 * await writeCheckpoint('runs/a', meta, bytes);              // Node
 * ```
 * @param target directory, URL or handler
 * @param meta checkpoint metadata
 * @param bytes the tensors' bytes
 */
export async function writeCheckpoint(target: CheckpointTarget, meta: CheckpointMeta, bytes: Uint8Array): Promise<string> {
  const h = handlerFor(target, 'save');
  if (!h) return writeCheckpointDir(target as string, meta, bytes);
  await h.handler.save!(checkpointToArtifacts(meta, bytes));
  return h.where;
}

/**
 * Reads a checkpoint from a directory (Node), a `tf.io` URL or any `tf.io.IOHandler`
 * (e.g. `tf.io.fromMemory(artifacts)`).
 *
 * ```ts
 * const {meta, bytes} = await readCheckpoint('indexeddb://run-a');
 * ```
 * @param source directory, URL or handler
 */
export async function readCheckpoint(source: CheckpointTarget): Promise<{meta: CheckpointMeta; bytes: Uint8Array; where: string}> {
  const h = handlerFor(source, 'load');
  if (!h) return readCheckpointDir(source as string);
  const a = await h.handler.load!();
  return {...artifactsToCheckpoint(a, h.where), where: h.where};
}
