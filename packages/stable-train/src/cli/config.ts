import {createClipper} from '@stable-train/grad-clip';
import {resolveInitializer} from '@stable-train/initializers';
import {OPTIMIZER_TYPES, resolveOptimizer, resolveSchedule, scheduleOptionKeys, SCHEDULE_TYPES} from '@stable-train/lr-schedule';
import {z} from 'zod';
import {canonicalConfigNames} from './config_names';

// Every number has an upper bound too: a config must not be able to run for ever or exhaust memory.
const int = (min: number, max = 1e7) => z.number().int().min(min).max(max);
const pos = z.number().positive().max(1e6);
const num = z.number().min(-1e6).max(1e6);

/** Initializer options by name (initializers' factories): unknown keys are rejected. */
const init = z.union([z.string().max(64), z.strictObject({
  name: z.string().max(64), std: pos.optional(), mean: num.optional(), gain: pos.optional(), scale: pos.optional(),
  mode: z.enum(['fan_in', 'fan_out', 'fan_avg']).optional(), distribution: z.enum(['normal', 'uniform', 'truncated_normal']).optional(),
  value: num.optional(), low: num.optional(), high: num.optional(), a: num.optional(), b: num.optional(),
  sparsity: z.number().min(0).max(1).optional(),
})]).superRefine((v, ctx) => {
  // the name is resolved now (own names only: 'constructor' is unknown), not when the model is built
  try {
    if (typeof v === 'string') resolveInitializer(v);
    else {
      const {name, ...options} = v;
      resolveInitializer(name, options);
    }
  } catch (e) {
    ctx.addIssue({code: 'custom', message: (e as Error).message});
  }
});

/**
 * lr-schedule's `resolveSchedule` specs, one strict object per type with the option keys
 * lr-schedule lists (`scheduleOptionKeys`; unknown keys are rejected at every depth): every type
 * but `lambda`, whose function only code can give (`TrainerOptions.schedule`). `sequence` and
 * `chained` hold specs. The values are checked by `resolveSchedule` itself at parse time.
 */
const NESTED = new Set(['sequence', 'chained', 'lambda']);
const value = z.union([num, z.boolean(), z.enum(['cos', 'linear', 'triangular', 'triangular2', 'exp_range']), z.array(int(0)).max(1000)]);
type ScheduleJson = {type: string; [k: string]: unknown};
const scheduleVariants = (): z.ZodType<ScheduleJson>[] => [
  ...SCHEDULE_TYPES.filter((t) => !NESTED.has(t)).map((type): z.ZodType<ScheduleJson> =>
    z.strictObject({type: z.literal(type), ...Object.fromEntries(scheduleOptionKeys(type)!.map((k) => [k, value.optional()]))})),
  z.strictObject({type: z.literal('sequence'), schedules: z.array(schedule).min(1).max(100), boundaries: z.array(int(0)).max(99)}),
  z.strictObject({type: z.literal('chained'), initial: num.optional(), schedules: z.array(schedule).min(1).max(100)}),
];
const schedule: z.ZodType<ScheduleJson> = z.lazy(() => z.union(scheduleVariants() as [z.ZodType<ScheduleJson>, ...z.ZodType<ScheduleJson>[]]));
/** The top-level schedule: its shape as above, its values checked by building it once. */
const checkedSchedule = schedule.superRefine((s, ctx) => {
  try {
    resolveSchedule(s as never)(0);
  } catch (e) {
    ctx.addIssue({code: 'custom', message: (e as Error).message});
  }
});

/**
 * Weight averaging (Trainer `averaging`): an EMA of the weights (`decay`, timm ModelEmaV2;
 * `copyOnFirstUpdate`: PyTorch AveragedModel), or SWA (PyTorch swa_utils); from step `start`,
 * every `every` steps; `updateBatchNorm` recomputes batch-norm statistics for the averaged weights.
 */
