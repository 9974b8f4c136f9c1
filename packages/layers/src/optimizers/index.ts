/**
 * Optimizers for `model.compile`: the PyTorch-exact optimizers of `@stable-train/lr-schedule`,
 * its `withSchedule` wrapper, grad-clip's `withClipping`, and `applyIfFinite`. Every class is
 * registered with `tf.serialization`, so `model.save(handler, {includeOptimizer: true})` →
 * `tf.loadLayersModel` restores the optimizer and its state.
 */
export {
  adagrad, adam, adamw, rmsprop, sgd, withSchedule,
  TorchAdagrad, TorchAdam, TorchAdamW, TorchOptimizer, TorchRMSprop, TorchSGD, ScheduledOptimizer,
  getOptimizerLr, setOptimizerLr,
} from '@stable-train/lr-schedule';
export {withClipping, createClipper, chain, ClippedOptimizer} from '@stable-train/grad-clip';
export {applyIfFinite, ApplyIfFiniteOptimizer} from './apply_if_finite';
export type {ApplyIfFiniteOptions, ApplyIfFiniteState, StoppableModel} from './apply_if_finite';
export {registerOptimizers} from './register_optimizers';
