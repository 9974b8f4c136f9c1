import {spawnSync} from 'node:child_process';
import * as path from 'node:path';
import {useBackend} from '@stable-train/testing';
import {setupBackend} from './setup_backend';
import {availableCores} from './wasm_threads';

const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURE = path.join(__dirname, 'wasm_threads_train.fixture.ts');
interface Out {threads: number; notes: string[]; mlpLoss: number[]; convLoss: number[]; weights: number[][]}

// Runs the fixture in its own process (the WASM thread count is fixed per process) and checks
// that the process ends by itself: a pthread worker left ref'd would keep it alive until the
// timeout kills it (signal set, status null).
function train(threads: string): Out {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, threads], {cwd: ROOT, encoding: 'utf8', timeout: 90_000});
  expect({signal: r.signal, status: r.status, stderr: r.stderr}).toEqual({signal: null, status: 0, stderr: ''});
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Out;
}

describe('WASM threads in Node (threaded SIMD build)', () => {
  let one: Out;
  let two: Out;
  beforeAll(() => {
    one = train('1');
    two = train('2');
  }, 200_000);

  it('runs 2 threads when asked, 1 by default build, and ends the process by itself', () => {
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.notes.join('\n')).toMatch(/pthread workers run .*stable-train-wasm-pthread-[0-9a-f]+\.cjs/);
  });

  it('trains the MLP and the convnet to the same losses and weights as 1 thread', () => {
    // float tolerance: XNNPACK splits GEMM output tiles across threads, each sum is computed in
    // the same order, so results are expected bit-identical; 1e-5 leaves room for reordering.
    for (const k of ['mlpLoss', 'convLoss'] as const) {
      two[k].forEach((v, i) => expect(Math.abs(v - one[k][i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(one[k][i]))));
    }
    expect(one.convLoss[3]).toBeLessThan(one.convLoss[0]);
    two.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - one.weights[i][j])).toBeLessThanOrEqual(1e-5)));
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
