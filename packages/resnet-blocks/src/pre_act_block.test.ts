import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {FWD, GRAD, blocksV2, evalBatchNorm} from '../test/golden_v2';
import {preActBlock, preActBottleneck} from './pre_act_block';
import {residualConv} from './residual_conv';

// blocks_v2.json preact_residual: y = x + conv2(relu(bn2(conv1(relu(bn1(x)))))), no conv bias, BN in
// eval mode with given statistics (He et al. 2016 "v2"). The kernel gradients dK1, dK2 are checked
// on cpu only: stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so a conv weight
// gradient cannot be computed there; dx and the BN gradients (input-gradient path only) run on both.
describeBackends(['cpu', 'wasm'], (backend) => {
  const g = blocksV2().preact_residual;

  it('matches PyTorch: y, dx, dbn1/2 gamma and beta (and dK1, dK2 on cpu)', () => {
    const c = g.x.shape[3];
    const norm = (_channels: number, name: string) => {
      const i = name.endsWith('norm1') ? 1 : 2;
      const [gm, bt, mn, vr] = [g[`bn${i}_gamma`], g[`bn${i}_beta`], g[`bn${i}_mean`], g[`bn${i}_var`]].map(goldenTensor);
      const m = evalBatchNorm(name, gm, bt, mn, vr, g.eps);
      tf.dispose([gm, bt, mn, vr]);
      return m;
    };
    const block = preActBlock({filters: c, useBias: false, norm, name: `${backend}/preact`});
    const byName = new Map(block.variables.map((v) => [v.name, v]));
    tf.tidy(() => {
      byName.get(`${backend}/preact/conv1/kernel`)!.assign(goldenTensor(g.K1) as tf.Tensor4D);
      byName.get(`${backend}/preact/conv2/kernel`)!.assign(goldenTensor(g.K2) as tf.Tensor4D);
    });
    const x = goldenTensor(g.x);
    const up = goldenTensor(g.upstream_grad);
    const y = block.apply(x, {training: false});
    expectClose(y, goldenData(g.y), FWD);
    const loss = (a: tf.Tensor) => tf.sum(tf.mul(block.apply(a, {training: false}), up)) as tf.Scalar;
    const dx = tf.grad(loss)(x);
    expectClose(dx, goldenData(g.dx), GRAD);
    const bnVars = block.variables.filter((v) => v.name.includes('/norm'));
    const want: [string, string][] = [['norm1/gamma', 'dbn1_gamma'], ['norm1/beta', 'dbn1_beta'], ['norm2/gamma', 'dbn2_gamma'], ['norm2/beta', 'dbn2_beta']];
    if (backend === 'cpu') want.push(['conv1/kernel', 'dK1'], ['conv2/kernel', 'dK2']);
    const vars = backend === 'cpu' ? block.variables : bnVars;
    const {value, grads} = tf.variableGrads(() => loss(x), vars);
    for (const [v, k] of want) expectClose(grads[`${backend}/preact/${v}`], goldenData(g.param_grads[k]), GRAD);
    tf.dispose([x, up, y, dx, value, grads]);
    block.dispose();
  });

  it('preActBlock / preActBottleneck are the pre-activation blocks; leak nothing', async () => {
    const a = preActBlock({filters: 4, name: `${backend}/pa_a`});
    const b = preActBottleneck({filters: 2, inChannels: 8, name: `${backend}/pa_b`});
    const x = tf.randomNormal([1, 4, 4, 4], 0, 1, 'float32', 3);
    const x8 = tf.randomNormal([1, 4, 4, 8], 0, 1, 'float32', 4);
    await expectNoLeak(() => a.apply(x, {training: true}));
    await expectNoLeak(() => b.apply(x8, {training: true}));
    expect(b.outChannels).toBe(8);
    tf.dispose([x, x8]);
    a.dispose();
    b.dispose();
  });
});

describe('preActBlock arguments', () => {
  it('refuses preAct: false', () => {
    expect(() => preActBlock({filters: 4, name: 'pa_x', preAct: false})).toThrow(/preActBlock: preAct must be true \(or left out\), got false/);
    expect(() => preActBottleneck({filters: 4, name: 'pa_y', preAct: false})).toThrow(/preActBottleneck: preAct must be true/);
    expect(() => residualConv({filters: 4, name: 'pa_z', preAct: 'yes' as never})).toThrow('residualConv(pa_z): preAct must be a boolean, got "yes"');
  });
});
