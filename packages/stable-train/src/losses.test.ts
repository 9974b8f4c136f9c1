import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {resolveLoss, softmaxCrossEntropy} from './losses';

// losses_v2.json: PyTorch 1.13 F.cross_entropy(label_smoothing=0.1, ignore_index=-100, reduction='mean')
// (tools/goldens/README-v2.md §7). Tolerance from the file: 1e-5 relative on the loss, 1e-5 relative
// + 1e-7 absolute on dlogits.
describeBackends(['cpu', 'wasm'], () => {
  for (const c of loadGolden('losses_v2').cases) {
    it(`${c.name}: loss and dlogits match PyTorch (labelSmoothing ${c.label_smoothing}, ignoreIndex ${c.ignore_index})`, () => {
      const logits = goldenTensor(c.logits);
      const labels = tf.tensor1d(c.targets, 'int32');
      const opts = {labelSmoothing: c.label_smoothing, ignoreIndex: c.ignore_index};
      const loss = softmaxCrossEntropy(labels, logits, opts);
      expectClose(loss, c.loss, {rtol: 1e-5, atol: 0});
      const d = tf.grad((z: tf.Tensor) => softmaxCrossEntropy(labels, z, opts))(logits);
      expectClose(d, goldenData(c.dlogits), {rtol: 1e-5, atol: 1e-7});
      // the same through resolveLoss, as a config gives it; float labels are class ids too
      const fromSpec = resolveLoss({name: 'softmax_cross_entropy', ...opts})(tf.cast(labels, 'float32'), logits);
      expectClose(fromSpec, c.loss, {rtol: 1e-5, atol: 0});
      tf.dispose([logits, labels, loss, d, fromSpec]);
    });
  }

  it('no options = the plain loss; ε = 0 with options equals it; one-hot targets smooth the same way', () => {
    const logits = tf.tensor2d([[1, 2, 0.5], [0.1, -1, 3]]);
    const ids = tf.tensor1d([1, 2], 'int32');
    const oneHot = tf.tensor2d([[0, 1, 0], [0, 0, 1]]);
    const plain = softmaxCrossEntropy(ids, logits);
    const eps0 = softmaxCrossEntropy(ids, logits, {labelSmoothing: 0, ignoreIndex: -100});
    expectClose(eps0, plain.dataSync()[0], {rtol: 1e-6});
    const a = softmaxCrossEntropy(ids, logits, {labelSmoothing: 0.2});
    const b = softmaxCrossEntropy(oneHot, logits, {labelSmoothing: 0.2});
    expectClose(b, a.dataSync()[0], {rtol: 1e-6});
    // by hand: loss_i = 0.8·(−logp[y]) + 0.2·mean_c(−logp) (float64 JS)
    const z = [[1, 2, 0.5], [0.1, -1, 3]];
    const y = [1, 2];
    let want = 0;
    z.forEach((row, i) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      const nl = row.map((v) => lse - v);
      want += 0.8 * nl[y[i]] + (0.2 * nl.reduce((s, v) => s + v, 0)) / 3;
    });
    expectClose(a, want / 2, {rtol: 1e-6});
    tf.dispose([logits, ids, oneHot, plain, eps0, a, b]);
  });

  it('every row ignored gives NaN (0/0, as PyTorch); leaks nothing', async () => {
    const logits = tf.tensor2d([[1, 2], [3, 4]]);
    const ids = tf.tensor1d([-100, -100], 'int32');
    const l = softmaxCrossEntropy(ids, logits, {ignoreIndex: -100});
    expect(Number.isNaN(l.dataSync()[0])).toBe(true);
    const ok = tf.tensor1d([1, -100], 'int32');
    await expectNoLeak(() => softmaxCrossEntropy(ok, logits, {labelSmoothing: 0.1, ignoreIndex: -100}));
    await expectNoLeak(() => tf.grad((z: tf.Tensor) => softmaxCrossEntropy(ok, z, {labelSmoothing: 0.1, ignoreIndex: -100}))(logits));
    tf.dispose([logits, ids, l, ok]);
  });
});

describe('softmaxCrossEntropy options', () => {
  it('names the bad option and value', () => {
    const logits = tf.zeros([2, 3]);
    const ids = tf.tensor1d([0, 1], 'int32');
    expect(() => softmaxCrossEntropy(ids, logits, {labelSmoothing: 1.5})).toThrow('softmaxCrossEntropy: labelSmoothing must be a number in [0, 1], got 1.5');
    expect(() => softmaxCrossEntropy(ids, logits, {ignoreIndex: 0.5})).toThrow('softmaxCrossEntropy: ignoreIndex must be an integer, got 0.5');
    expect(() => softmaxCrossEntropy(ids, logits, {smoothing: 0.1} as never)).toThrow("softmaxCrossEntropy: unknown option 'smoothing' (known: labelSmoothing, ignoreIndex)");
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), logits, {ignoreIndex: -100})).toThrow('softmaxCrossEntropy: ignoreIndex needs class-id labels [N], got targets of shape [2,3]');
    expect(() => resolveLoss({name: 'mse'} as never)).toThrow(`resolveLoss: a loss given as an object must have name 'softmax_cross_entropy', got "mse"`);
    expect(() => resolveLoss({name: 'softmax_cross_entropy', labelSmoothing: -1})).toThrow(/labelSmoothing must be a number in \[0, 1\], got -1/);
    tf.dispose([logits, ids]);
  });
});
