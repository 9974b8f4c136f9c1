import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose} from '@stable-train/testing';
import {scalarGate} from './scalar_gate';
import {build, disposeResult, forwardAndGrads, setWeights} from '../../test/golden_layer';

describeBackends(['cpu', 'wasm'], () => {
  it('starts at alpha = 0 (ReZero): y = 0 * x, and d alpha = sum(upstream * x)', () => {
    const gate = scalarGate();
    const x = tf.randomNormal([3, 4]);
    const up = tf.randomNormal([3, 4]);
    build(gate, x.shape);
    const r = forwardAndGrads(gate, x, up, true, ['alpha']);
    expect(Array.from(r.y.dataSync()).every((v) => v === 0)).toBe(true);
    expectClose(r.dx, tf.zerosLike(x));
    expectClose(r.dw.alpha, tf.sum(tf.mul(up, x)), {rtol: 1e-5, atol: 1e-6}); // d(alpha x)/d alpha = x
    disposeResult(r);
    tf.dispose([x, up]);
    gate.dispose();
  });

  it('y = alpha * x and dx = alpha * upstream for a set alpha', () => {
    const gate = scalarGate({init: 0.25});
    const x = tf.randomNormal([2, 3]);
    const up = tf.randomNormal([2, 3]);
    build(gate, x.shape);
    setWeights(gate, {alpha: tf.scalar(-1.5)});
    const r = forwardAndGrads(gate, x, up, false, ['alpha']);
    expectClose(r.y, tf.mul(x, -1.5));
    expectClose(r.dx, tf.mul(up, -1.5));
    disposeResult(r);
    tf.dispose([x, up]);
    gate.dispose();
  });
});

describe('scalarGate: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => scalarGate({init: Infinity})).toThrow(/scalarGate: init must be a finite number, got Infinity/);
    expect(() => scalarGate({init: '0' as never})).toThrow(/scalarGate: init must be a finite number, got "0"/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
