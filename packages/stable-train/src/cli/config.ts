import {z} from 'zod';

const int = (min: number) => z.number().int().min(min);
const pos = z.number().positive();


const model = z.discriminatedUnion('type', [
  z.strictObject({type: z.literal('mlp'), hidden: z.array(int(1)).min(1), activation: z.string().optional(),
    init: z.union([z.string(), z.looseObject({name: z.string()})]).optional(), norm: z.enum(['none', 'batch', 'layer']).optional()}),
  z.strictObject({type: z.literal('residual_mlp'), width: int(1), depth: int(1), norm: z.enum(['none', 'batch', 'layer']).optional(),
    gate: z.union([z.enum(['none', 'rezero', 'skipinit']), z.strictObject({init: z.number()})]).optional(), activation: z.string().optional()}),
  z.strictObject({type: z.literal('residual_cnn'), stem: int(1), stages: z.array(z.strictObject({filters: int(1), blocks: int(1), stride: int(1).optional()})).min(1),
    norm: z.enum(['none', 'batch', 'layer']).optional()}),
  z.strictObject({type: z.literal('rnn'), units: int(1), recurrentInit: z.union([z.string(), z.looseObject({name: z.string()})]).optional()}),
]);

const data = z.discriminatedUnion('type', [
  z.strictObject({type: z.literal('mnist'), train: int(10).optional(), test: int(10).optional()}),
  z.strictObject({type: z.literal('two_spirals'), samples: int(2), noise: z.number().min(0).optional()}),
  z.strictObject({type: z.literal('teacher_student'), samples: int(2), inputs: int(1), classes: int(2)}),
  z.strictObject({type: z.literal('adding'), samples: int(2), length: int(2)}),
]);

const optimizer = z.strictObject({
  type: z.enum(['adamw', 'adam', 'sgd', 'rmsprop']),
  lr: pos,
  weightDecay: z.number().min(0).optional(),
  momentum: z.number().min(0).max(1).optional(),
  eps: pos.optional(),
});

const guard = z.strictObject({
  policy: z.enum(['skip', 'rollback', 'zero', 'off']).optional(),
  cutLr: z.number().gt(0).max(1).optional(),
  lossSpike: z.number().min(0).optional(),
  gradSpike: z.number().min(0).optional(),
  window: int(1).optional(),
  warmup: int(0).optional(),
  maxConsecutive: int(1).optional(),
  snapshotEvery: int(1).optional(),
});

/**
 * Gradient clipping: `{mode: 'autoclip', percentile, historySize, eps}` (AutoClip, clips at the
 * p-th percentile of the norms seen so far; its history is checkpointed), or any other
 * grad-clip `createClipper` config (`global_norm`, `norm`, `value`, `agc`), checked by it.
 */
const clip = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('autoclip'),
    percentile: z.number().gt(0).max(100).optional(),
    historySize: int(1).optional(),
    eps: pos.optional(),
  }),
  z.looseObject({mode: z.enum(['global_norm', 'norm', 'value', 'agc'])}),
]);

/** ReduceOnPlateau (lr-schedule): the lr starts at `optimizer.lr` and is cut by `factor` when the epoch's loss stalls. */
const plateau = z.strictObject({
  /** Which loss is watched at the end of each epoch. Default 'train_loss'. */
  metric: z.enum(['train_loss', 'test_loss']).optional(),
  factor: z.number().gt(0).lt(1).optional(),
  patience: int(0).optional(),
  threshold: z.number().min(0).optional(),
  thresholdMode: z.enum(['rel', 'abs']).optional(),
  cooldown: int(0).optional(),
  minLr: z.number().min(0).optional(),
});

/** The run config of `stable-train train --config run.json` (unknown keys are rejected). */
export const RunConfigSchema = z.strictObject({
  name: z.string().optional(),
  backend: z.enum(['auto', 'wasm', 'cpu']).optional(),
  seed: int(0).optional(),
  model,
  data,
  optimizer,
  /** lr-schedule's `resolveSchedule` spec, e.g. `{type: 'warmup_cosine', ...}`. */
  schedule: z.looseObject({type: z.string()}).optional(),
  /** `{mode: 'autoclip', percentile: 10}` or grad-clip's `createClipper` config, e.g. `{mode: 'global_norm', maxNorm: 1}`. */
  clip: clip.optional(),
  /** Reduce the lr on a plateau (instead of `schedule`). */
  plateau: plateau.optional(),
  guard: guard.optional(),
  train: z.strictObject({
    batchSize: int(1),
    epochs: int(1).optional(),
    steps: int(1).optional(),
    logEvery: int(0).optional(),
    /** Micro-batches per step (gradient accumulation); must divide batchSize. */
    accumulate: int(1).max(1024).optional(),
    checkpointDir: z.string().min(1).optional(),
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
 *
 * ```ts
 * const config = parseRunConfig(JSON.parse(text));
 * ```
 * @param json the parsed JSON
 * @param source where it came from, for the error message
 */
export function parseRunConfig(json: unknown, source = 'config'): RunConfig {
  const r = RunConfigSchema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new Error(`${source} is invalid:\n${lines.join('\n')}`);
}
