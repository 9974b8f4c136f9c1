import * as tf from '@tensorflow/tfjs-core';
import {allFinite} from '@stable-train/grad-clip';

/** `{name, tensor}` as tfjs-core's optimizers use it. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Name prefix of the wrapper's own counters among the optimizer weights. */
const PREFIX = 'apply_if_finite/';

/** Something with tfjs-layers' `stopTraining` flag (a `LayersModel`). */
export interface StoppableModel {
  stopTraining: boolean;
}

/** Options of {@link applyIfFinite}. */
export interface ApplyIfFiniteOptions {
  /** non-finite steps in a row tolerated; the next one fails (or stops); integer >= 1 (default 5) */
  maxConsecutive?: number;
  /** instead of throwing after `maxConsecutive`, set `model.stopTraining = true` (fit ends after the batch) */
  stopModel?: StoppableModel;
}

/** The counters of an {@link ApplyIfFiniteOptimizer} (Optax `ApplyIfFiniteState` without the inner state). */
export interface ApplyIfFiniteState {
  /** non-finite steps in a row so far */
  notFiniteCount: number;
  /** whether the last step's gradients were all finite */
  lastFinite: boolean;
  /** non-finite steps over the whole run */
  totalNotFinite: number;
}

/** See {@link applyIfFinite}. Registered with `tf.serialization` as `'StableTrainApplyIfFinite'`. */
export class ApplyIfFiniteOptimizer extends tf.Optimizer {
  static className = 'StableTrainApplyIfFinite';
  readonly maxConsecutive: number;
  private readonly stopModel?: StoppableModel;
  private state: ApplyIfFiniteState = {notFiniteCount: 0, lastFinite: true, totalNotFinite: 0};

  constructor(
    /** the optimizer that applies finite steps (owns the optimizer state) */
    readonly optimizer: tf.Optimizer,
    opts: ApplyIfFiniteOptions = {},
  ) {
    super();
    if (!(optimizer instanceof tf.Optimizer)) throw new Error(`applyIfFinite: optimizer must be a tf.Optimizer, got ${String(optimizer)}`);
    if (opts == null || typeof opts !== 'object') throw new Error(`applyIfFinite: options must be an object, got ${String(opts)}`);
    const m = opts.maxConsecutive ?? 5;
    if (!(Number.isInteger(m) && m >= 1)) throw new Error(`applyIfFinite: maxConsecutive must be an integer >= 1, got ${String(m)}`);
    const s = opts.stopModel;
    if (s !== undefined && (s == null || typeof s !== 'object' || !('stopTraining' in s))) {
      throw new Error(`applyIfFinite: stopModel must be a tf.LayersModel (with stopTraining), got ${String(s)}`);
    }
    this.maxConsecutive = m;
    this.stopModel = s;
  }

  /** A copy of the counters. */
  getState(): ApplyIfFiniteState {
    return {...this.state};
  }

  /**
   * Applies the step through the wrapped optimizer when every gradient is finite; otherwise
   * changes nothing (no weight, no moment, no step count) and counts it. Reads one boolean back
   * from the device per step.
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const grads: tf.NamedTensorMap = {};
    const list = Array.isArray(variableGradients) ? variableGradients.map((v) => [v.name, v.tensor] as const) : Object.entries(variableGradients);
    for (const [name, t] of list) if (t != null) grads[name] = t;
    const ok = allFinite(grads);
    const finite = ok.dataSync()[0] === 1;
    ok.dispose();
    const s = this.state;
    s.lastFinite = finite;
    if (finite) {
      s.notFiniteCount = 0;
      this.optimizer.applyGradients(variableGradients);
      return;
    }
    s.notFiniteCount += 1;
    s.totalNotFinite += 1;
    if (s.notFiniteCount >= this.maxConsecutive) {
      const what = `${s.notFiniteCount} steps in a row had NaN or Infinity gradients (maxConsecutive ${this.maxConsecutive}, ${s.totalNotFinite} in all); no update was applied for them`;
      if (this.stopModel) {
        console.warn(`applyIfFinite: ${what}; stopping training`);
        this.stopModel.stopTraining = true;
      } else {
        throw new Error(`applyIfFinite: ${what}. Lower the lr, clip the gradients (withClipping) or check the data`);
      }
    }
  }

  /** The wrapped optimizer's step count (skipped steps do not count). */
  override get iterations(): number {
    return this.optimizer.iterations;
  }

