#!/usr/bin/env node
// Builds the package in the current directory into per-file modules: every source file reachable
// from the package's entries (package.json `buildEntries`, default src/index.ts) becomes
// dist/<path>.mjs (ESM) and dist/<path>.cjs (CJS), with relative imports pointing at the sibling
// built files, plus dist/**/*.d.ts from tsc. Nothing is bundled: every bare import (tfjs, deep
// @tensorflow/* paths, other packages, node:*) stays external. Per-file output is what lets
// bundlers drop unused code and keep exactly the files listed in `sideEffects` (the files that
// call tf.serialization.registerClass); the build fails when that list is stale
// (tools/scripts/side-effects.mjs).
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {dirname, join, relative, resolve} from 'node:path';
import * as esbuild from 'esbuild';
import {checkSideEffects} from './side-effects.mjs';

const problem = checkSideEffects(process.cwd());
if (problem) throw new Error(`build: ${problem}`);

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const entries = pkg.buildEntries ?? ['src/index.ts'];
const srcDir = resolve('src');

/** './x' from a .ts file -> the source file it names (x.ts or x/index.ts). */
function sourceOf(resolveDir, spec) {
  const base = resolve(resolveDir, spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(c) && /\.tsx?$/.test(c)) return c;
  }
  throw new Error(`build: cannot resolve ${spec} from ${relative(process.cwd(), resolveDir)}`);
}

// 1. Which source files are reachable (a bundling pass that writes nothing).
const scan = await esbuild.build({
  entryPoints: entries, bundle: true, write: false, metafile: true, outdir: 'dist', platform: 'neutral', logLevel: 'error',
  plugins: [{name: 'bare-external', setup(b) { b.onResolve({filter: /^[^./]/}, (a) => ({path: a.path, external: true})); }}],
});
const files = Object.keys(scan.metafile.inputs).map((f) => resolve(f)).filter((f) => f.startsWith(srcDir + '/') && /\.tsx?$/.test(f));

// 2. One output per source file; relative imports rewritten to the built sibling.
rmSync('dist', {recursive: true, force: true});
const perFile = (ext) => ({
  name: 'per-file',
  setup(b) {
    b.onResolve({filter: /.*/}, (a) => {
      if (a.kind === 'entry-point') return undefined;
      if (!a.path.startsWith('.')) return {path: a.path, external: true};
      const target = sourceOf(a.resolveDir, a.path);
      let rel = relative(dirname(a.importer), target).replace(/\\/g, '/').replace(/\.tsx?$/, ext);
      if (!rel.startsWith('.')) rel = './' + rel;
      return {path: rel, external: true};
    });
  },
});
const common = {entryPoints: files, outbase: 'src', outdir: 'dist', bundle: true, platform: 'neutral', target: 'es2020', sourcemap: false, logLevel: 'warning'};
await esbuild.build({...common, format: 'esm', outExtension: {'.js': '.mjs'}, plugins: [perFile('.mjs')]});
await esbuild.build({...common, format: 'cjs', outExtension: {'.js': '.cjs'}, plugins: [perFile('.cjs')]});

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {stdio: 'inherit'});
