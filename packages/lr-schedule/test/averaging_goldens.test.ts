// Every case of averaging.json (PyTorch 1.13 AveragedModel, timm ModelEmaV2 re-typed; 5 updates)
// on cpu and wasm: init with initial_params, update with snapshots[k], compare the average.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {ema, swa, type WeightAverager} from '../src';

const TOL = {rtol: 1e-5, atol: 1e-6};
const golden = loadGolden('averaging');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cases: any[] = golden.cases;

function make(c: {name: string; decay: number | null}): WeightAverager {
  if (c.name === 'swa_average') return swa();
  if (c.name.startsWith('ema_averagedmodel')) return ema({decay: c.decay!, copyOnFirstUpdate: true});
  if (c.name.startsWith('timm_model_ema_v2')) return ema({decay: c.decay!});
  throw new Error(`no mapping for ${c.name}`);
}

describeBackends(['cpu', 'wasm'], (backend) => {
  it('covers the 5 cases of 5 updates', () => {
    expect(cases.length).toBe(5);
    expect(golden.snapshots.length).toBe(5);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: the average after each update', (_name, c) => {
    const before = tf.memory().numTensors;
    const init = {W: goldenTensor(golden.initial_params.W), b: goldenTensor(golden.initial_params.b)};
    const avg = make(c);
    avg.init(init);
    tf.dispose(Object.values(init));
    golden.snapshots.forEach((snap: {W: never; b: never}, k: number) => {
      const w = {W: goldenTensor(snap.W), b: goldenTensor(snap.b)};
      avg.update(w);
      tf.dispose(Object.values(w));
      const want = c.averaged_after_update[k];
      expectClose(avg.values.W, goldenData(want.W), TOL);
      expectClose(avg.values.b, goldenData(want.b), TOL);
      if (want.n_averaged !== undefined) expect(avg.nAveraged).toBe(want.n_averaged);
    });
    avg.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(backend).toBe(tf.getBackend());
  });
});
