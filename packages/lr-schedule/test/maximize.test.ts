// PyTorch 1.13 `maximize`: every optimizer negates the raw gradient first (before weight decay
// and the moments; torch/optim/{sgd,adam,adamw,adagrad,rmsprop}.py), so maximize with g must
// give bit-for-bit the trajectory of the plain optimizer fed −g.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {adagrad, adam, adamw, rmsprop, sgd, type TorchOptimizer} from '../src';

type Make = (maximize: boolean) => TorchOptimizer;
const MAKERS: [string, Make][] = [
  ['sgd momentum nesterov wd', (maximize) => sgd({lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize})],
  ['adam amsgrad wd', (maximize) => adam({lr: 0.05, weightDecay: 0.01, amsgrad: true, maximize})],
  ['adamw', (maximize) => adamw({lr: 0.05, maximize})],
  ['adagrad wd', (maximize) => adagrad({lr: 0.1, weightDecay: 0.01, lrDecay: 0.1, maximize})],
  ['rmsprop centered momentum wd', (maximize) => rmsprop({lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01, maximize})],
];

let uid = 0;
function run(make: Make, maximize: boolean, sign: number): Float32Array {
  const w = tf.variable(tf.tensor1d([0.5, -1.25, 2]), true, `maximize_${uid++}`);
  const opt = make(maximize);
  for (let t = 0; t < 5; t++) {
    const g = tf.tensor1d([0.3 * (t + 1), -0.7, 0.05 * t - 0.1].map((v) => sign * v));
    opt.applyGradients({[w.name]: g});
    g.dispose();
  }
  const out = w.dataSync() as Float32Array;
  opt.dispose();
  w.dispose();
  return out;
}

describeBackends(['cpu', 'wasm'], () => {
  for (const [name, make] of MAKERS) {
    it(`${name}: maximize with g equals the plain optimizer with −g, exactly`, () => {
      const ascend = run(make, true, 1);
      expectClose(ascend, Array.from(run(make, false, -1)), {rtol: 0, atol: 0});
      // and it is not a no-op: descending on g ends elsewhere
      expect(Array.from(ascend)).not.toEqual(Array.from(run(make, false, 1)));
    });
  }

  it('a maximize step climbs a linear objective; getConfig reports it; no leaks', async () => {
    const w = tf.variable(tf.tensor1d([0, 0]), true, `maximize_${uid++}`);
    const opt = sgd({lr: 0.5, maximize: true});
    const f = () => tf.sum(tf.mul(w, tf.tensor1d([1, -2]))) as tf.Scalar;
    const before = f().dataSync()[0];
    opt.minimize(f);
    expect(f().dataSync()[0]).toBeGreaterThan(before); // w moved along +∇f: [0.5, -1]
    expectClose(w, [0.5, -1], {rtol: 0, atol: 1e-7});
    expect(opt.getConfig()).toMatchObject({maximize: true});
    expect(sgd({lr: 0.1}).getConfig()).toMatchObject({maximize: false});
    const g = tf.tensor1d([1, 1]);
    await expectNoLeak(() => opt.applyGradients({[w.name]: g}));
    tf.dispose([g, w]);
    opt.dispose();
  });

  it('rejects a non-boolean maximize', () => {
    expect(() => adam({lr: 0.1, maximize: 'yes' as never})).toThrow(/adam: maximize must be true or false, got "yes"/);
  });
});
