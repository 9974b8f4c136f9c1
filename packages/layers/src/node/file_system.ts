/// <reference types="node" />
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** `dir` from `file://dir` (or a plain path). */
function dirOf(fn: string, url: unknown): string {
  if (typeof url !== 'string' || url === '' || url === 'file://') throw new Error(`${fn}: path must be a non-empty string (a directory, optionally file://), got ${String(url)}`);
  const p = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return path.resolve(p);
}

/**
 * A tfjs `IOHandler` that saves a model to a directory in Node — `model.json` (topology, weight
 * manifest, training config with the optimizer) and `weights.bin` — and loads it back, the
 * same layout as `@tensorflow/tfjs-node`'s `file://` handler, with `node:fs` alone. Node only:
 * import it from `@stable-train/layers/node`.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {fileSystem} from '@stable-train/layers/node';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * await model.save(fileSystem('/tmp/st-model'));
 * const back = await tf.loadLayersModel(fileSystem('/tmp/st-model'));
 * ```
 * @param dir the directory (created when saving), as a path or `file://path`
 */
export function fileSystem(dir: string): tf.io.IOHandler {
  const root = dirOf('fileSystem', dir);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileSystem: binary model topologies are not supported');
      await fs.mkdir(root, {recursive: true});
      const weightsManifest: tf.io.WeightsManifestConfig = [{paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? []}];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        weightsManifest,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      const data = artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      // weights first, then the JSON that names them: a reader never sees a manifest without its data
      await fs.writeFile(path.join(root, WEIGHTS_BIN), Buffer.from(data));
      await fs.writeFile(path.join(root, MODEL_JSON), JSON.stringify(json));
      return {modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(json)};
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await fs.readFile(path.join(root, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = await fs.readFile(path.join(root, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Registers {@link fileSystem} for `file://` URLs with tfjs's IO router, so `model.save('file://dir')`,
 * `tf.loadLayersModel('file://dir/model.json')` and `callbacks.modelCheckpoint({filepath: 'file://...'})`
 * work in Node without `@tensorflow/tfjs-node`. Explicit (importing registers nothing). Idempotent.
 *
 * ```ts
 * import {registerFileSystem} from '@stable-train/layers/node';
 * registerFileSystem();
 * ```
 */
export function registerFileSystem(): void {
  if (registered) return;
  registered = true;
  const route = (url: string | string[]): tf.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    return fileSystem(url.endsWith(`/${MODEL_JSON}`) ? url.slice(0, -MODEL_JSON.length - 1) : url);
  };
  tf.io.registerSaveRouter(route as (url: string | string[]) => tf.io.IOHandler);
  tf.io.registerLoadRouter(route as (url: string | string[]) => tf.io.IOHandler);
}
let registered = false;
