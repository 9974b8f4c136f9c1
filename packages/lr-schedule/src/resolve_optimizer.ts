import {adadelta} from './adadelta';
import {adafactor} from './adafactor';
import {adagrad} from './adagrad';
import {adam} from './adam';
import {adamax} from './adamax';
import {adamw} from './adamw';
import {lamb} from './lamb';
import {lars} from './lars';
import {lion} from './lion';
import {nadam} from './nadam';
import {radam} from './radam';
import {type ResolveScheduleOptions, resolveSchedule, type ScheduleSpec} from './resolve_schedule';
import {rmsprop} from './rmsprop';
import {sgd} from './sgd';
import type {TorchOptimizer} from './torch_optimizer';
import {knownOptions, show} from './validate';

/**
 * An optimizer described by plain JSON: `type` names it, the other fields are its options;
 * `lr` may be a number, a {@link ScheduleSpec} or (in code) a schedule function.
 */
export type OptimizerSpec = {type: string; [option: string]: unknown};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const builders: Record<string, [readonly string[], (o: any) => TorchOptimizer]> = {
  sgd: [['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize'], sgd],
  adam: [['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'amsgrad', 'maximize'], adam],
  adamw: [['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'amsgrad', 'maximize'], adamw],
  adagrad: [['lr', 'lrDecay', 'eps', 'initialAccumulatorValue', 'weightDecay', 'maximize'], adagrad],
  rmsprop: [['lr', 'alpha', 'eps', 'momentum', 'centered', 'weightDecay', 'maximize'], rmsprop],
  nadam: [['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'momentumDecay', 'formula'], nadam],
  radam: [['lr', 'beta1', 'beta2', 'eps', 'weightDecay'], radam],
  adamax: [['lr', 'beta1', 'beta2', 'eps', 'weightDecay'], adamax],
  adadelta: [['lr', 'rho', 'eps', 'weightDecay'], adadelta],
  lion: [['lr', 'beta1', 'beta2', 'weightDecay'], lion],
  lamb: [['lr', 'beta1', 'beta2', 'eps', 'epsRoot', 'weightDecay'], lamb],
  lars: [['lr', 'momentum', 'weightDecay', 'trustCoefficient', 'eps', 'nesterov'], lars],
  adafactor: [['lr', 'minDimSizeToFactor', 'decayRate', 'decayOffset', 'multiplyByParameterScale', 'clippingThreshold',
    'momentum', 'weightDecayRate', 'eps', 'factored'], adafactor],
};

/** The `type` names {@link resolveOptimizer} accepts. */
export const OPTIMIZER_TYPES: readonly string[] = Object.keys(builders);

/**
 * Builds a PyTorch/Optax-exact optimizer from a JSON spec (config files, CLI flags):
 * `{type, ...options}` with the options of the function of that name ({@link nadam},
 * {@link lion}, {@link adafactor}, …; types: sgd, adam, adamw, adagrad, rmsprop, nadam, radam,
 * adamax, adadelta, lion, lamb, lars, adafactor). An object `lr` is a schedule spec, built with
 * {@link resolveSchedule} (and `opts.lambdas`). Unknown types and options are errors, raised
 * before any tensor exists.
 *
 * Same idea as timm `create_optimizer_v2(opt='lamb', ...)` and Keras `optimizers.get`.
 *
 * ```ts
 * const opt = resolveOptimizer({type: 'lion', lr: {type: 'cosine', initial: 1e-4, decaySteps: 1000}, weightDecay: 0.1});
 * console.log(opt.getClassName()); // StableTrainLion
 * opt.dispose();
 * ```
 * @param spec `{type, ...options}`
 * @param opts.lambdas functions that `lambda` schedule specs name
 */
export function resolveOptimizer(spec: OptimizerSpec, opts: ResolveScheduleOptions = {}): TorchOptimizer {
  const fn = 'resolveOptimizer';
  if (spec == null || typeof spec !== 'object' || Array.isArray(spec) || typeof spec.type !== 'string') {
    throw new Error(`${fn}: spec must be an object with a string 'type', got ${show(spec)}`);
  }
  const entry = Object.prototype.hasOwnProperty.call(builders, spec.type) ? builders[spec.type] : undefined;
  if (!entry) throw new Error(`${fn}: type must be one of ${OPTIMIZER_TYPES.join(', ')}, got ${show(spec.type)}`);
  const {type: _type, ...o} = spec;
  knownOptions(`${fn}: ${spec.type}`, o, entry[0]);
  if (o.lr != null && typeof o.lr === 'object') o.lr = resolveSchedule(o.lr as ScheduleSpec, opts);
  return entry[1](o);
}
