import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {maxNorm} from './max_norm';
import {nonNeg} from './non_neg';

describeBackends(['cpu', 'wasm'], (backend) => {
  const mk = (n: string, values: number[], shape: number[]): tf.Variable =>
    tf.variable(tf.tensor(values, shape), true, `constraint_${backend}/${n}`);

  it('apply on a map constrains exactly the masked variables and returns their names', async () => {
    const vars = {
      'a/kernel': mk('a/kernel', [3, 4], [2, 1]), // norm 5 → rescaled to 1
      'a/bias': mk('a/bias', [3, 4], [2]),
      'b/kernel': mk('b/kernel', [0.3, 0.4], [2, 1]), // norm 0.5 → unchanged
    };
    let names: string[] = [];
    await expectNoLeak(() => {
      names = maxNorm({maxValue: 1}).apply(vars, {mask: {include: '**/kernel'}});
    });
    expect(names).toEqual(['a/kernel', 'b/kernel']);
    expectClose(vars['a/kernel'], [0.6, 0.8]);
    expectClose(vars['a/bias'], [3, 4]);
    expectClose(vars['b/kernel'], [0.3, 0.4]);
    tf.dispose(Object.values(vars));
  });

  it('checks every variable before changing any', () => {
    const v2 = mk('v2', [-1, 2], [2, 1]);
    const v1 = mk('v1', [-1], [1]);
    // axis 1 is fine for v2 (rank 2) but out of range for v1 (rank 1): nothing may change
    expect(() => maxNorm({maxValue: 0.1, axis: 1}).apply([v2, v1])).toThrow(
      'maxNorm.apply: axis must be in [-1, 0] for a tensor of shape [1], got 1',
    );
    expectClose(v2, [-1, 2]);
    expect(() => nonNeg().apply([v2], {mask: {include: 'nope'}})).toThrow(/nonNeg.apply: mask.include glob must match at least one parameter name \(constraint_\w+\/v2\), got "nope"/);
    const t = tf.ones([2]);
    expect(() => nonNeg().apply(t as never)).toThrow('nonNeg.apply: variables must be a tf.Variable');
    tf.dispose([v2, v1, t]);
  });
});
