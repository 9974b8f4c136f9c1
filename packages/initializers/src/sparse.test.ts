import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {resolveInitializer, sparse} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('exactly ceil(sparsity·rows) zeros per column; non-zeros ~ N(0, std²); zeros spread over rows', () => {
    const [rows, cols, sparsity, std] = [200, 300, 0.3, 0.5];
    const k = Math.ceil(sparsity * rows); // 60
    const w = sparse({sparsity, std})([rows, cols], {seed: 3});
    expect(w.shape).toEqual([rows, cols]);
    const d = w.dataSync();
    const zerosPerCol = new Array(cols).fill(0);
    const zerosPerRow = new Array(rows).fill(0);
    let s = 0;
    let s2 = 0;
    let n = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = d[r * cols + c];
        if (v === 0) {
          zerosPerCol[c]++;
          zerosPerRow[r]++;
        } else {
          s += v;
          s2 += v * v;
          n++;
        }
      }
    }
    // exact: the algorithm zeroes k distinct rows per column, and a normal draw is never exactly 0
    expect(zerosPerCol.every((z) => z === k)).toBe(true);
    expect(n).toBe((rows - k) * cols); // 42000 non-zeros
    // mean: standard error std/√n = 0.5/√42000 = 2.44e-3; bound 5 SE = 0.0122 (P(fail) < 1e-6)
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(5 * std / Math.sqrt(n));
    // std: the sample std's standard error is about std/√(2n) (0.17%); bound 5 SE = 0.87%
    const sd = Math.sqrt(s2 / n - mean * mean);
    expect(Math.abs(sd / std - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
    // rows: each entry is zero with p = k/rows = 0.3 independently across columns, so a row's zero
    // count ~ Binomial(300, 0.3): mean 90, sd √(300·0.3·0.7) = 7.94; 5.5 sd for all 200 rows
    // (P(any row fails) ≈ 200 · 4e-8 < 1e-5). A fixed pattern (same rows every column) would give 0 or 300.
    const sdRow = Math.sqrt(cols * 0.3 * 0.7);
    for (const z of zerosPerRow) expect(Math.abs(z - cols * 0.3)).toBeLessThan(5.5 * sdRow);
    tf.dispose(w);
  });

  it('seeded draws repeat, other seeds differ; sparsity 0 and 1; stats(); resolveInitializer("sparse")', () => {
    const a = sparse({sparsity: 0.5})([10, 4], {seed: 9});
    const b = resolveInitializer('sparse_', {sparsity: 0.5})([10, 4], {seed: 9});
    expectClose(a, b, {rtol: 0, atol: 0});
    const c = sparse({sparsity: 0.5})([10, 4], {seed: 10});
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
    const none = sparse({sparsity: 0})([5, 3], {seed: 1});
    expect(Array.from(none.dataSync()).every((v) => v !== 0)).toBe(true);
    const all = sparse({sparsity: 1})([5, 3], {seed: 1});
    expectClose(all, new Array(15).fill(0), {atol: 0});
    // ceil(0.1 · 5) = 1 zero per column: realised std = 0.01 · √(4/5)
    expect(sparse({sparsity: 0.1}).stats([5, 3])).toEqual({distribution: 'sparse_normal', mean: 0, std: 0.01 * Math.sqrt(4 / 5)});
    tf.dispose([a, b, c, none, all]);
  });

  it('leaks nothing', async () => {
    await expectNoLeak(() => sparse({sparsity: 0.2})([30, 20], {seed: 2}));
  });
});

describe('sparse arguments', () => {
  it('names the bad argument and value', () => {
    expect(() => sparse(undefined as never)).toThrow('sparse: options must be {sparsity, std?}, got undefined');
    expect(() => sparse({sparsity: 1.5})).toThrow('sparse: sparsity must be a number in [0, 1], got 1.5');
    expect(() => sparse({sparsity: -0.1})).toThrow('sparse: sparsity must be a finite number >= 0, got -0.1');
    expect(() => sparse({sparsity: 0.1, std: 0})).toThrow('sparse: std must be a finite number > 0, got 0');
    expect(() => sparse({sparsity: 0.1})([3, 3, 2])).toThrow('sparse: shape must have rank <= 2, got [3, 3, 2] (rank 3)');
    expect(() => sparse({sparsity: 0.1})([3])).toThrow('sparse: shape must have rank >= 2, got [3] (rank 1)');
  });
});
