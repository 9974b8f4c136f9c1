/**
 * `import '@stable-train/lr-schedule/register'`: registers every optimizer class of the package
 * with `tf.serialization` on import, so that `tf.loadLayersModel` can restore a model saved with
 * one of them. The package's main entry registers nothing; this file is the one listed in
 * `sideEffects`, so bundlers keep it. Same as calling `registerOptimizers()`.
 */
import {registerOptimizers} from './register_optimizers';

registerOptimizers();
