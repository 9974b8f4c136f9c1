import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {deltaOrthogonal} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('zero except the spatial centre, which is an orthogonal [in, out] matrix (H Hᵀ = gain² I)', () => {
    const gain = Math.SQRT2;
    const k = deltaOrthogonal({gain})([3, 3, 16, 32], {seed: 4});
    const centre = tf.tidy(() => tf.reshape(tf.slice(k, [1, 1, 0, 0], [1, 1, 16, 32]), [16, 32]));
    const hht = tf.tidy(() => tf.matMul(centre, tf.transpose(centre)));
    expectClose(hht, tf.tidy(() => tf.mul(tf.eye(16), gain * gain)), {rtol: 0, atol: 1e-5});
    // total sum of squares = centre's = gain²·in: every other tap is 0
    const ss = tf.tidy(() => tf.sum(tf.square(k)).dataSync()[0]);
    expectClose(ss, gain * gain * 16, {rtol: 1e-5, atol: 0});
    tf.dispose([k, centre, hht]);
  });

  it('a delta-orthogonal conv preserves the norm of every input pixel', () => {
    const k = deltaOrthogonal()([3, 3, 4, 8], {seed: 2});
    const x = tf.randomNormal([1, 5, 5, 4], 0, 1, 'float32', 3);
    const y = tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same');
    const nx = tf.norm(x, 2, -1);
    const ny = tf.norm(y, 2, -1);
    expectClose(ny, nx, {rtol: 1e-5, atol: 1e-6});
    tf.dispose([k, x, y, nx, ny]);
  });

  it('conv1d / conv3d kernels and even sizes use centre index floor((k-1)/2) like TF', () => {
    const k1 = deltaOrthogonal()([4, 2, 2], {seed: 1}); // centre tap index 1
    const d1 = k1.arraySync() as number[][][];
    const nz = d1.map((tap) => tap.flat().some((v) => v !== 0));
    expect(nz).toEqual([false, true, false, false]);
    const k3 = deltaOrthogonal()([3, 3, 3, 2, 2], {seed: 1});
    expectClose(tf.tidy(() => tf.sum(tf.square(k3))), 2, {rtol: 1e-5, atol: 0});
    tf.dispose([k1, k3]);
  });

  it('errors and leaks', async () => {
    expect(() => deltaOrthogonal()([3, 3, 32, 16])).toThrow(
      'deltaOrthogonal: in channels must be <= out channels, got shape [3,3,32,16] (in 32, out 16)',
    );
    expect(() => deltaOrthogonal()([8, 8])).toThrow('deltaOrthogonal: shape must have rank >= 3, got [8, 8] (rank 2)');
    expect(() => deltaOrthogonal({gain: -1})).toThrow('deltaOrthogonal: gain must be a finite number > 0, got -1');
    await expectNoLeak(() => deltaOrthogonal()([3, 3, 4, 4], {seed: 1}));
  });
});
