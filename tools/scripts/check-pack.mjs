#!/usr/bin/env node
// Packaging check: builds, packs every public package, installs all the tarballs together with
// `@tensorflow/tfjs` (the full umbrella) into a fresh temp project and checks, as a user would:
// - the sideEffects lists are current (files calling registerClass) and no dist file holds
//   `node_modules/@tensorflow` (tfjs-core must never be bundled into a package);
// - importing each package (ESM import and CJS require) leaves plain tfjs code working: same
//   backend, same registered backends, same gradients, tf.sequential still runs;
// - a browser bundle of each main entry builds with plain esbuild --bundle --platform=browser;
// - importing the main entry of grad-clip and lr-schedule registers no class with
//   tf.serialization, and their side-effect-only `register` subpaths (ESM import and CJS require)
//   register ClippedOptimizer and every lr-schedule optimizer;
// - bundled apps save models compiled with clipped optimizers, and other bundled apps load them
//   the documented ways: `import '@stable-train/grad-clip/register'` (and
//   '@stable-train/lr-schedule/register' for its optimizers), or `import '@stable-train/layers'`
//   (the registrations survive tree-shaking);
// - the size budgets hold (tools/size/budgets.json) and the README's size table is current;
// - the shipped .d.ts type-check a consumer, the consumer runs, the CJS and ESM CLIs start.
// A tarball may hold only dist/, README.md, LICENSE, package.json.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, existsSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import * as esbuild from 'esbuild';
import {checkSideEffects} from './side-effects.mjs';

const root = resolve(import.meta.dirname, '../..');
const run = (cmd, args, cwd) => execFileSync(cmd, args, {cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'});

const pkgDirs = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .filter((d) => !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private);

const sideEffectProblems = pkgDirs.map(checkSideEffects).filter(Boolean);
if (sideEffectProblems.length) throw new Error(`check:pack: ${sideEffectProblems.join('\n')}`);

console.log(`check:pack: building ${pkgDirs.length} packages`);
run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], root);

// No dist file may carry tfjs code: every @tensorflow/* import, deep paths included, is external.
const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
for (const dir of pkgDirs) {
  const bad = walk(join(dir, 'dist')).filter((f) => readFileSync(f, 'utf8').includes('node_modules/@tensorflow'));
  if (bad.length) throw new Error(`check:pack: dist files hold bundled tfjs code (node_modules/@tensorflow): ${bad.join(', ')}`);
}
console.log('  no dist file holds node_modules/@tensorflow');

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
console.log(`check:pack: installing tarballs with @tensorflow/tfjs@${tfjs} into ${app}`);
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `@tensorflow/tfjs@${tfjs}`, `typescript@${tsVersion}`, ...tarballs], app);
for (const n of names) {
  const bad = walk(join(app, 'node_modules', n, 'dist')).filter((f) => readFileSync(f, 'utf8').includes('node_modules/@tensorflow'));
  if (bad.length) throw new Error(`check:pack: installed ${n} holds bundled tfjs code: ${bad.join(', ')}`);
}

