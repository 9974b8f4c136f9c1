// tfjs-core's Node entry registers neither gradients nor chained tensor methods (t.reshape...).
// These two deep imports do; the package build bundles them, because Node cannot import them
// unbundled (extension-less ESM imports, see shared NOTES-tfjs.md). The registries are global,
// so registering once serves every copy of tfjs-core and every backend.
// tfjs-core's main entry first: whichever copy of engine.js runs first owns the global engine,
// and only the main entry wires up Tensor methods such as clone().
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

/** Referenced by setupBackend so that bundlers honouring `sideEffects: false` keep this module. */
export const OPS_REGISTERED = true;
