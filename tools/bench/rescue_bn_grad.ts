// Step-0 gradient of the warm-up scenario's batch-normalised 20-layer MLP (seed 1, first batch),
// ours on wasm or cpu, for rescue_bn_grad.py to compare with PyTorch float32 and float64 (issue 21:
// is batch norm's autodiff backward, or float32 rounding, why ours and PyTorch part ways?).
// After a full `npm run bench:rescue`: `npx tsx tools/bench/rescue_bn_grad.ts wasm && npx tsx
// tools/bench/rescue_bn_grad.ts cpu && /usr/bin/python3 tools/bench/rescue_bn_grad.py`.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import {setupWasm} from './lib/setup';
import {buildVariant, SCENARIOS} from './lib/rescue_scenarios';
import {resolveLoss} from '../../packages/stable-train/src/losses';
const D = 'tools/bench/tmp/rescue/';
(async () => {
  const be = process.argv[2] ?? 'wasm';
  if (be === 'wasm') await setupWasm(); else { await tf.setBackend('cpu'); }
  const sc = SCENARIOS.find((s) => s.name === (process.argv[3] ?? 'warmup'))!;
  const opts = buildVariant(sc.variants[0].spec, 1);
  const x = new Float32Array(fs.readFileSync(D + 'mnist-x.f32').buffer.slice(0));
  const y = new Int32Array(fs.readFileSync(D + 'mnist-y.i32').buffer.slice(0));
  const order = new Int32Array(fs.readFileSync(D + `order-${sc.name}-1.i32`).buffer.slice(0)).subarray(0, 64);
  const xb = tf.tensor2d(Float32Array.from(Array.from(order).flatMap((i) => Array.from(x.subarray(i * 784, (i + 1) * 784)))), [64, 784]);
  const yb = tf.tensor1d(Int32Array.from(Array.from(order).map((i) => y[i])), 'int32');
  const loss = resolveLoss('softmax_cross_entropy');
  const vars = opts.model.variables.filter((v) => v.trainable);
  const r = tf.variableGrads(() => loss(yb, opts.model.apply(xb, {training: true})) as tf.Scalar, vars);
  const out: Record<string, number[]> = {loss: [r.value.dataSync()[0]]};
  for (const v of vars) out[v.name] = Array.from(r.grads[v.name].dataSync());
  fs.writeFileSync(D + `grads-${sc.name}-${be}.json`, JSON.stringify({names: vars.map((v) => v.name), shapes: vars.map((v) => v.shape), ...out}));
  console.log('loss', out.loss, vars.length, 'vars');
})();
