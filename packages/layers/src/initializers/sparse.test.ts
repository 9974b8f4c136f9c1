import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/initializers';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {sparse, StableTrainSparse} from './sparse';
import {expectRoundTrip} from '../../test/layer_harness';

describeBackends(['cpu', 'wasm'], () => {
  it('gives the technique function\'s tensor bit for bit (same seed, same shape)', () => {
    const a = sparse({sparsity: 0.3, std: 0.05, seed: 4}).apply([10, 7]);
    const b = st.sparse({sparsity: 0.3, std: 0.05})([10, 7], {seed: 4});
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });

  it('inside a dense layer: ceil(sparsity · in) zeros in every column of the [in, out] kernel', () => {
    const layer = tfl.layers.dense({units: 6, kernelInitializer: sparse({sparsity: 0.25, seed: 2})});
    const x = tf.zeros([1, 10]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    const k = layer.getWeights()[0];
    const v = k.dataSync();
    for (let j = 0; j < 6; j++) {
      let zeros = 0;
      for (let i = 0; i < 10; i++) if (v[i * 6 + j] === 0) zeros++;
      expect(zeros).toBe(Math.ceil(0.25 * 10)); // 3, by PyTorch sparse_'s definition
    }
    x.dispose();
    layer.dispose();
  });

  it('a dense model with it round-trips through save / loadLayersModel (config kept)', async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 3, inputShape: [5], kernelInitializer: sparse({sparsity: 0.4, std: 0.1, seed: 9})})]});
    const x = tf.randomNormal([4, 5]);
    const loaded = await expectRoundTrip(model, x);
    const cfg = loaded.layers[0].getConfig().kernelInitializer as {className: string; config: object};
    expect(cfg).toEqual({className: 'StableTrainSparse', config: {sparsity: 0.4, std: 0.1, seed: 9}});
    x.dispose();
    loaded.dispose();
    model.dispose();
  });

  it('leaks no tensor', () => {
    expectNoLeak(() => tf.dispose(sparse({sparsity: 0.5, seed: 1}).apply([8, 4])));
  });
});

describe('sparse: bad input', () => {
  it('rejects bad options with the argument named, before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => sparse(undefined as never)).toThrow(/sparse: options \{sparsity, std\} are required, got undefined/);
    expect(() => sparse({sparsity: 1.5})).toThrow(/sparse: sparsity must be a number in \[0, 1\], got 1.5/);
    expect(() => sparse({sparsity: 0.1, std: 0})).toThrow(/sparse: std/);
    expect(() => sparse({sparsity: 0.1, mean: 0} as never)).toThrow(/sparse: unknown option 'mean'/);
    expect(() => sparse({sparsity: 0.1}).apply([2, 3, 4])).toThrow(/sparse/);
    expect(tf.memory().numTensors).toBe(before);
    expect(new StableTrainSparse({sparsity: 0.2}).getClassName()).toBe('StableTrainSparse');
  });
});
