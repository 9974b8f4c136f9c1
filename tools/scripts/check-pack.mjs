#!/usr/bin/env node
// Packaging check: builds, packs every public package, installs the tarballs with tfjs-core into
// a fresh temp folder, imports each one from ESM and CJS, and type-checks a consumer file
// against the shipped .d.ts. A tarball may hold only dist/, README.md, LICENSE, package.json.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const run = (cmd, args, cwd) => execFileSync(cmd, args, {cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'});

const pkgDirs = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .filter((d) => !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private);

console.log(`check:pack: building ${pkgDirs.length} packages`);
run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], root);

const tmp = mkdtempSync(join(tmpdir(), 'stable-train-pack-'));
const tarballs = [];
const names = [];
const allowed = /^package\/(dist\/.+|README\.md|LICENSE|package\.json)$/;
for (const dir of pkgDirs) {
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], dir));
  const files = out[0].files.map((f) => 'package/' + f.path);
  const bad = files.filter((f) => !allowed.test(f));
  if (bad.length) throw new Error(`check:pack: ${pj.name} tarball holds files it must not: ${bad.join(', ')}`);
  for (const need of ['package/README.md', 'package/LICENSE', 'package/dist/index.mjs', 'package/dist/index.cjs', 'package/dist/index.d.ts']) {
    if (!files.includes(need)) throw new Error(`check:pack: ${pj.name} tarball lacks ${need}`);
  }
  tarballs.push(join(tmp, out[0].filename));
  names.push(pj.name);
  console.log(`  packed ${pj.name}@${pj.version}: ${files.length} files, ${(out[0].size / 1024).toFixed(1)} kB`);
}

const app = join(tmp, 'app');
run('mkdir', ['-p', app], tmp);
writeFileSync(join(app, 'package.json'), JSON.stringify({name: 'consumer', version: '1.0.0', private: true}));
const tfjs = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version;
const tsVersion = JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8')).version;
console.log(`check:pack: installing tarballs into ${app}`);
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `@tensorflow/tfjs-core@${tfjs}`, `typescript@${tsVersion}`, ...tarballs], app);

const cjs = names.map((n) => `const m_${n.replace(/\W/g, '_')} = require('${n}'); if (!Object.keys(m_${n.replace(/\W/g, '_')}).length) throw new Error('${n}: CJS exports nothing');`).join('\n');
writeFileSync(join(app, 'cjs.cjs'), cjs + `\nconsole.log('  CJS require ok: ${names.length} packages');\n`);
const esm = names.map((n, i) => `import * as m${i} from '${n}'; if (!Object.keys(m${i}).length) throw new Error('${n}: ESM exports nothing');`).join('\n');
writeFileSync(join(app, 'esm.mjs'), esm + `\nconsole.log('  ESM import ok: ${names.length} packages');\n`);
process.stdout.write(run('node', ['cjs.cjs'], app));
process.stdout.write(run('node', ['esm.mjs'], app));

// A consumer type-checked against the shipped declarations (once as CJS/node16, once for
// bundlers) and then run: it uses one real export of every package, as a user would.
const consumer = `import * as tf from '@tensorflow/tfjs-core';
import {clipByGlobalNorm, createClipper} from '@stable-train/grad-clip';
import {heNormal} from '@stable-train/initializers';
import {BatchNorm} from '@stable-train/batchnorm';
import {warmupCosine, adamw} from '@stable-train/lr-schedule';
import {decoupledWeightDecay} from '@stable-train/regularizers';
import {residualDense} from '@stable-train/resnet-blocks';
import {setupBackend} from 'stable-train';

export async function main(): Promise<string> {
  const report = await setupBackend({backend: 'wasm'});
  const w = tf.variable(heNormal()([4, 3], {seed: 1}), true, 'w');
  const bn = new BatchNorm({channels: 3, name: 'bn'});
  const block = residualDense({units: 3, hidden: 5, name: 'block', gate: 'rezero'});
  const opt = adamw({lr: warmupCosine({initial: 0, peak: 1e-2, warmupSteps: 2, decaySteps: 10, final: 0})});
  const clip = createClipper({mode: 'global_norm', maxNorm: 1});
  const decay = decoupledWeightDecay({rate: 1e-2});
  const x = tf.ones([8, 4]);
  const {grads} = tf.variableGrads(() => tf.sum(tf.square(block.apply(bn.apply(tf.matMul(x, w), {training: true}), {training: true}))) as tf.Scalar);
  const {norm} = clipByGlobalNorm(grads, 1);
  opt.applyGradients(clip(grads));
  void decay;
  const n: number = (await norm.data())[0];
  return report.name + ' ' + n.toFixed(3);
}
`;
writeFileSync(join(app, 'consumer.ts'), consumer);
for (const [mod, res] of [['node16', 'node16'], ['esnext', 'bundler']]) {
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({compilerOptions: {strict: true, noEmit: true, module: mod, moduleResolution: res, target: 'es2020', lib: ['es2020', 'dom'], skipLibCheck: false}, files: ['consumer.ts']}));
  run('npx', ['tsc', '-p', 'tsconfig.json'], app);
  console.log(`  types ok (module ${mod}, moduleResolution ${res})`);
}
// Run the consumer (compiled to CJS by tsc) so the shipped code is exercised, not just typed.
writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({compilerOptions: {strict: true, module: 'commonjs', moduleResolution: 'node10', target: 'es2020', lib: ['es2020', 'dom'], outDir: 'out', skipLibCheck: true}, files: ['consumer.ts']}));
run('npx', ['tsc', '-p', 'tsconfig.json'], app);
process.stdout.write(run('node', ['-e', "require('./out/consumer.js').main().then((r) => console.log('  consumer ran: ' + r))"], app));
// The CLI bin is installed and starts.
const help = run('npx', ['--no-install', 'stable-train', '--help'], app);
if (!/demo/.test(help)) throw new Error('check:pack: `stable-train --help` does not list the demo command');
console.log('  bin ok: stable-train --help lists ' + (help.match(/^\s{2}(\w+)/gm) || []).map((c) => c.trim()).join(', '));
rmSync(tmp, {recursive: true, force: true});
console.log('check:pack: ok');
