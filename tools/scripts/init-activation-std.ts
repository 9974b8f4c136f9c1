// Per-layer activation std of a 50-layer tanh MLP at initialisation, for three initializers:
// normal({std: 1}) vs glorotNormal() vs orthogonal(). Numbers go into packages/initializers/README.md.
//   npx tsx tools/scripts/init-activation-std.ts [--width 256] [--batch 256] [--depth 50] [--seed 0]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import {calculateGain, glorotNormal, Initializer, normal, orthogonal} from '@stable-train/initializers';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`init-activation-std: --${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const width = arg('width', 256);
  const batch = arg('batch', 256);
  const depth = arg('depth', 50);
  const seed = arg('seed', 1) - 1;
  const inits: [string, Initializer][] = [
    ['normal({std: 1})', normal({std: 1})],
    ['glorotNormal()', glorotNormal()],
    ['orthogonal()', orthogonal()],
    ['orthogonal({gain: 5/3})', orthogonal({gain: calculateGain('tanh')})],
  ];
  const x0 = normal()([batch, width], {seed: 999}); // (tf.randomNormal would ignore a seed of 0)
  const table: number[][] = [];
  const saturated: number[] = [];
  for (const [, init] of inits) {
    const stds: number[] = [];
    let x = x0;
    for (let l = 0; l < depth; l++) {
      const next = tf.tidy(() => {
        const w = init([width, width], {seed: seed * 1000 + l});
        return tf.tanh(tf.matMul(x, w));
      });
      if (x !== x0) x.dispose();
      x = next;
      stds.push(tf.tidy(() => Math.sqrt(tf.moments(x).variance.dataSync()[0])));
    }
    // share of the last layer's units in tanh's flat region (|a| > 0.99: gradient factor < 0.02)
    saturated.push(tf.tidy(() => tf.mean(tf.cast(tf.greater(tf.abs(x), 0.99), 'float32')).dataSync()[0]));
    if (x !== x0) x.dispose();
    table.push(stds);
  }
  x0.dispose();
  const show = [1, 2, 5, 10, 20, 30, 40, 50].filter((l) => l <= depth);
  const fmt = (v: number): string => (v === 0 ? '0' : v < 1e-3 ? v.toExponential(2) : v.toFixed(3));
  console.log(`tanh MLP, width ${width}, batch ${batch}, x ~ N(0, 1), biases 0, backend ${tf.getBackend()}`);
  console.log(`std of tanh(x·W) after layer:\n`);
  console.log(`| initializer | ${show.map((l) => `layer ${l}`).join(' | ')} | saturated at layer ${depth} |`);
  console.log(`|---|${show.map(() => '---:').join('|')}|---:|`);
  inits.forEach(([name], i) =>
    console.log(`| \`${name}\` | ${show.map((l) => fmt(table[i][l - 1])).join(' | ')} | ${(100 * saturated[i]).toFixed(1)}% |`),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