const when = {start: int(0, 1e8).optional(), every: int(1, 1e8).optional(), updateBatchNorm: z.boolean().optional()};
const averaging = z.discriminatedUnion('kind', [
  z.strictObject({kind: z.literal('ema'), decay: z.number().min(0).max(1).optional(), copyOnFirstUpdate: z.boolean().optional(), ...when}),
  z.strictObject({kind: z.literal('swa'), ...when}),
]);

const model = z.discriminatedUnion('type', [
  z.strictObject({type: z.literal('mlp'), hidden: z.array(int(1, 8192)).min(1).max(512), activation: z.string().max(32).optional(),
    init: init.optional(), norm: z.enum(['none', 'batch', 'layer']).optional()}),
  z.strictObject({type: z.literal('residualMlp'), width: int(1, 8192), depth: int(1, 512), norm: z.enum(['none', 'batch', 'layer']).optional(),
    gate: z.union([z.enum(['none', 'rezero', 'skipinit']), z.strictObject({init: num})]).optional(), activation: z.string().max(32).optional(),
    dropPath: z.number().min(0).max(1).optional(), layerScale: num.optional()}),
  z.strictObject({type: z.literal('residualCnn'), stem: int(1, 4096), stages: z.array(z.strictObject({filters: int(1, 4096), blocks: int(1, 256), stride: int(1, 8).optional()})).min(1).max(16),
    norm: z.enum(['none', 'batch', 'layer', 'instance']).optional(), dropPath: z.number().min(0).max(1).optional(),
    layerScale: num.optional(), squeezeExcite: pos.optional(), preAct: z.boolean().optional()}),
  z.strictObject({type: z.literal('rnn'), units: int(1, 8192), recurrentInit: init.optional()}),
]);

const data = z.discriminatedUnion('type', [
  z.strictObject({type: z.literal('mnist'), train: int(10, 60000).optional(), test: int(10, 10000).optional()}),
  z.strictObject({type: z.literal('twoSpirals'), samples: int(2, 1e6), noise: z.number().min(0).max(100).optional()}),
  z.strictObject({type: z.literal('teacherStudent'), samples: int(2, 1e6), inputs: int(1, 4096), classes: int(2, 4096)}),
  z.strictObject({type: z.literal('adding'), samples: int(2, 1e6), length: int(2, 10000)}),
]);

/**
 * Any lr-schedule optimizer by name (`resolveOptimizer`: sgd, adam, adamw, adagrad, rmsprop, nadam,
 * radam, adamax, adadelta, lion, lamb, lars, adafactor) with its own options, checked in full at
 * parse time (unknown options are errors). `lr` is a number here: a schedule goes in `schedule`.
 */
const optimizer = z.looseObject({type: z.enum(OPTIMIZER_TYPES as [string, ...string[]]), lr: pos}).superRefine((o, ctx) => {
  try {
    resolveOptimizer(o).dispose();
  } catch (e) {
    ctx.addIssue({code: 'custom', message: (e as Error).message});
  }
});

const guard = z.strictObject({
  policy: z.enum(['skip', 'rollback', 'zero', 'off']).optional(),
  cutLr: z.number().gt(0).max(1).optional(),
  lossSpike: z.number().min(0).max(1e12).optional(),
  gradSpike: z.number().min(0).max(1e12).optional(),
  window: int(1, 100000).optional(),
  warmup: int(0).optional(),
  maxConsecutive: int(1).optional(),
  snapshotEvery: int(1).optional(),
  growEvery: int(0).optional(),
  growLr: z.number().gt(1).max(1e3).optional(),
});

/**
 * Gradient clipping: `{mode: 'auto', percentile, historySize, eps}` (AutoClip, clips at the
 * p-th percentile of the norms seen so far; its history is checkpointed), or any other
 * grad-clip `createClipper` config (`globalNorm`, `perParam`, `blockRms`, `norm`, `value`, `agc`), checked by it.
 */
const clip = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('auto'),
    percentile: z.number().gt(0).max(100).optional(),
    historySize: int(1, 1e6).optional(),
    eps: pos.optional(),
  }),
  // checked in full by createClipper at parse time (it rejects unknown keys)
  z.looseObject({mode: z.enum(['globalNorm', 'perParam', 'blockRms', 'norm', 'value', 'agc'])}).superRefine((c, ctx) => {
    try {
      createClipper(c as never);
    } catch (e) {
      ctx.addIssue({code: 'custom', message: (e as Error).message});
    }
  }),
]);

