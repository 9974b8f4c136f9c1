import type {RunConfig} from './config';

/** Steps of the stabilised demo run (batch 128 on 8000 MNIST digits: 4 epochs). */
export const DEMO_STEPS = 250;

/**
 * The two runs of `stable-train demo`: the same 32-layer depth on MNIST, first naive (plain ReLU
 * MLP, every weight N(0, 1), SGD lr 0.1: the forward pass overflows and the guard gives up), then
 * with the stable-train recipe (He init, residual blocks with ReZero gates, global-norm clipping
 * at 1, warm-up + cosine lr, AdamW).
 */
export function demoConfigs(backend: 'wasm' | 'cpu' | 'auto' = 'wasm'): RunConfig[] {
  const data = {type: 'mnist' as const, train: 8000, test: 1700};
  return [
    {
      name: 'naive', backend, seed: 1, data,
      model: {type: 'mlp', hidden: new Array(32).fill(64), init: {name: 'normal', std: 1}},
      optimizer: {type: 'sgd', lr: 0.1},
      guard: {policy: 'skip', maxConsecutive: 5},
      train: {batchSize: 128, steps: 100, logEvery: 1},
    },
    {
      name: 'stable', backend, seed: 1, data,
      model: {type: 'residualMlp', width: 64, depth: 16, norm: 'none', gate: 'rezero'},
      optimizer: {type: 'adamw', lr: 3e-3, weightDecay: 0.01},
      schedule: {type: 'warmupCosine', initial: 0, peak: 3e-3, warmupSteps: 25, decaySteps: DEMO_STEPS, final: 1e-5},
      clip: {mode: 'globalNorm', maxNorm: 1},
      guard: {policy: 'skip', maxConsecutive: 5},
      train: {batchSize: 128, steps: DEMO_STEPS, logEvery: 5},
    },
  ];
}
