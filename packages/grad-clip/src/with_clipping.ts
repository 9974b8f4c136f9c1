import * as tf from '@tensorflow/tfjs-core';
import {createClipper} from './create_clipper';
import {chain} from './chain';
import type {ClipperConfig, GradTransform, NamedTensor} from './types';
import {show} from './validate';

/** Name prefix of the transform's state among the optimizer weights (AutoClip history). */
const STATE_PREFIX = 'grad_clip/';

/**
 * A `tf.Optimizer` that runs a gradient transform, then hands the result to another optimizer.
 * Built by `withClipping`, which registers it with `tf.serialization` as `'ClippedOptimizer'`
 * ({@link registerClippedOptimizer}), so a tfjs-layers model compiled with it can be saved with
 * `includeOptimizer: true` and loaded again.
 */
export class ClippedOptimizer extends tf.Optimizer {
  static className = 'ClippedOptimizer';

  constructor(
    /** the optimizer that applies the clipped gradients */
    readonly optimizer: tf.Optimizer,
    private transform: GradTransform,
  ) {
    super();
  }

  /** Swaps the transform (e.g. after loading a model saved with a custom, unsaveable one). */
  setTransform(transform: GradTransform): void {
    if (typeof transform !== 'function') throw new Error(`ClippedOptimizer.setTransform: transform must be a function, got ${show(transform)}`);
    this.transform = transform;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list: [string, tf.Tensor | null | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const grads: tf.NamedTensorMap = {};
    for (const [name, t] of list) if (t != null) grads[name] = t;
    tf.tidy(() => {
      const params: tf.NamedTensorMap = {};
      const registered = tf.engine().registeredVariables;
      for (const name of Object.keys(grads)) if (registered[name]) params[name] = registered[name];
      const clipped = this.transform(grads, params);
      // same order as given: tfjs optimizers keep their state by position
      if (Array.isArray(variableGradients)) {
        this.optimizer.applyGradients(list.map(([name, t]) => ({name, tensor: t == null ? (t as unknown as tf.Tensor) : clipped[name]})));
      } else {
        const out: tf.NamedTensorMap = {};
        for (const [name] of list) if (clipped[name]) out[name] = clipped[name];
        this.optimizer.applyGradients(out);
      }
    });
  }

  /** The wrapped optimizer's step count. */
  override get iterations(): number {
    return this.optimizer.iterations;
  }

  override dispose(): void {
    this.optimizer.dispose();
    this.transform.dispose?.();
  }

  /** The wrapped optimizer's weights, then the transform's state (names prefixed `grad_clip/`). */
  override async getWeights(): Promise<NamedTensor[]> {
    const own = (this.transform.getWeights?.() ?? []).map((w) => ({name: STATE_PREFIX + w.name, tensor: w.tensor}));
    return [...(await this.optimizer.getWeights()), ...own];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const own = weightValues.filter((w) => w.name.startsWith(STATE_PREFIX));
    await this.optimizer.setWeights(weightValues.filter((w) => !w.name.startsWith(STATE_PREFIX)));
    if (own.length > 0 && this.transform.setWeights) {
      await this.transform.setWeights(own.map((w) => ({name: w.name.slice(STATE_PREFIX.length), tensor: w.tensor})));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    const inner = {className: this.optimizer.getClassName(), config: this.optimizer.getConfig()};
    // tfjs-layers camel-cases every string of a loaded optimizer config ('global_norm' →
    // 'globalNorm', 'dense_1/kernel' → 'dense1/kernel'); JSON with `_` escaped as \u005f survives.
    const clipper = this.transform.config ? JSON.stringify(this.transform.config).replace(/_/g, '\\u005f') : null;
    return {optimizer: inner, clipper};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const inner = config.optimizer as {className?: string; config?: tf.serialization.ConfigDict} | undefined;
    const entry = inner?.className ? tf.serialization.SerializationMap.getMap().classNameMap[inner.className] : undefined;
    if (!entry || !inner?.config) {
      throw new Error(`ClippedOptimizer.fromConfig: config.optimizer must name a registered optimizer class (tf.serialization.registerClass), got ${show(inner?.className)}`);
    }
    const optimizer = entry[1](entry[0], inner.config) as unknown as tf.Optimizer;
    let transform: GradTransform;
    if (typeof config.clipper === 'string') {
      const configs = JSON.parse(config.clipper) as ClipperConfig[];
      transform = configs.length === 1 ? createClipper(configs[0]) : chain(...configs.map(createClipper));
    } else {
      console.warn(
        'ClippedOptimizer: the saved optimizer used a custom transform that cannot be saved; it was ' +
          'restored WITHOUT clipping. Call setTransform(yourTransform) on model.optimizer.',
      );
      transform = Object.assign((g: tf.NamedTensorMap) => tf.tidy(() => Object.fromEntries(Object.entries(g).map(([n, t]) => [n, tf.clone(t)]))), {});
    }
    return new cls(optimizer, transform);
  }
}

/**
 * Registers {@link ClippedOptimizer} with `tf.serialization` (as `'ClippedOptimizer'`), which
 * `tf.loadLayersModel` needs to restore a model saved with `{includeOptimizer: true}`. Importing
 * the package registers nothing; call this (or `import '@stable-train/grad-clip/register'`, or
 * import `@stable-train/layers`) in the app that loads. `withClipping` calls it, so saving and
 * loading in one process needs no extra step. Idempotent: a second call does nothing.
 * The wrapped optimizer's class must be registered too (tfjs's own are; for
 * `@stable-train/lr-schedule` optimizers, `import '@stable-train/lr-schedule/register'`).
 *
 * ```ts
 * registerClippedOptimizer();
 * ```
 */
export function registerClippedOptimizer(): void {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[ClippedOptimizer.className];
  if (entry?.[0] !== ClippedOptimizer) tf.serialization.registerClass(ClippedOptimizer);
}

/**
 * Wraps any tfjs-core optimizer so that every step transforms (clips) the gradients first:
 * w ← optimizer.step(w, transform(g, w)). Gives tfjs-layers Keras's `clipnorm`,
 * `global_clipnorm` and `clipvalue` (and AGC, AutoClip).
 *
 * Keras `optimizer(global_clipnorm=…)`, Optax `chain(clip_by_global_norm(…), adam(…))`. The
 * result is a registered `tf.Optimizer` (this call runs {@link registerClippedOptimizer}): it
 * works in `model.compile`/`fit`, and survives
 * `model.save({includeOptimizer: true})` when the transform came from `createClipper`/`chain`
 * (their state, e.g. AutoClip's history, is saved among the optimizer weights).
 *
 * ```ts
 * model.compile({optimizer: withClipping(tf.train.adam(1e-3), createClipper({mode: 'globalNorm', maxNorm: 1})), loss: 'meanSquaredError'});
 * ```
 * @param optimizer any `tf.Optimizer` (sgd, momentum, adam, rmsprop, …); disposed with the wrapper
 * @param transform `(grads, params?) => grads`; `params` are the variables by the same names
 * @returns a `ClippedOptimizer`
 */
export function withClipping(optimizer: tf.Optimizer, transform: GradTransform): ClippedOptimizer {
  // tf.Optimizer's Symbol.hasInstance reads `optimizer.minimize`: test for null first
  if (optimizer == null || !(optimizer instanceof tf.Optimizer)) throw new Error(`withClipping: optimizer must be a tf.Optimizer, got ${show(optimizer)}`);
  if (typeof transform !== 'function') {
    throw new Error(`withClipping: transform must be a function (grads, params?) => grads, got ${show(transform)}`);
  }
  registerClippedOptimizer(); // so model.save → tf.loadLayersModel works in this process
  return new ClippedOptimizer(optimizer, transform);
}