// Importing a package must leave plain tfjs code working and change no tfjs global state. Each
// package is imported (ESM) / required (CJS) next to tfjs by a fresh process.
const probe = (load) => `${load}
const keys = Object.keys(m);
if (!keys.length) throw new Error(NAME + ': exports nothing');
const y = tf.tensor([1, 2]).square().dataSync();
if (y[0] !== 1 || y[1] !== 4) throw new Error(NAME + ': tf.square gave ' + y);
const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2], kernelInitializer: 'ones'})]});
const out = model.predict(tf.ones([1, 2])).dataSync()[0];
if (out !== 2) throw new Error(NAME + ': dense predict gave ' + out);
if (tf.getBackend() !== 'cpu') throw new Error(NAME + ': backend changed to ' + tf.getBackend());
const backends = Object.keys(tf.engine().registryFactory).join(',');
if (backends !== 'cpu') throw new Error(NAME + ': registered backends are ' + backends + ', expected cpu only');
if (tf.getGradient('BatchMatMul') !== grad0) throw new Error(NAME + ': the BatchMatMul gradient was replaced on import');
`;
for (const n of names) {
  writeFileSync(join(app, 'probe.mjs'), `import * as tf from '@tensorflow/tfjs';\nconst NAME = ${JSON.stringify(n)};\nconst grad0 = tf.getGradient('BatchMatMul');\n` + probe(`const m = await import(NAME);`));
  writeFileSync(join(app, 'probe.cjs'), `const tf = require('@tensorflow/tfjs');\nconst NAME = ${JSON.stringify(n)};\nconst grad0 = tf.getGradient('BatchMatMul');\n` + probe(`const m = require(NAME);`));
  // and the way issue 19 saw it fail: static imports, the package's first
  writeFileSync(join(app, 'probe-static.mjs'), `import * as m from ${JSON.stringify(n)};\nimport * as tf from '@tensorflow/tfjs';\nconst NAME = ${JSON.stringify(n)};\nconst grad0 = tf.getGradient('BatchMatMul');\n` + probe(''));
  for (const f of ['probe.mjs', 'probe.cjs', 'probe-static.mjs']) run('node', [f], app);
}
console.log(`  ESM import and CJS require of ${names.length} packages: plain tfjs code works, backend cpu, no backend or gradient registered`);

// A browser bundle of each main entry, with plain esbuild (tfjs external).
for (const n of names) {
  const r = await esbuild.build({stdin: {contents: `import * as m from ${JSON.stringify(n)}; console.log(m);`, resolveDir: app},
    bundle: true, platform: 'browser', format: 'esm', write: false, external: ['@tensorflow/*'], logLevel: 'silent', metafile: true});
  const inputs = Object.keys(r.metafile.inputs);
  const node = inputs.filter((i) => /(^|\/)node:|mnist/.test(i));
  if (node.length) throw new Error(`check:pack: browser bundle of ${n} holds Node-only code: ${node.join(', ')}`);
}
console.log(`  browser bundles (esbuild --bundle --platform=browser) of ${names.length} main entries build`);

// Importing a technique package registers nothing with tf.serialization; its `register` subpath
// (side effects only) registers what tf.loadLayersModel needs. ESM import and CJS require, each
// in a fresh process next to tfjs.
const registrations = [
  ['@stable-train/grad-clip', ['ClippedOptimizer']],
  ['@stable-train/lr-schedule', ['StableTrainSGD', 'StableTrainAdam', 'StableTrainAdamW', 'StableTrainAdagrad', 'StableTrainRMSprop',
    'StableTrainNAdam', 'StableTrainRAdam', 'StableTrainAdamax', 'StableTrainAdadelta', 'StableTrainLion', 'StableTrainLamb',
    'StableTrainLars', 'StableTrainAdafactor', 'StableTrainScheduled']],
];
const registryProbe = (n, classes, load, loadRegister) => `const NAME = ${JSON.stringify(n)};
const CLASSES = ${JSON.stringify(classes)};
const present = () => CLASSES.filter((c) => tf.serialization.SerializationMap.getMap().classNameMap[c] != null);
${load}
if (!Object.keys(m).length) throw new Error(NAME + ': exports nothing');
if (present().length) throw new Error(NAME + ': importing the main entry registered ' + present().join(', '));
${loadRegister}
const missing = CLASSES.filter((c) => !present().includes(c));
if (missing.length) throw new Error(NAME + '/register did not register ' + missing.join(', '));
`;
for (const [n, classes] of registrations) {
  writeFileSync(join(app, 'registry.mjs'), `import * as tf from '@tensorflow/tfjs';\n` +
    registryProbe(n, classes, `const m = await import(NAME);`, `await import(NAME + '/register');`));
  writeFileSync(join(app, 'registry.cjs'), `const tf = require('@tensorflow/tfjs');\n` +
    registryProbe(n, classes, `const m = require(NAME);`, `require(NAME + '/register');`));
  for (const f of ['registry.mjs', 'registry.cjs']) run('node', [f], app);
}
console.log(`  importing ${registrations.map(([n]) => n).join(', ')} registers nothing; ESM import and CJS require of their /register subpaths register ${registrations.map(([, c]) => c.length).join(' + ')} classes`);

