// Issue 19: grad-clip and lr-schedule register nothing on import; @stable-train/layers registers
// their optimizer classes (and its own) on import, so an app that loads a saved model needs only
// `import '@stable-train/layers'` before tf.loadLayersModel.
import * as tf from '@tensorflow/tfjs-core';
import {useBackend} from '@stable-train/testing';
import {optimizers} from '../index';
import {roundTrip, tinyData, tinyModel} from '../../test/helpers';

const NAMES = [
  'StableTrainSGD', 'StableTrainAdam', 'StableTrainAdamW', 'StableTrainAdagrad', 'StableTrainRMSprop', 'StableTrainNAdam',
  'StableTrainRAdam', 'StableTrainAdamax', 'StableTrainAdadelta', 'StableTrainLion', 'StableTrainLamb', 'StableTrainLars',
  'StableTrainAdafactor', 'StableTrainScheduled', 'ClippedOptimizer', 'StableTrainApplyIfFinite',
];
const classNameMap = () => tf.serialization.SerializationMap.getMap().classNameMap;

describe('@stable-train/layers registers every optimizer class on import', () => {
  beforeAll(() => useBackend('cpu'));

  it('importing the package registers them all before any optimizer is built', () => {
    expect(NAMES.filter((n) => classNameMap()[n] == null)).toEqual([]);
    expect(classNameMap().ClippedOptimizer[0]).toBe(optimizers.ClippedOptimizer);
    expect(classNameMap().StableTrainAdamW[0]).toBe(optimizers.TorchAdamW);
  });

  it('registerOptimizers() registers them again (e.g. after another copy replaced one) and names them all', async () => {
    for (const n of NAMES) delete classNameMap()[n];
    expect(optimizers.registerOptimizers().sort()).toEqual([...NAMES].sort());
    expect(NAMES.filter((n) => classNameMap()[n] == null)).toEqual([]);
  });

  it('a model with withClipping(adamw) saves and loads', async () => {
    const {x, y} = tinyData();
    const a = tinyModel();
    a.compile({optimizer: optimizers.withClipping(optimizers.adamw({lr: 0.01}), optimizers.createClipper({mode: 'globalNorm', maxNorm: 1})), loss: 'meanSquaredError'});
    await a.fit(x, y, {epochs: 1, batchSize: 8, verbose: 0});
    const b = await roundTrip(a);
    const opt = b.optimizer as InstanceType<typeof optimizers.ClippedOptimizer>;
    expect(opt).toBeInstanceOf(optimizers.ClippedOptimizer);
    expect(opt.optimizer).toBeInstanceOf(optimizers.TorchAdamW);
    tf.dispose([x, y]);
    a.optimizer.dispose();
    b.optimizer.dispose();
    a.dispose();
    b.dispose();
  });
});
