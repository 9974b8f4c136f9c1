/**
 * Optimizers for `model.compile`: the PyTorch-exact optimizers of `@stable-train/lr-schedule`,
 * its `withSchedule` wrapper, grad-clip's `withClipping`, and `applyIfFinite`. Every class is
 * registered with `tf.serialization`, so `model.save(handler, {includeOptimizer: true})` →
 * `tf.loadLayersModel` restores the optimizer and its state.
 */
export {
  adadelta, adafactor, adagrad, adam, adamax, adamw, lamb, lars, lion, nadam, radam, rmsprop, sgd, withSchedule,
  TorchAdadelta, TorchAdafactor, TorchAdagrad, TorchAdam, TorchAdamax, TorchAdamW, TorchLamb, TorchLars, TorchLion,
  TorchNAdam, TorchRAdam, TorchRMSprop, TorchSGD, TorchOptimizer, ScheduledOptimizer,
  getOptimizerLr, setOptimizerLr,
} from '@stable-train/lr-schedule';
export type {
  AdadeltaOptions, AdafactorOptions, AdagradOptions, AdamOptions, AdamaxOptions, LambOptions, LarsOptions, LionOptions,
  NadamOptions, RadamOptions, RmspropOptions, SgdOptions, WithScheduleOptions,
} from '@stable-train/lr-schedule';
export {withClipping, createClipper, chain, ClippedOptimizer} from '@stable-train/grad-clip';
export {applyIfFinite, ApplyIfFiniteOptimizer} from './apply_if_finite';
export type {ApplyIfFiniteOptions, ApplyIfFiniteState, StoppableModel} from './apply_if_finite';
export {registerOptimizers} from './register_optimizers';