// Save models compiled with clipped optimizers from one bundled app; load them from other bundled
// apps that register the classes the documented ways (only sideEffects keeps those imports).
writeFileSync(join(app, 'save.mjs'), `import * as tf from '@tensorflow/tfjs';
import {writeFileSync} from 'node:fs';
import {createClipper, withClipping} from '@stable-train/grad-clip';
import {adamw, warmupCosine} from '@stable-train/lr-schedule';
const inner = {
  'clip-adam': () => tf.train.adam(0.01),
  'clip-adamw': () => adamw({lr: warmupCosine({initial: 0, peak: 0.01, warmupSteps: 2, decaySteps: 10})}),
};
for (const [name, make] of Object.entries(inner)) {
  const model = tf.sequential({layers: [tf.layers.dense({units: 3, inputShape: [4], activation: 'softmax'})]});
  model.compile({optimizer: withClipping(make(), createClipper({mode: 'globalNorm', maxNorm: 1})), loss: 'categoricalCrossentropy'});
  await model.fit(tf.randomNormal([16, 4]), tf.oneHot(tf.randomUniform([16], 0, 3, 'int32'), 3), {epochs: 1, verbose: 0});
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(name + '.json', JSON.stringify({...a, weightData: Buffer.from(a.weightData).toString('base64')}));
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }), {includeOptimizer: true});
}
`);
const loader = (imports, files, inner) => `import * as tf from '@tensorflow/tfjs';
import {readFileSync} from 'node:fs';
${imports.map((i) => `import '${i}';`).join('\n')}
for (const [file, innerName] of ${JSON.stringify(files.map((f, i) => [f, inner[i]]))}) {
  const a = JSON.parse(readFileSync(file + '.json', 'utf8'));
  const buf = Buffer.from(a.weightData, 'base64');
  const model = await tf.loadLayersModel(tf.io.fromMemory({...a, weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)}));
  const name = model.optimizer.getClassName();
  if (name !== 'ClippedOptimizer') throw new Error(file + ': loaded optimizer is ' + name);
  if (model.optimizer.optimizer.getClassName() !== innerName) throw new Error(file + ': wrapped optimizer is ' + model.optimizer.optimizer.getClassName());
  await model.fit(tf.randomNormal([16, 4]), tf.oneHot(tf.randomUniform([16], 0, 3, 'int32'), 3), {epochs: 1, verbose: 0});
}
`;
const loaders = {
  'load-register': loader(['@stable-train/grad-clip/register', '@stable-train/lr-schedule/register'], ['clip-adam', 'clip-adamw'], ['Adam', 'StableTrainAdamW']),
  'load-grad-clip-register': loader(['@stable-train/grad-clip/register'], ['clip-adam'], ['Adam']),
  'load-layers': loader(['@stable-train/layers'], ['clip-adam', 'clip-adamw'], ['Adam', 'StableTrainAdamW']),
};
for (const [f, code] of Object.entries(loaders)) writeFileSync(join(app, `${f}.mjs`), code);
for (const f of ['save', ...Object.keys(loaders)]) {
  await esbuild.build({entryPoints: [join(app, `${f}.mjs`)], outfile: join(app, `${f}.bundle.mjs`), bundle: true, platform: 'node', format: 'esm',
    external: ['@tensorflow/*'], logLevel: 'warning', absWorkingDir: app});
}
run('node', ['save.bundle.mjs'], app);
for (const f of Object.keys(loaders)) run('node', [`${f}.bundle.mjs`], app);
console.log("  bundled save/load of models with ClippedOptimizer (around tf.train.adam and lr-schedule's adamw) ok, loaded by apps that import " +
  "'@stable-train/grad-clip/register' (+ '@stable-train/lr-schedule/register'), or '@stable-train/layers'");

