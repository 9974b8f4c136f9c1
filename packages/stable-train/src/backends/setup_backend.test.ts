import * as tf from '@tensorflow/tfjs-core';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {setupBackend} from './setup_backend';
import {COOP_COEP_HEADERS, planBackend} from './plan_backend';
import type {RuntimeInfo} from './plan_backend';

const browser = (o: Partial<RuntimeInfo>): RuntimeInfo => ({isBrowser: true, isNode: false, webgl2: false, crossOriginIsolated: false, ...o});
const node: RuntimeInfo = {isBrowser: false, isNode: true, webgl2: false, crossOriginIsolated: false};

describe('setupBackend in Node', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it("backend 'wasm' reports SIMD, single thread, float32, and why", async () => {
    const r = await setupBackend({backend: 'wasm'});
    expect(tf.getBackend()).toBe('wasm');
    expect(r).toMatchObject({name: 'wasm', simd: true, threads: 1, float32: true});
    expect(r.notes.join('\n')).toMatch(/WASM runs single-threaded; pass threads: N or 'auto'/);
    expect(r.notes.join('\n')).toMatch(/gradient overrides for Conv2D/);
  });

  it("'auto' picks WASM in Node and says why", async () => {
    const r = await setupBackend();
    expect(r.name).toBe('wasm');
    expect(r.notes[0]).toMatch(/auto: picked WASM \(SIMD\) because this is Node.js/);
  });

  it("backend 'cpu' works", async () => {
    const r = await setupBackend({backend: 'cpu'});
    expect(r).toMatchObject({name: 'cpu', simd: false, threads: 1, float32: true});
  });

  it("'webgl' in Node is a clear error naming what to use instead", async () => {
    await expect(setupBackend({backend: 'webgl'})).rejects.toThrow(/needs a browser with WebGL2.*Node\.js.*'wasm'.*'cpu'/);
  });

  it('validates its arguments, naming argument and value', async () => {
    await expect(setupBackend({backend: 'gpu' as never})).rejects.toThrow(/backend must be one of .* got "gpu"/);
    await expect(setupBackend({threads: 0})).rejects.toThrow(/threads must be an integer >= 1 or 'auto', got 0/);
    await expect(setupBackend({threads: 'all' as never})).rejects.toThrow(/threads must be .* got "all"/);
    await expect(setupBackend({wasmPaths: ''})).rejects.toThrow(/wasmPaths must be .* got ""/);
  });

  it('leaves gradients, chained ops and a small convnet training on wasm', async () => {
    await setupBackend({backend: 'wasm'});
    const x = tf.randomNormal([4, 12, 12, 1], 0, 1, 'float32', 1);
    const labels = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]);
    const w1 = tf.variable(tf.randomNormal([3, 3, 1, 4], 0, 0.3, 'float32', 2));
    const w2 = tf.variable(tf.randomNormal([3, 3, 4, 8], 0, 0.3, 'float32', 3));
    const wd = tf.variable(tf.randomNormal([3 * 3 * 8, 3], 0, 0.1, 'float32', 4));
    const emb = tf.variable(tf.randomNormal([5, 1], 0, 0.1, 'float32', 5));
    const loss = () => tf.tidy(() => {
      let h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'same');
      h = tf.relu(tf.depthwiseConv2d(tf.conv2d(h, w2 as tf.Tensor4D, 2, 'same'), tf.ones([1, 1, 8, 1]) as tf.Tensor4D, 1, 'same'));
      const logits = tf.add(tf.matMul(h.reshape([4, -1]), wd), tf.gather(emb, tf.tensor1d([0, 1, 2], 'int32')).reshape([3]));
      // MSE: customGrad ops (softmaxCrossEntropy) trip the engine's IS_TEST leak check on wasm
      return tf.mul(tf.sum(tf.square(tf.sub(logits, labels))), 1 / 12) as tf.Scalar;
    });
    const opt = tf.train.sgd(0.1);
    const first = (await loss().data())[0];
    await expectNoLeak(() => {
      for (let i = 0; i < 20; i++) opt.minimize(loss, true)?.dispose();
    });
    const last = (await loss().data())[0];
    expect(last).toBeLessThan(first);
    tf.dispose([x, labels, w1, w2, wd, emb]);
    opt.dispose();
  });

  it("WASM conv 'same' padding is exact where stock XNNPACK 'same' is not", async () => {
    await setupBackend({backend: 'wasm'});
    const g = tf.tensor4d([1, 2, 3], [1, 1, 3, 1]);
    const f = tf.tensor4d([10, 100], [1, 2, 1, 1]);
    const y = tf.conv2d(g, f, [1, 3], 'same');
    expectClose(y, [210]); // stock tfjs-backend-wasm 4.22 gives 0
    tf.dispose([g, f, y]);
  });
});

describe('planBackend (browser decisions)', () => {
  it('auto picks WebGL with WebGL2, WASM without, and cpu last', () => {
    expect(planBackend('auto', browser({webgl2: true})).order).toEqual(['webgl', 'wasm', 'cpu']);
    const p = planBackend('auto', browser({webgl2: false}));
    expect(p.order).toEqual(['wasm', 'cpu']);
    expect(p.notes[0]).toMatch(/this browser has no WebGL2/);
  });

  it('a page without cross-origin isolation gets single-threaded WASM and a note naming COOP/COEP', () => {
    const p = planBackend('wasm', browser({}), 4);
    expect(p.wasmThreads).toBeUndefined();
    const text = p.notes.join('\n');
    expect(text).toContain(COOP_COEP_HEADERS);
    expect(text).toMatch(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    expect(text).toMatch(/4 requested but ignored/);
  });

  it('an isolated page passes the thread count on', () => {
    expect(planBackend('wasm', browser({crossOriginIsolated: true}), 4).wasmThreads).toBe(4);
  });

  it('Node passes the thread count on, and says how to get threads when none is asked for', () => {
    expect(planBackend('wasm', node, 2).wasmThreads).toBe(2);
    const p = planBackend('wasm', node);
    expect(p.wasmThreads).toBeUndefined();
    expect(p.notes.join('\n')).toMatch(/single-threaded; pass threads/);
  });

  it('webgl without WebGL2 or outside a browser throws', () => {
    expect(() => planBackend('webgl', browser({webgl2: false}))).toThrow(/needs WebGL2/);
    expect(() => planBackend('webgl', node)).toThrow(/use backend: 'wasm'/);
  });
});
