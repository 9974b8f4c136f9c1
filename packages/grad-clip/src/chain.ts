import * as tf from '@tensorflow/tfjs-core';
import type {ClipperConfig, GradContext, GradTransform, NamedTensor} from './types';
import {show} from './validate';

/**
 * Composes gradient transforms left to right: chain(f, g)(grads, params) = g(f(grads, params), params).
 * Intermediate tensors are disposed; only the last transform's output is returned.
 *
 * Optax `optax.chain`. The result keeps the parts' configs (so `withClipping` can save it when
 * every part came from `createClipper`), their state (`getWeights`/`setWeights`) and `dispose`.
 *
 * ```ts
 * const t = chain(zeroNonFinite, createClipper({mode: 'globalNorm', maxNorm: 1}));
 * const clipped = t(grads);
 * ```
 * @param transforms functions `(grads, params?) => grads`, at least one
 * @returns one transform doing all of them in order
 */
export function chain(...transforms: GradTransform[]): GradTransform {
  if (transforms.length === 0) throw new Error('chain: transforms must contain at least one transform, got none');
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new Error(`chain: transforms[${i}] must be a function (grads, params?) => grads, got ${show(t)}`);
  });
  const parts = [...transforms];
  const composed = (grads: tf.NamedTensorMap, params?: tf.NamedTensorMap, ctx?: GradContext): tf.NamedTensorMap =>
    tf.tidy(() => {
      let g = grads;
      // ctx describes `grads` only: a part sees it, and may use it, while g is still that map
      for (const t of parts) g = t(g, params, ctx);
      // a transform may hand back its input unchanged; return copies so the caller owns them all
      const out: tf.NamedTensorMap = {};
      for (const [name, x] of Object.entries(g)) out[name] = x === grads[name] ? tf.clone(x) : x;
      return out;
    });
  const configs = parts.map((t) => t.config);
  const config: ClipperConfig[] | undefined = configs.every((c) => c !== undefined) ? configs.flat() as ClipperConfig[] : undefined;
  const stateful = parts.map((t, i) => ({t, prefix: `${i}/`})).filter(({t}) => t.getWeights && t.setWeights);
  return Object.assign(composed, {
    config,
    getWeights: () => stateful.flatMap(({t, prefix}) => t.getWeights!().map((w) => ({name: prefix + w.name, tensor: w.tensor}))),
    setWeights: async (weights: NamedTensor[]) => {
      for (const {t, prefix} of stateful) {
        await t.setWeights!(weights.filter((w) => w.name.startsWith(prefix)).map((w) => ({name: w.name.slice(prefix.length), tensor: w.tensor})));
      }
    },
    dispose: () => parts.forEach((t) => t.dispose?.()),
  });
}
