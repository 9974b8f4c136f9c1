import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {adam, getOptimizerLr} from '@stable-train/lr-schedule';
import {describeBackends} from '@stable-train/testing';
import {reduceLROnPlateau} from './reduce_lr_on_plateau';

/** x = 0 and no bias: the loss is the constant mean(y²) = 1, so every epoch after the first is a plateau. */
function flatModel(): tfl.Sequential {
  return tfl.sequential({layers: [tfl.layers.dense({units: 1, inputShape: [1], useBias: false})]});
}

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });
  const data = () => [tf.zeros([4, 1]), tf.ones([4, 1])];

  it.each([
    // Keras: a cut when `wait` (epochs without improvement) reaches patience; wait restarts at 0
    ['tf.train.sgd', () => tf.train.sgd(0.1), {patience: 2}, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]],
    ['lr-schedule adam', () => adam({lr: 0.1}), {patience: 2}, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]],
    // patience 1, cooldown 2: cut at epoch 1, epoch 2 frozen, cut again at epoch 3 (Keras counting)
    ['tf.train.adam + cooldown', () => tf.train.adam(0.1), {patience: 1, cooldown: 2}, [0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]],
    // minLr bounds the cut
    ['tf.train.rmsprop + minLr', () => tf.train.rmsprop(0.1), {patience: 1, minLr: 0.06}, [0.1, 0.06, 0.06, 0.06, 0.06, 0.06]],
  ] as const)('%s: cuts after `patience` flat epochs, and the optimizer holds the new lr', async (_n, make, o, expected) => {
    const model = flatModel();
    const opt = make();
    model.compile({optimizer: opt, loss: 'meanSquaredError'});
    const [x, y] = data();
    const cb = reduceLROnPlateau({monitor: 'loss', factor: 0.5, ...o});
    const h = await model.fit(x, y, {epochs: 6, verbose: 0, callbacks: [cb]});
    (h.history.lr as number[]).forEach((lr, i) => expect(lr).toBeCloseTo(expected[i], 10));
    expect(getOptimizerLr(opt)).toBeCloseTo(expected[5], 10);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("warns as Keras does when the monitored key is missing, and changes nothing", async () => {
    const model = flatModel();
    model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
    const [x, y] = data();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = await model.fit(x, y, {epochs: 3, verbose: 0, callbacks: [reduceLROnPlateau({patience: 0})]});
    expect(warn).toHaveBeenCalledWith('Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: loss,lr'); // lr: added first, as Keras adds learning_rate
    warn.mockRestore();
    expect(h.history.lr).toEqual([0.1, 0.1, 0.1]);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('reduceLROnPlateau arguments', () => {
  it('are checked before anything is made (Keras: no factor >= 1)', () => {
    expect(() => reduceLROnPlateau({factor: 1})).toThrow('reduceLROnPlateau: factor must be a number in (0, 1), got 1');
    expect(() => reduceLROnPlateau({patience: 1.5})).toThrow('reduceLROnPlateau: patience must be an integer in [0, Infinity], got 1.5');
    expect(() => reduceLROnPlateau({mode: 'up' as never})).toThrow("reduceLROnPlateau: mode must be 'auto', 'min' or 'max', got up");
    expect(() => reduceLROnPlateau({min_lr: 0} as never)).toThrow("reduceLROnPlateau: unknown option 'min_lr'");
  });
});
