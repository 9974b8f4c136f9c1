/**
 * `import '@stable-train/grad-clip/register'`: registers `ClippedOptimizer` with
 * `tf.serialization` on import, so that `tf.loadLayersModel` can restore a model saved with a
 * clipped optimizer. The package's main entry registers nothing; this file is the one listed in
 * `sideEffects`, so bundlers keep it. Same as calling `registerClippedOptimizer()`.
 */
import {registerClippedOptimizer} from './with_clipping';

registerClippedOptimizer();
