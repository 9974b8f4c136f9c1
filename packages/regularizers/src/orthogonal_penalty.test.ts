import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {seq, transposeRef} from '../test/fixtures';
import {orthogonalPenalty} from './orthogonal_penalty';

/**
 * Keras 3 OrthogonalRegularizer in float64 (keras/src/regularizers/regularizers.py): normalise
 * the rows of `w [r, c]` (x / max(‖x‖, 1e-7)), Gram matrix, factor·0.5·Σ|offdiag| / (r(r−1)/2).
 */
function kerasRowsRef(w: number[], r: number, c: number, factor: number): number {
  const rows = Array.from({length: r}, (_, i) => w.slice(i * c, (i + 1) * c));
  const unit = rows.map((x) => {
    const n = Math.max(Math.sqrt(x.reduce((s, e) => s + e * e, 0)), 1e-7);
    return x.map((e) => e / n);
  });
  let off = 0;
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) if (i !== j) off += Math.abs(unit[i].reduce((s, e, t) => s + e * unit[j][t], 0));
  return (factor * 0.5 * off) / ((r * (r - 1)) / 2);
}

describeBackends(['cpu', 'wasm'], () => {
  it('rows mode matches the Keras formula on a dense kernel', () => {
    const data = seq(12, 7);
    const w = tf.tensor2d(data, [4, 3]);
    expectClose(orthogonalPenalty({factor: 0.3})({w}), kerasRowsRef(data, 4, 3, 0.3));
    w.dispose();
  });

  it('columns mode is rows mode of the transpose', () => {
    const data = seq(12, 8);
    const w = tf.tensor2d(data, [4, 3]);
    expectClose(orthogonalPenalty({mode: 'columns'})({w}), kerasRowsRef(transposeRef(data, 4, 3), 3, 4, 0.01));
    w.dispose();
  });

  it('flattens a conv kernel to [prod(shape[:-1]), out]', () => {
    const data = seq(2 * 2 * 3 * 4, 9);
    const w = tf.tensor4d(data, [2, 2, 3, 4]);
    expectClose(orthogonalPenalty({mode: 'columns', factor: 1})({w}), kerasRowsRef(transposeRef(data, 12, 4), 4, 12, 1));
    w.dispose();
  });

  it('is 0 for orthogonal rows and 1·factor for parallel ones', () => {
    const q = tf.tensor2d([[3, 0], [0, -2]]);
    const p = tf.tensor2d([[1, 2], [-2, -4]]); // cos = −1 → |G12| = |G21| = 1, mean 1
    expectClose(orthogonalPenalty({factor: 0.5})({q}), 0);
    expectClose(orthogonalPenalty({factor: 0.5})({p}), 0.5);
    tf.dispose([q, p]);
  });

  it('has the hand-derived gradient for two rows', () => {
    // Two rows a, b: G12 = G21 = c = â·b̂, so P = f·(|c| + |c|)/2 = f·|c|.
    // dc/da = (b̂ − c·â)/‖a‖, hence dP/da = f·sign(c)·(b̂ − c·â)/‖a‖ (and symmetrically for b).
    const [n, f] = [5, 0.7];
    const data = seq(2 * n, 11);
    const a = data.slice(0, n);
    const b = data.slice(n);
    const norm = (x: number[]): number => Math.sqrt(x.reduce((s, e) => s + e * e, 0));
    const ah = a.map((e) => e / norm(a));
    const bh = b.map((e) => e / norm(b));
    const c = ah.reduce((s, e, i) => s + e * bh[i], 0);
    const ga = ah.map((_, i) => (f * Math.sign(c) * (bh[i] - c * ah[i])) / norm(a));
    const gb = bh.map((_, i) => (f * Math.sign(c) * (ah[i] - c * bh[i])) / norm(b));
    const w = tf.tensor2d(data, [2, n]);
    const g = tf.grad((x: tf.Tensor) => orthogonalPenalty({factor: f})({x}))(w);
    expectClose(g, [...ga, ...gb], {rtol: 1e-4, atol: 1e-6});
    tf.dispose([w, g]);
  });

  it('gives a finite (zero) gradient for an all-zero row and leaks nothing', async () => {
    const w = tf.tensor2d([[0, 0], [1, 2]]);
    const g = tf.grad((x: tf.Tensor) => orthogonalPenalty()({x}))(w);
    expectClose(g, [0, 0, 0, 0]);
    await expectNoLeak(() => orthogonalPenalty({mode: 'columns'})({w}));
    tf.dispose([w, g]);
  });
});

describe('orthogonalPenalty arguments', () => {
  it('rejects bad options and unsuitable tensors naming them', () => {
    expect(() => orthogonalPenalty({factor: -1})).toThrow('orthogonalPenalty: factor must be a finite number >= 0, got -1');
    expect(() => orthogonalPenalty({mode: 'row' as never})).toThrow("orthogonalPenalty: mode must be 'rows' or 'columns', got \"row\"");
    const p = {'d/kernel': tf.zeros([3, 2]), 'd/bias': tf.zeros([2]), 'e/kernel': tf.zeros([1, 4])};
    expect(() => orthogonalPenalty()(p)).toThrow("orthogonalPenalty: params[\"d/bias\"] must be a kernel of rank >= 2 (exclude others with the mask, e.g. excludeNormAndBias), got shape [2]");
    expect(() => orthogonalPenalty({mask: {include: 'e/*'}})(p)).toThrow(
      "orthogonalPenalty: params[\"e/kernel\"] must have at least 2 rows to orthogonalise, got shape [1,4]",
    );
    expect(() => orthogonalPenalty({mask: {include: 'd/kernel'}})(p)).not.toThrow();
    tf.dispose(Object.values(p));
  });
});
