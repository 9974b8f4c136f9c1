// Every trajectory of optimizers_v2.json (PyTorch 1.13 NAdam/RAdam/Adamax/Adadelta/AMSGrad and the
// numpy ports of Optax Lion/LAMB/LARS/Adafactor; 8 steps on W [4,2], b [2], K [3,3,3,2]) on cpu
// and wasm: feed grads[t], compare params_after (and the optimizer state) after every step.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, goldenData, goldenTensor, loadGolden, type GoldenTensor} from '@stable-train/testing';
import {fromReference} from './reference_optimizers';

const TOL = {rtol: 1e-5, atol: 1e-6}; // README-v2 §1: float32 consumers
const golden = loadGolden('optimizers_v2');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const configs: any[] = golden.optimizers;
const PARAMS = ['W', 'b', 'K'] as const;

/** Our state slot for a golden state_after key (PyTorch names are ours; Optax's per-param dicts too). */
function stateOf(st: any, p: string): Record<string, GoldenTensor> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Record<string, GoldenTensor> = {};
  for (const [k, v] of Object.entries(st)) {
    if (k === 'count' || k === 'step' || v == null || typeof v !== 'object') continue;
    const byParam = v as Record<string, GoldenTensor>;
    if (byParam.shape) out[k] = byParam as unknown as GoldenTensor; // torch: state_after[p][slot]
    else out[k] = byParam[p]; // optax: state_after[slot][p]
  }
  return out;
}

const runs: [string, any, string][] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
for (const c of configs) {
  runs.push([c.name, c, 'params_after']);
  if (c.steps[0].params_after_torch2_formula || c.params_after_torch2_formula) runs.push([`${c.name} (torch2 formula)`, c, 'torch2']);
}

describeBackends(['cpu', 'wasm'], (backend) => {
  it('covers the 28 configurations, 8 steps each', () => {
    expect(configs.length).toBe(28);
    expect(golden.n_steps).toBe(8);
  });

  it.each(runs)('%s: params (and state) after each of 8 steps', async (name, c, field) => {
    const before = tf.memory().numTensors;
    const key = (k: string) => `optv2_${backend}_${name}/${k}`;
    const vars = Object.fromEntries(PARAMS.map((p) => [p, tf.tidy(() => tf.variable(goldenTensor(golden.initial_params[p]), true, key(p)))]));
    const opt = fromReference(c, field === 'torch2' ? 'torch2' : 'torch1.13');
    const torch2 = c.params_after_torch2_formula;
    let maxErr = 0;
    for (let t = 0; t < 8; t++) {
      const grads = Object.fromEntries(PARAMS.map((p) => [key(p), goldenTensor(golden.grads[t][p])]));
      opt.applyGradients(grads);
      tf.dispose(Object.values(grads));
      const st = c.steps[t];
      const want = field === 'torch2' ? (st.params_after_torch2_formula ?? torch2[t]) : st.params_after;
      for (const p of PARAMS) {
        const w = goldenData(want[p]);
        const got = vars[p].dataSync();
        w.forEach((x, i) => (maxErr = Math.max(maxErr, Math.abs(got[i] - x) / (1e-6 + 1e-5 * Math.abs(x)))));
        expectClose(vars[p], w, TOL);
      }
      if (field !== 'torch2') {
        const weights = await opt.getWeights();
        const byName = new Map(weights.map((x) => [x.name, x.tensor]));
        for (const p of PARAMS) {
          const sa = st.state_after[p] ? st.state_after[p] : st.state_after;
          for (const [slot, g] of Object.entries(stateOf(sa, p))) {
            if (slot === 'mu_product') continue; // scalar, checked below
            const ours = byName.get(`${key(p)}/${slot}`);
            if (!ours) {
              expect(goldenData(g).every((x) => x === 0)).toBe(true); // an optax placeholder we do not keep
              continue;
            }
            expectClose(ours, goldenData(g), TOL);
          }
          if (st.state_after[p]?.mu_product !== undefined) {
            const want = st.state_after[p].mu_product;
            expectClose(byName.get(`${key(p)}/mu_product`)!, typeof want === 'number' ? [want] : goldenData(want), TOL);
          }
        }
        tf.dispose(weights.map((x) => x.tensor));
      }
    }
    // eslint-disable-next-line no-console
    if (process.env.REPORT_ERR) console.log(`${backend} ${name}: max |err|/(1e-6+1e-5|x|) = ${maxErr.toFixed(4)}`);
    expect(opt.step).toBe(8);
    opt.dispose();
    tf.dispose(Object.values(vars));
    expect(tf.memory().numTensors).toBe(before);
  });
});
