#!/usr/bin/env node
// Builds the package in the current directory: dist/index.mjs (ESM), dist/index.cjs (CJS)
// with esbuild, and dist/*.d.ts with tsc. Dependencies and peer dependencies stay external,
// except deep imports into @tensorflow/tfjs-core/dist/* (its gradient and chained-op
// registrations), which Node cannot import unbundled (see shared/NOTES-tfjs.md).
import {readFileSync, rmSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {createRequire} from 'node:module';
import * as esbuild from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const externals = Object.keys({...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies});
const isExternal = (spec) =>
  spec.startsWith('node:') ||
  externals.some((d) => spec === d || (spec.startsWith(d + '/') && !spec.startsWith('@tensorflow/tfjs-core/dist/')));

const externalPlugin = {
  name: 'externals',
  setup(build) {
    build.onResolve({filter: /^[^./]/}, (args) => (isExternal(args.path) ? {path: args.path, external: true} : undefined));
  },
};

const entries = pkg.buildEntries ?? ['src/index.ts'];
rmSync('dist', {recursive: true, force: true});
const common = {
  entryPoints: entries,
  bundle: true,
  platform: pkg.buildPlatform ?? 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2020',
  sourcemap: false,
  plugins: [externalPlugin],
  logLevel: 'warning',
  outdir: 'dist',
};
await esbuild.build({...common, format: 'esm', outExtension: {'.js': '.mjs'}});
await esbuild.build({...common, format: 'cjs', outExtension: {'.js': '.cjs'}});

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {stdio: 'inherit'});
