import {TorchAdadelta} from './adadelta';
import {TorchAdafactor} from './adafactor';
import {TorchAdagrad} from './adagrad';
import {TorchAdam} from './adam';
import {TorchAdamax} from './adamax';
import {TorchAdamW} from './adamw';
import {TorchLamb} from './lamb';
import {TorchLars} from './lars';
import {TorchLion} from './lion';
import {TorchNAdam} from './nadam';
import {TorchRAdam} from './radam';
import {registerOnce} from './register_once';
import {TorchRMSprop} from './rmsprop';
import {TorchSGD} from './sgd';
import {ScheduledOptimizer} from './with_schedule';

/**
 * Registers every optimizer class of this package with `tf.serialization` (the 13 PyTorch-exact
 * `Torch*` optimizers and `ScheduledOptimizer`), which `tf.loadLayersModel` needs to restore a
 * model saved with `{includeOptimizer: true}`. Importing the package registers nothing; each
 * factory (`adam(...)`, `withSchedule(...)`, …) registers its own class when called, so saving
 * and loading in one process needs no extra step. An app that only loads calls this first, or
 * imports `'@stable-train/lr-schedule/register'` (or `@stable-train/layers`). Idempotent.
 *
 * ```ts
 * registerOptimizers(); // then tf.loadLayersModel(...)
 * ```
 * @returns the registered class names (`'StableTrainAdam'`, …, `'StableTrainScheduled'`)
 */
export function registerOptimizers(): string[] {
  const classes = [
    TorchSGD, TorchAdam, TorchAdamW, TorchAdagrad, TorchRMSprop, TorchNAdam, TorchRAdam, TorchAdamax, TorchAdadelta,
    TorchLion, TorchLamb, TorchLars, TorchAdafactor, ScheduledOptimizer,
  ];
  for (const cls of classes) registerOnce(cls);
  return classes.map((cls) => cls.className);
}
