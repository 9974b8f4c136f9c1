import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {WeightStandardization, weightStandardization} from './weight_standardization';
import {FWD, GRAD, cases} from '../test/golden_check';

/** Transposes a row-major [R, D] list to [D, R]. */
const transpose = (a: number[], R: number, D: number) => Array.from({length: R * D}, (_, i) => a[(i % R) * D + Math.floor(i / R)]);

describeBackends(['cpu', 'wasm'], () => {
  // WS standardises each output filter = each column of the kernel reshaped to [h*w*in, out];
  // LayerNorm standardises each row. So a kernel whose filter j is row j of a LayerNorm golden's x
  // must give (y - beta) / gamma (transposed), and with upstream grad G = up * gamma, dx (transposed).
  for (const c of cases('layernorm')) {
    it(`standardises each filter like PyTorch LayerNorm without affine (${c.name})`, () => {
      const D = c.x.shape[c.x.shape.length - 1];
      const R = c.x.data.length / D;
      const kshape = c.x.shape.length === 2 ? [1, 1, D, R] : [D, 1, 1, R];
      const g = goldenData(c.gamma), b = goldenData(c.beta), upD = goldenData(c.upstream_grad);
      const k = tf.tensor(transpose(goldenData(c.x), R, D), kshape);
      const G = tf.tensor(transpose(upD.map((u, i) => u * g[i % D]), R, D), kshape);
      const yExp = transpose(goldenData(c.y).map((y, i) => (y - b[i % D]) / g[i % D]), R, D);
      const y = weightStandardization(k, c.eps);
      const dk = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(weightStandardization(a, c.eps), G)))(k);
      expectClose(y, yExp, {rtol: FWD.rtol, atol: 1e-5}); // (y - beta) / gamma loses a little precision
      expectClose(dk, transpose(goldenData(c.dx), R, D), GRAD);
      tf.dispose([k, G, y, dk]);
    });
  }

  it('the conv2d helper equals conv2d with the standardised kernel, without leaks', async () => {
    const ws = new WeightStandardization();
    const x = tf.tensor4d(Array.from({length: 2 * 4 * 4 * 3}, (_, i) => Math.sin(i)), [2, 4, 4, 3]);
    const k = tf.tensor4d(Array.from({length: 3 * 3 * 3 * 5}, (_, i) => Math.cos(i * 0.7)), [3, 3, 3, 5]);
    const kw = ws.apply(k);
    // per-filter mean 0 and (biased) variance 1 - eps/(var+eps) ~ 1
    const mean = tf.mean(kw, [0, 1, 2]);
    const msq = tf.mean(tf.square(kw), [0, 1, 2]);
    expectClose(mean, [0, 0, 0, 0, 0], {rtol: 0, atol: 1e-6});
    expectClose(msq, [1, 1, 1, 1, 1], {rtol: 1e-5, atol: 1e-5});
    const a = ws.conv2d(x, k, 1, 'same');
    const b = tf.conv2d(x, kw as tf.Tensor4D, 1, 'same');
    expectClose(a, b);
    await expectNoLeak(() => ws.conv2d(x, k, 1, 'same'));
    tf.dispose([x, k, kw, mean, msq, a, b]);
  });
});

describe('weightStandardization arguments', () => {
  it('names the bad argument', () => {
    const v = tf.ones([3]);
    expect(() => weightStandardization(v)).toThrow('weightStandardization: kernel must have rank >= 2 (channels last), got shape [3]');
    expect(() => new WeightStandardization({eps: 0})).toThrow('WeightStandardization: eps must be a finite number > 0, got 0');
    v.dispose();
  });
});
