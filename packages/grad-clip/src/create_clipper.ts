import * as tf from '@tensorflow/tfjs-core';
import {adaptiveClip} from './adaptive_clip';
import {AutoClip} from './auto_clip';
import {clipByBlockRms} from './clip_by_block_rms';
import {clipByGlobalNorm, clipCoefficient, scaleByCoefficient} from './clip_by_global_norm';
import {clipByNorm} from './clip_by_norm';
import {clipPerParam} from './clip_per_param';
import {checkClipValue, clipByValue} from './clip_by_value';
import type {ClipperConfig, GradContext, GradTransform} from './types';
import {checkBoolean, checkNormType, checkOptions, checkPNormType, checkPositive, show} from './validate';

const KEYS: Record<string, string[]> = {
  value: ['clipValue', 'min', 'max'],
  norm: ['maxNorm'],
  globalNorm: ['maxNorm', 'normType', 'eps', 'errorIfNonfinite'],
  perParam: ['maxNorm', 'normType', 'eps'],
  blockRms: ['threshold'],
  agc: ['clipFactor', 'eps', 'normType', 'exclude'],
  auto: ['percentile', 'historySize', 'eps', 'normType'],
};

/** Spellings that shipped before the names were unified (camelCase), accepted with a warning. */
const DEPRECATED_MODES: Record<string, string> = {global_norm: 'globalNorm', per_param: 'perParam', block_rms: 'blockRms'};
const warned = new Set<string>();

/** `mode`, or its current spelling (with a one-time deprecation warning) when it is an old one. */
function canonicalMode(mode: unknown): unknown {
  if (typeof mode !== 'string' || !(mode in DEPRECATED_MODES)) return mode;
  if (!warned.has(mode)) {
    warned.add(mode);
    console.warn(`createClipper: mode '${mode}' is deprecated, use '${DEPRECATED_MODES[mode]}'`);
  }
  return DEPRECATED_MODES[mode];
}

/**
 * Builds a gradient transform `(grads, params?) => grads` from plain options, as config files and
 * the CLI give them (timm `dispatch_clip_grad` style). Every option is checked here, at creation.
 *
 * | mode | does | options |
 * |---|---|---|
 * | `'value'` | `clipByValue` (PyTorch `clip_grad_value_`) | `clipValue`, or `min` and `max` |
 * | `'norm'` | `clipByNorm`, per tensor (Keras `clipnorm`) | `maxNorm` |
 * | `'globalNorm'` | `clipByGlobalNorm` (PyTorch `clip_grad_norm_`; timm's `'norm'`) | `maxNorm`, `normType` (any p >= 1 or 'inf'), `eps`, `errorIfNonfinite` |
 * | `'perParam'` | `clipPerParam`: each tensor by its own norm (`clip_grad_norm_` per parameter) | `maxNorm`, `normType`, `eps` |
 * | `'blockRms'` | `clipByBlockRms` (Optax `clip_by_block_rms`) | `threshold` |
 * | `'agc'` | `adaptiveClip` (needs `params`) | `clipFactor`, `eps`, `normType`, `exclude` |
 * | `'auto'` | `AutoClip` (stateful: call `dispose()` when done) | `percentile`, `historySize`, `eps`, `normType` |
 *
 * ```ts
 * The snake_case spellings (`'global_norm'`, `'per_param'`, `'block_rms'`) still work, with a deprecation warning.
 *
 * ```ts
 * const clip = createClipper({mode: 'globalNorm', maxNorm: 1});
 * const clipped = clip(grads);
 * ```
 * @param config `{mode, ...options}`
 * @returns the transform; `config` on it holds `[config]` so it can be saved and rebuilt
 */