// Size budgets, measured on the installed tarballs, and the README's table.
process.stdout.write(run('node', [join(root, 'tools/scripts/size.mjs'), '--cwd', app, '--check-readme'], root));

// A consumer type-checked against the shipped declarations (once as CJS/node16, once for
// bundlers) and then run: it uses one real export of every package, as a user would.
const consumer = `import * as tf from '@tensorflow/tfjs-core';
import {clipByGlobalNorm, createClipper, registerClippedOptimizer} from '@stable-train/grad-clip';
import '@stable-train/grad-clip/register';
import {heNormal} from '@stable-train/initializers';
import {BatchNorm} from '@stable-train/batchnorm';
import {warmupCosine, adamw, registerOptimizers} from '@stable-train/lr-schedule';
import '@stable-train/lr-schedule/register';
import {decoupledWeightDecay} from '@stable-train/regularizers';
import {residualDense} from '@stable-train/resnet-blocks';
import {setupBackend} from 'stable-train';
import {readCheckpointDir, writeCheckpointDir} from 'stable-train/node';

export async function main(): Promise<string> {
  const report = await setupBackend({backend: 'wasm'});
  const w = tf.variable(heNormal()([4, 3], {seed: 1}), true, 'w');
  const bn = new BatchNorm({channels: 3, name: 'bn'});
  const block = residualDense({units: 3, hidden: 5, name: 'block', gate: 'rezero'});
  const opt = adamw({lr: warmupCosine({initial: 0, peak: 1e-2, warmupSteps: 2, decaySteps: 10, final: 0})});
  const clip = createClipper({mode: 'globalNorm', maxNorm: 1});
  const decay = decoupledWeightDecay({rate: 1e-2});
  const x = tf.ones([8, 4]);
  const {grads} = tf.variableGrads(() => tf.sum(tf.square(block.apply(bn.apply(tf.matMul(x, w), {training: true}), {training: true}))) as tf.Scalar);
  const {norm} = clipByGlobalNorm(grads, 1);
  opt.applyGradients(clip(grads));
  void decay;
  registerClippedOptimizer();
  const names: string[] = registerOptimizers();
  if (!names.includes('StableTrainAdamW')) throw new Error('registerOptimizers: ' + names.join(', '));
  void [readCheckpointDir, writeCheckpointDir];
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
const pjVersion = JSON.parse(readFileSync(join(app, 'node_modules/stable-train/package.json'), 'utf8')).version;
// Both CLIs (CJS bin and ESM build) train a tiny run and write the HTML report.
writeFileSync(join(app, 'tiny.json'), JSON.stringify({name: 'tiny', model: {type: 'mlp', hidden: [8]}, data: {type: 'twoSpirals', samples: 64},
  optimizer: {type: 'adamw', lr: 1e-2}, train: {batchSize: 16, epochs: 1}, backend: 'cpu'}));
for (const cli of ['cli.cjs', 'cli.mjs']) {
  const file = join(app, 'node_modules/stable-train/dist', cli);
  const v = run('node', [file, '--version'], app).trim();
  if (v !== pjVersion) throw new Error(`check:pack: ${cli} --version printed ${v}, package.json says ${pjVersion}`);
  run('node', [file, 'train', '--config', 'tiny.json', '--json', '--report', `report-${cli}.html`], app);
  if (!existsSync(join(app, `report-${cli}.html`))) throw new Error(`check:pack: ${cli} wrote no report`);
}
console.log(`  CLIs ok: dist/cli.cjs and dist/cli.mjs print --version ${pjVersion} and train with a report`);
rmSync(tmp, {recursive: true, force: true});
console.log('check:pack: ok');
