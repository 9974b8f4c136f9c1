// Builds the playground into dist/: one ESM bundle (tfjs, stable-train from the workspace
// sources, uPlot and its CSS), index.html, and the tfjs WASM binaries (served locally, no CDN).
import {build} from 'esbuild';
import {copyFileSync, mkdirSync, readdirSync, rmSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {REPO, workspaceAliases} from './aliases.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const WASM_DIR = join(REPO, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

const t0 = Date.now();
rmSync(OUT, {recursive: true, force: true});
mkdirSync(join(OUT, 'wasm'), {recursive: true});

await build({
  entryPoints: {main: join(ROOT, 'src/main.ts')},
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: process.argv.includes('--minify'),
  sourcemap: true,
  logLevel: 'warning',
  // No externals: stable-train's main entry is browser-safe (Node-only parts are in
  // `stable-train/node`), so a plain browser bundle works.
  plugins: [workspaceAliases],
  define: {'process.env.NODE_ENV': '"production"'},
});

for (const f of readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(join(WASM_DIR, f), join(OUT, 'wasm', f));
}
copyFileSync(join(ROOT, 'src/index.html'), join(OUT, 'index.html'));
console.log(`playground: built ${OUT} in ${Date.now() - t0} ms`);