export function createClipper(config: ClipperConfig): GradTransform {
  const fn = 'createClipper';
  const c = checkOptions<Record<string, unknown>>(fn, config);
  if (config === undefined) throw new Error(`${fn}: config must be an object with a mode, got undefined`);
  const mode = canonicalMode(c.mode) as string;
  if (typeof mode !== 'string' || !(mode in KEYS)) {
    throw new Error(`${fn}: mode must be one of ${Object.keys(KEYS).map((k) => `'${k}'`).join(', ')}, got ${show(c.mode)}`);
  }
  for (const key of Object.keys(c)) {
    if (key !== 'mode' && !KEYS[mode].includes(key)) {
      throw new Error(`${fn}: unknown option '${key}' for mode '${mode}'; expected one of ${KEYS[mode].join(', ')}`);
    }
  }
  const saved = [JSON.parse(JSON.stringify({...config, mode})) as ClipperConfig];
  const tag = <T extends GradTransform>(t: T): T => Object.assign(t, {config: saved});

  switch (mode) {
    case 'value': {
      const bounds = c.clipValue !== undefined ? c.clipValue : {min: c.min, max: c.max};
      if (c.clipValue !== undefined && (c.min !== undefined || c.max !== undefined)) {
        throw new Error(`${fn}: clipValue must be left out when min or max is given (mode 'value' takes one of them), got ${show(c.clipValue)}`);
      }
      const [min, max] = checkClipValue(fn, bounds);
      return tag((grads: tf.NamedTensorMap) => clipByValue(grads, {min, max}));
    }
    case 'norm': {
      const maxNorm = checkPositive(fn, 'maxNorm', c.maxNorm);
      return tag((grads: tf.NamedTensorMap) => clipByNorm(grads, maxNorm));
    }
    case 'globalNorm': {
      const maxNorm = checkPositive(fn, 'maxNorm', c.maxNorm);
      const opts = {
        normType: checkPNormType(fn, c.normType ?? 2),
        eps: checkPositive(fn, 'eps', c.eps ?? 1e-6, true),
        errorIfNonfinite: checkBoolean(fn, 'errorIfNonfinite', c.errorIfNonfinite ?? false),
      };
      // reuses a global L2 norm the caller measured on this very map (GradContext)
      return tag((grads: tf.NamedTensorMap, _params?: tf.NamedTensorMap, ctx?: GradContext) => {
        const shared = ctx !== undefined && ctx.grads === grads && opts.normType === 2;
        const value = shared ? ctx.globalNormValue : undefined;
        if (typeof value === 'number' && Number.isFinite(value) && Object.values(grads).every((g) => g instanceof tf.Tensor && g.dtype === 'float32')) {
          // the norm is on the host already: the coefficient too, and coef 1 costs no arithmetic
          return scaleByCoefficient(grads, clipCoefficient(value, maxNorm, opts.eps));
        }
        const norm = shared ? ctx.globalNorm : undefined;
        const r = clipByGlobalNorm(grads, maxNorm, {...opts, norm});
        if (norm === undefined) r.norm.dispose();
        return r.grads;
      });
    }
    case 'perParam': {
      const maxNorm = checkPositive(fn, 'maxNorm', c.maxNorm);
      const opts = {normType: checkPNormType(fn, c.normType ?? 2), eps: checkPositive(fn, 'eps', c.eps ?? 1e-6, true)};
      return tag((grads: tf.NamedTensorMap) => clipPerParam(grads, maxNorm, opts));
    }
    case 'blockRms': {
      const threshold = checkPositive(fn, 'threshold', c.threshold);
      return tag((grads: tf.NamedTensorMap) => clipByBlockRms(grads, threshold));
    }
    case 'agc': {
      const exclude = c.exclude ?? [];
      if (!Array.isArray(exclude) || !exclude.every((e) => typeof e === 'string')) {
        throw new Error(`${fn}: exclude must be an array of names, got ${show(exclude)}`);
      }
      const opts = {
        clipFactor: checkPositive(fn, 'clipFactor', c.clipFactor ?? 0.01),
        eps: checkPositive(fn, 'eps', c.eps ?? 1e-3, true),
        normType: checkNormType(fn, c.normType ?? 2),
        exclude: [...exclude] as string[],
      };
      return tag((grads: tf.NamedTensorMap, params?: tf.NamedTensorMap) => {
        if (params === undefined) {
          throw new Error(`createClipper: params must be passed to the 'agc' transform (grads, params), got ${show(params)}`);
        }
        return adaptiveClip(grads, params, opts);
      });
    }
    default: {
      const auto = new AutoClip(c as never);
      const t = auto.transform;
      return tag(Object.assign((grads: tf.NamedTensorMap) => t(grads), {
        getWeights: t.getWeights,
        setWeights: t.setWeights,
        dispose: t.dispose,
      }));
    }
  }
}
