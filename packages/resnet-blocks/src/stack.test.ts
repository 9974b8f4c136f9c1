import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {residualDense} from './residual_dense';
import {stack} from './stack';

describeBackends(['cpu', 'wasm'], () => {
  it('applies blocks in order and lists their variables in order', () => {
    const a = residualDense({units: 4, hidden: 3, name: 'st/a'});
    const b = residualDense({units: 4, hidden: 5, name: 'st/b', gate: {init: 0.5}});
    const net = stack([a, b]);
    const x = tf.randomNormal([3, 4]);
    const y = net.apply(x, {training: false});
    const expected = tf.tidy(() => b.apply(a.apply(x, {training: false}), {training: false}));
    expectClose(y, expected.dataSync(), {rtol: 0, atol: 0}); // same ops in the same order
    expect(net.variables.map((v) => v.name)).toEqual([...a.variables, ...b.variables].map((v) => v.name));
    expect(net.blocks).toEqual([a, b]);
    tf.dispose([x, y, expected]);
    net.dispose();
    expect(a.variables.every((v) => v.isDisposed)).toBe(true);
  });

  it('leaks nothing over 100 applies inside tf.variableGrads', async () => {
    const net = stack([residualDense({units: 4, name: 'sl/a'}), residualDense({units: 4, name: 'sl/b', gate: 'skipinit'})]);
    const x = tf.randomNormal([3, 4]);
    await expectNoLeak(() => {
      for (let i = 0; i < 100; i++) {
        const {value, grads} = tf.variableGrads(() => tf.sum(net.apply(x, {training: true})));
        tf.dispose([value, ...Object.values(grads)]);
      }
    });
    tf.dispose(x);
    net.dispose();
  });
});

describe('stack validation', () => {
  it('rejects an empty list or a non-module', () => {
    expect(() => stack([])).toThrow('stack: blocks must be a non-empty array of modules, got []');
    expect(() => stack([{apply: () => null} as never])).toThrow(/stack: blocks\[0\] must be a module \{apply, variables, dispose\}/);
  });

});

describe('stack on bad input (issue 20 item 13)', () => {
  it('blocks whose channels do not chain are refused at build time', () => {
    const a = residualDense({units: 4, name: 'i13a'});
    const b = residualDense({units: 8, name: 'i13b'});
    expect(() => stack([a, b])).toThrow(/stack: blocks\[1\] must take the 4 channels blocks\[0\] gives, got a block taking 8/);
    a.dispose();
    b.dispose();
  });
});
