import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {adam} from '@stable-train/lr-schedule';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {registerFileSystem} from '../node/file_system';
import {Recorder, scalarModel} from '../../test/helpers';
import {modelCheckpoint} from './model_checkpoint';

describe('modelCheckpoint arguments', () => {
  it('checks the filepath when made: file:// needs a registered handler (before registerFileSystem)', () => {
    expect(() => modelCheckpoint({filepath: 'file:///tmp/x'})).toThrow(
      "modelCheckpoint: no tfjs save handler for \"file:///tmp/x\"; in Node call registerFileSystem() from '@stable-train/layers/node' first (or use @tensorflow/tfjs-node)");
    expect(() => modelCheckpoint({filepath: '/tmp/x'})).toThrow("modelCheckpoint: filepath must be a tfjs URL such as 'indexeddb://name' or 'file://dir', got /tmp/x");
    expect(() => modelCheckpoint({filepath: 'file:///tmp/x', save_best_only: true} as never)).toThrow("modelCheckpoint: unknown option 'save_best_only'");
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
    registerFileSystem();
  });

  it('saveBestOnly writes model + optimizer to a directory when val_loss improves; the files load back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `st-ckpt-${backend}-`));
    const model = scalarModel(0);
    model.compile({optimizer: adam({lr: 0.3}), loss: 'meanSquaredError'});
    const x = tf.ones([4, 1]);
    const [y, yv] = [tf.fill([4, 1], 2), tf.ones([4, 1])]; // val loss (w − 1)²: falls, then rises
    const rec = new Recorder();
    const ckpt = modelCheckpoint({filepath: `file://${dir}/best`, saveBestOnly: true});
    const every = modelCheckpoint({filepath: `file://${dir}/epoch-{epoch}`});
    await model.fit(x, y, {epochs: 1, verbose: 0}); // creates the optimizer's slots
    let h: tfl.History | undefined;
    await expectNoLeak(async () => {
      h = await model.fit(x, y, {epochs: 8, verbose: 0, validationData: [x, yv], callbacks: [rec, ckpt, every]});
    });
    const val = h!.history.val_loss as number[];
    const best = val.indexOf(Math.min(...val));
    const improvements = val.filter((v, i) => val.slice(0, i).every((p) => v < p)).length;
    expect(ckpt.saved.length).toBe(improvements);
    expect(every.saved).toEqual(Array.from({length: 8}, (_, i) => `file://${dir}/epoch-${i + 1}`));
    expect(fs.readdirSync(path.join(dir, 'best')).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await tfl.loadLayersModel(`file://${dir}/best/model.json`);
    expect(Array.from(back.getWeights()[0].dataSync())).toEqual(rec.epochs[best]);
    expect(back.optimizer.getClassName()).toBe('StableTrainAdam');
    tf.dispose([x, y, yv]);
    model.dispose();
    back.dispose();
    fs.rmSync(dir, {recursive: true, force: true});
  });
});
