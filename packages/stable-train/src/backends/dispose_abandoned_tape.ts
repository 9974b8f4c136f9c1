import * as tf from '@tensorflow/tfjs-core';

/**
 * Frees what an interrupted `tf.variableGrads` left behind. While a gradient tape records, the
 * engine keeps a clone of every tensor a backward pass will need (`saveTensorsForBackwardMode`);
 * the backward pass frees them. When the forward function throws (a loss that rejects its
 * input), there is no backward pass and the clones stay alive: 15 tensors for a small MLP, per
 * failed step. This reaches the engine's tape (tfjs-core internals, `engine().state.activeTape`),
 * which is why it lives in backends/. Call it only after a throw, outside any other tape.
 */
export function disposeAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) {
    const saved: unknown = Object(node).saved;
    if (Array.isArray(saved)) for (const t of saved) if (t instanceof tf.Tensor && !t.isDisposed) t.dispose();
  }
  state.activeTape = [];
}
