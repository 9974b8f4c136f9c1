import {unpackCheckpoint, type CheckpointSubject} from './checkpoint';
import {otherHint} from './checkpoint_fs';
import {isIoUrl, readCheckpoint, type CheckpointTarget} from './checkpoint_io';

/**
 * Reads a checkpoint, builds its subject with `make` (given the seed the checkpoint was saved
 * with) and loads the checkpoint into it. On any error the subject is disposed and the error,
 * for a Node folder, names the other checkpoints the folder holds.
 * @param source a Node directory, a `tf.io` URL or a `tf.io.IOHandler`
 * @param make builds the subject (the Trainer) from the saved seed
 */
export async function restoreCheckpoint<T extends CheckpointSubject & {dispose(): void}>(
  source: CheckpointTarget,
  make: (savedSeed: number | undefined) => T,
): Promise<T> {
  const {meta, bytes, where} = await readCheckpoint(source);
  const t = make(Number.isInteger(meta?.seed) ? meta.seed : undefined);
  try {
    await unpackCheckpoint(t, meta, bytes, where);
  } catch (e) {
    t.dispose();
    const hint = typeof source === 'string' && !isIoUrl(source) ? await otherHint(source, where) : '';
    throw new Error(`${(e as Error).message}${hint}`);
  }
  return t;
}