/** ReduceOnPlateau (lr-schedule): the lr starts at `optimizer.lr` and is cut by `factor` when the epoch's loss stalls. */
const plateau = z.strictObject({
  /** Which loss is watched at the end of each epoch. Default 'trainLoss'. */
  metric: z.enum(['trainLoss', 'testLoss']).optional(),
  factor: z.number().gt(0).lt(1).optional(),
  patience: int(0).optional(),
  threshold: z.number().min(0).optional(),
  thresholdMode: z.enum(['rel', 'abs']).optional(),
  cooldown: int(0).optional(),
  minLr: z.number().min(0).optional(),
});

/** The run config of `stable-train train --config run.json` (unknown keys are rejected). */
export const RunConfigSchema = z.strictObject({
  /** Run name: letters, digits, '.', '_' and '-' only (it names files), at most 64 characters. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit').optional(),
  backend: z.enum(['auto', 'wasm', 'cpu']).optional(),
  seed: int(0, 2 ** 31 - 1).optional(),
  model,
  data,
  optimizer,
  /** lr-schedule's `resolveSchedule` spec, e.g. `{type: 'warmupCosine', ...}`. */
  schedule: checkedSchedule.optional(),
  /** `{mode: 'auto', percentile: 10}` or grad-clip's `createClipper` config, e.g. `{mode: 'globalNorm', maxNorm: 1}`. */
  clip: clip.optional(),
  /** Reduce the lr on a plateau (instead of `schedule`). */
  plateau: plateau.optional(),
  guard: guard.optional(),
  /** `{kind: 'ema', decay: 0.999}` or `{kind: 'swa', start, every}`: the test split is also evaluated with the averaged weights. */
  averaging: averaging.optional(),
  /** Cross-entropy options for classification data (PyTorch `label_smoothing`, `ignore_index`). */
  loss: z.strictObject({labelSmoothing: z.number().min(0).max(1).optional(), ignoreIndex: z.number().int().optional()}).optional(),
  train: z.strictObject({
    batchSize: int(1, 65536),
    epochs: int(1, 100000).optional(),
    steps: int(1, 1e8).optional(),
    logEvery: int(0).optional(),
    /** Micro-batches per step (gradient accumulation); must divide batchSize. */
    accumulate: int(1).max(1024).optional(),
    checkpointDir: z.string().min(1).max(4096).optional(),
    checkpointEvery: int(1).optional(),
  }).refine((t) => (t.epochs === undefined) !== (t.steps === undefined), {message: 'give exactly one of epochs or steps'})
    .refine((t) => t.batchSize % (t.accumulate ?? 1) === 0, {message: 'accumulate must divide batchSize'}),
}).superRefine((c, ctx) => {
  if (c.plateau && c.schedule) ctx.addIssue({code: 'custom', path: ['plateau'], message: 'cannot be combined with schedule (the plateau sets the lr); drop one of them'});
});

/** A validated run config. */
export type RunConfig = z.infer<typeof RunConfigSchema>;

/**
 * Validates a parsed JSON run config; every problem is reported with the path of its field
 * (`optimizer.lr: Too small: expected number to be >0`, `train: Unrecognized key: "epoch"`).
 * Names are the library's camelCase ones; old spellings (`residual_mlp`, `'autoclip'`) are
 * accepted with a deprecation warning (see `canonicalConfigNames`).
 *
 * ```ts
 * const config = parseRunConfig(JSON.parse(text));
 * ```
 * @param json the parsed JSON
 * @param source where it came from, for the error message
 */
export function parseRunConfig(json: unknown, source = 'config'): RunConfig {
  const r = RunConfigSchema.safeParse(canonicalConfigNames(json, (m) => console.warn(`stable-train: ${source}: ${m}`)));
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new Error(`${source} is invalid:\n${lines.join('\n')}`);
}
