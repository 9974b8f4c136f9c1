// The WASM Identity kernel shares buffers (reference count) instead of copying.
import * as tf from '@tensorflow/tfjs-core';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';
import {installWasmSharedIdentity} from './wasm_identity_kernel';

interface WasmInternals {
  numDataIds(): number;
  refCount(dataId: tf.DataId): number;
}
const wasm = () => tf.backend() as unknown as WasmInternals;
const dataIdOf = (t: tf.Tensor) => (t as unknown as {dataId: tf.DataId}).dataId;

beforeAll(async () => {
  registerTrainingKernels();
  await useBackend('wasm');
});

describe('installWasmSharedIdentity', () => {
  it('is installed by registerTrainingKernels and idempotent', () => {
    expect(registerTrainingKernels().wasmKernels).toEqual(expect.arrayContaining(['Identity', 'Cast']));
    expect(installWasmSharedIdentity()).toEqual(['Identity', 'Cast']);
    expect(installWasmSharedIdentity()).toEqual(['Identity', 'Cast']);
  });

  it('a cast to the same dtype shares the buffer; a real cast converts', () => {
    const x = tf.tensor1d([1.5, -2.5, 3]);
    const same = tf.cast(x, 'float32');
    const int = tf.cast(x, 'int32');
    expect(dataIdOf(same)).toBe(dataIdOf(x));
    expect(dataIdOf(int)).not.toBe(dataIdOf(x));
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.5, 3]);
    expect([int.dtype, Array.from(int.dataSync())]).toEqual(['int32', [1, -2, 3]]);
    tf.dispose([same, int]);
  });

  it('tf.clone shares the buffer, and the clone outlives the original with its values', () => {
    const buffers = wasm().numDataIds();
    const x = tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
    const y = tf.clone(x);
    expect(dataIdOf(y)).toBe(dataIdOf(x));
    expect(wasm().refCount(dataIdOf(x))).toBe(2);
    expect(wasm().numDataIds()).toBe(buffers + 1); // one heap buffer, not two
    x.dispose();
    expect(y.arraySync()).toEqual([[1, -2, 3], [4, 5, -6]]);
    y.dispose();
    expect(wasm().numDataIds()).toBe(buffers); // freed when the last reference goes
  });

  it('gradients that save inputs are unchanged (vs cpu) and free every buffer', async () => {
    const f = (w: tf.Tensor, x: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.matMul(x, w))));
    const run = () => tf.tidy(() => {
      const x = tf.sin(tf.reshape(tf.range(0, 12), [3, 4]));
      const w = tf.cos(tf.reshape(tf.range(0, 8), [4, 2]));
      return tf.grads(f)([w, x]).map((g) => g.dataSync());
    });
    await useBackend('cpu');
    const ref = run();
    await useBackend('wasm');
    const buffers = wasm().numDataIds();
    run().forEach((g, i) => expectClose(g, ref[i], {rtol: 1e-6, atol: 1e-7}));
    expect(wasm().numDataIds()).toBe(buffers);
    const [w, x] = [tf.ones([4, 2]), tf.ones([3, 4])];
    await expectNoLeak(() => tf.grads(f)([w, x]));
    tf.dispose([w, x]);
  });

  it('string tensors still go through the stock kernel', () => {
    const s = tf.tensor(['a', 'b']);
    const c = tf.clone(s);
    expect(c.arraySync()).toEqual(['a', 'b']);
    tf.dispose([s, c]);
  });
});