  override dispose(): void {
    this.optimizer.dispose();
  }

  /** The wrapped optimizer's weights, then the counters (names prefixed `apply_if_finite/`). */
  override async getWeights(): Promise<NamedTensor[]> {
    const s = this.state;
    return [
      ...(await this.optimizer.getWeights()),
      {name: `${PREFIX}not_finite_count`, tensor: tf.scalar(s.notFiniteCount, 'int32')},
      {name: `${PREFIX}total_not_finite`, tensor: tf.scalar(s.totalNotFinite, 'int32')},
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const own = weightValues.filter((w) => w.name.startsWith(PREFIX));
    await this.optimizer.setWeights(weightValues.filter((w) => !w.name.startsWith(PREFIX)));
    for (const w of own) {
      const v = (await w.tensor.data())[0];
      if (w.name === `${PREFIX}not_finite_count`) this.state.notFiniteCount = v;
      else if (w.name === `${PREFIX}total_not_finite`) this.state.totalNotFinite = v;
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {optimizer: {className: this.optimizer.getClassName(), config: this.optimizer.getConfig()}, maxConsecutive: this.maxConsecutive};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const inner = config.optimizer as {className?: string; config?: tf.serialization.ConfigDict} | undefined;
    const entry = inner?.className ? tf.serialization.SerializationMap.getMap().classNameMap[inner.className] : undefined;
    if (!entry || !inner?.config) {
      throw new Error(`applyIfFinite: cannot load the wrapped optimizer ${JSON.stringify(inner?.className)}; register its class with tf.serialization.registerClass`);
    }
    return new cls(entry[1](entry[0], inner.config), {maxConsecutive: config.maxConsecutive});
  }
}
tf.serialization.registerClass(ApplyIfFiniteOptimizer);

/**
 * Skips every step whose gradients are not all finite: if all_i isFinite(g_i) the wrapped
 * optimizer applies the step, else nothing changes (weights, moments and step count stay as
 * they were) and the step is counted; after `maxConsecutive` such steps in a row it throws a
 * clear error (or, with `stopModel`, ends `model.fit` through `model.stopTraining`). A finite
 * step resets the count. Works in `model.compile` / `fit`, and with
 * `model.save({includeOptimizer: true})` → `tf.loadLayersModel` (the counters are saved too).
 *
 * Optax `apply_if_finite(inner, max_consecutive_errors)` — except that Optax applies the step
 * anyway once the limit is reached, while this one refuses and fails loudly.
 * https://optax.readthedocs.io/en/latest/api/optimizer_wrappers.html#optax.apply_if_finite
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {optimizers} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: optimizers.applyIfFinite(optimizers.adam({lr: 1e-3}), {maxConsecutive: 3}), loss: 'meanSquaredError'});
 * await model.fit(tf.ones([4, 2]), tf.ones([4, 1]), {epochs: 1});
 * ```
 * @param optimizer any `tf.Optimizer` (owned by the result: dispose the result)
 * @param opts.maxConsecutive non-finite steps in a row tolerated (default 5)
 * @param opts.stopModel stop this model's `fit` instead of throwing
 */
export function applyIfFinite(optimizer: tf.Optimizer, opts: ApplyIfFiniteOptions = {}): ApplyIfFiniteOptimizer {
  return new ApplyIfFiniteOptimizer(optimizer, opts);
}
