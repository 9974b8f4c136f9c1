import {spawnSync} from 'node:child_process';
import * as path from 'node:path';
import {useBackend} from '@stable-train/testing';
import {setupBackend} from './setup_backend';
import {availableCores} from './wasm_threads';

const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURE = path.join(__dirname, 'wasm_threads_train.fixture.ts');
interface Out {
  threads: number; threadPool: string | null; notes: string[]; gemm: string; mlpLoss: number[]; convLoss: number[]; weights: number[][];
  workers: number; exited: number;
}

// Runs the fixture in its own process (the WASM thread count is fixed per process) and checks
// that the process ends by itself: a pthread worker left ref'd would keep it alive until the
// timeout kills it (signal set, status null).
function train(threads: string, pool = 'gemm'): Out {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, threads, pool], {cwd: ROOT, encoding: 'utf8', timeout: 90_000});
  expect({signal: r.signal, status: r.status, stderr: r.stderr}).toEqual({signal: null, status: 0, stderr: ''});
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Out;
}

describe('WASM threads in Node (threaded SIMD build)', () => {
  let one: Out;
  let two: Out;
  let twoXnn: Out;
  beforeAll(() => {
    one = train('1');
    two = train('2');
    twoXnn = train('2', 'xnnpack');
  }, 300_000);

  it('runs 2 threads when asked (either pool), 1 by default, and ends the process by itself', () => {
    expect([one.threads, one.threadPool]).toEqual([1, null]);
    expect([two.threads, two.threadPool]).toEqual([2, 'gemm']);
    expect([twoXnn.threads, twoXnn.threadPool]).toEqual([2, 'xnnpack']);
    expect(two.notes.join('\n')).toMatch(/pthread workers run .*stable-train-wasm-pthread-[0-9a-f]+\.cjs/);
    expect(two.notes.join('\n')).toMatch(/GEMM: stable-train SIMD kernel on 2 threads/);
  });

  it('stops the GEMM workers on tf.removeBackend', () => {
    expect([two.workers, two.exited]).toEqual([1, 1]);
    expect([one.workers, twoXnn.workers]).toEqual([0, 0]);
  });

  it('GEMM pool: every product, and the MLP and convnet training, are bit-identical to 1 thread', () => {
    // each output element (products, and convolutions as im2col + GEMM) is one float32 sum in a
    // fixed order whichever thread computes it
    expect(two.gemm).toBe(one.gemm);
    expect(two.mlpLoss).toEqual(one.mlpLoss);
    expect(two.convLoss).toEqual(one.convLoss);
    expect(two.weights).toEqual(one.weights);
    expect(one.convLoss[3]).toBeLessThan(one.convLoss[0]);
  });

  it('XNNPACK pool: the MLP and the convnet train to the same losses and weights as 1 thread', () => {
    // products are ours (1 thread) and identical; convolutions run on XNNPACK here (ours with
    // 1 thread and the GEMM pool: another summation order), so within float tolerance
    expect(twoXnn.gemm).toBe(one.gemm);
    for (const k of ['mlpLoss', 'convLoss'] as const) {
      twoXnn[k].forEach((v, i) => expect(Math.abs(v - one[k][i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(one[k][i]))));
    }
    twoXnn.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - one.weights[i][j])).toBeLessThanOrEqual(1e-5)));
  });

  it("'auto' uses the cores this machine reports", () => {
    const auto = train('auto');
    expect(auto.threads).toBe(availableCores({isBrowser: false, isNode: true, webgl2: false, crossOriginIsolated: false}));
  }, 100_000);
});

describe('threads asked for once WASM has started', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it('reports the count in use and says why it differs', async () => {
    await setupBackend({backend: 'wasm'});
    const r = await setupBackend({backend: 'wasm', threads: 2});
    expect(r.threads).toBe(1);
    expect(r.notes.join('\n')).toMatch(/2 requested, 1 in use \(the WASM backend had already started/);
  });
});
