import * as tf from '@tensorflow/tfjs-core';
import {createClipper, withClipping} from '@stable-train/grad-clip';
import {adamw, cosineDecay} from '@stable-train/lr-schedule';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {tinyData, tinyModel} from '../../test/helpers';
import {applyIfFinite} from '../optimizers/apply_if_finite';
import * as callbacks from './index';

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('every callback together over a 6-epoch fit: no tensor leaks', async () => {
    const {x, y} = tinyData(32);
    const model = tinyModel();
    model.compile({optimizer: applyIfFinite(withClipping(adamw({lr: 0.01}), createClipper({mode: 'globalNorm', maxNorm: 1}))), loss: 'meanSquaredError'});
    await model.fit(x, y, {epochs: 1, batchSize: 8, verbose: 0}); // creates the optimizer slots
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expectNoLeak(async () => {
      const h = await model.fit(x, y, {
        epochs: 6, batchSize: 8, verbose: 0, validationSplit: 0.25,
        callbacks: [
          callbacks.learningRateScheduler(cosineDecay({initial: 0.01, decaySteps: 18}), {per: 'batch'}),
          callbacks.reduceLROnPlateau({patience: 1, factor: 0.5}),
          callbacks.terminateOnNaN(),
          callbacks.explosionGuard({verbose: 0}),
          callbacks.earlyStopping({patience: 10, restoreBestWeights: true}),
          callbacks.gradientDoctor({x, y, every: 3, print: false}),
        ],
      });
      expect(h.epoch.length).toBe(6);
      expect(Object.keys(h.history).sort()).toEqual(['loss', 'lr', 'rollbacks', 'val_loss']);
    });
    log.mockRestore();
    tf.dispose([x, y]);
    model.optimizer.dispose();
    model.dispose();
  });
});
