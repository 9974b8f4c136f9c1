#!/usr/bin/env node
// Doc tests: every ```ts / ```js code block of every README.md in the repository (root,
// packages/*, and any README below them; node_modules and dist excluded) is bundled with esbuild
// against the workspace sources (tsconfig paths: '@stable-train/x' and 'stable-train' resolve to
// packages/*/src; every other package, tfjs included, stays external) and run with node. A block fails on a thrown error, a rejected promise
// or a non-zero exit. Each block runs alone, as an ES module (top-level await works), so it must
// be complete: its own imports, its own data.
//
// Opting a block out needs an explicit marker with a reason on the line just above the fence:
//   <!-- doctest: skip (reason: needs a browser) -->
// Shell and terminal samples are not ts/js: fence them as ```sh or ```text.
//
//   node tools/scripts/doctest.mjs [--list] [path/to/README.md ...]
import {spawnSync} from 'node:child_process';
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join, relative, resolve} from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(import.meta.dirname, '../..');
const LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);
const SKIP = /<!--\s*doctest:\s*skip\s*\(\s*reason:\s*([^)]*\S[^)]*)\)\s*-->/;

function readmes(dir) {
  const out = [];
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    if (['node_modules', 'dist', '.git', '.nx', '.doctest', 'coverage'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...readmes(p));
    else if (e.name === 'README.md') out.push(p);
  }
  return out.sort();
}

/** The runnable code blocks of a README: {file, line, lang, code, skip}. */
export function extractBlocks(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)```\s*([\w-]*)\s*$/);
    if (!open) continue;
    const lang = open[2].toLowerCase();
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j++;
    if (LANGS.has(lang)) {
      const prev = lines.slice(Math.max(0, i - 2), i).join('\n');
      const marker = prev.match(SKIP);
      if (/doctest:\s*skip/.test(prev) && !marker) throw new Error(`${relative(root, file)}:${i + 1}: doctest skip marker needs a reason: <!-- doctest: skip (reason: ...) -->`);
      blocks.push({file, line: i + 1, lang, code: lines.slice(i + 1, j).map((l) => l.slice(open[1].length)).join('\n'), skip: marker?.[1]});
    }
    i = j;
  }
  return blocks;
}

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = args.length ? args.map((a) => resolve(a)) : readmes(root);
const blocks = files.flatMap(extractBlocks);
if (process.argv.includes('--list')) {
  for (const b of blocks) console.log(`${relative(root, b.file)}:${b.line} ${b.lang}${b.skip ? ` (skipped: ${b.skip})` : ''}`);
  process.exit(0);
}

const work = join(root, '.doctest');
rmSync(work, {recursive: true, force: true});
mkdirSync(work, {recursive: true});
writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({extends: '../tsconfig.base.json', compilerOptions: {module: 'esnext', moduleResolution: 'bundler', noEmit: true}}));
const ours = /^(@stable-train\/(?!testing)[\w-]+|stable-train)(\/.*)?$/;
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({filter: /^[^./]/}, (a) => (ours.test(a.path) ? undefined : {path: a.path, external: true}));
  },
};

let failed = 0;
let ran = 0;
for (const [k, b] of blocks.entries()) {
  const where = `${relative(root, b.file)}:${b.line}`;
  if (b.skip) {
    console.log(`  skip ${where} (${b.skip})`);
    continue;
  }
  const src = join(work, `block-${k}.${b.lang.startsWith('t') || b.lang === 'mts' ? 'mts' : 'mjs'}`);
  const file = join(work, `block-${k}.bundle.mjs`);
  writeFileSync(src, `// ${where}\n${b.code}\n`);
  const t0 = Date.now();
  let r;
  try {
    // ignoreAnnotations: the blocks run the workspace *sources*, which the packages' `sideEffects`
    // lists (dist files) do not name, so esbuild would otherwise drop a side-effect-only import
    // such as `import '@stable-train/grad-clip/register'`.
    await esbuild.build({entryPoints: [src], outfile: file, bundle: true, format: 'esm', platform: 'node', target: 'node20',
      tsconfig: join(work, 'tsconfig.json'), plugins: [externals], logLevel: 'silent', sourcemap: 'inline', ignoreAnnotations: true});
    r = spawnSync(process.execPath, ['--enable-source-maps', file], {cwd: work, encoding: 'utf8', timeout: 180_000});
  } catch (e) {
    r = {status: 1, stderr: String(e.message ?? e)};
  }
  ran++;
  const ms = Date.now() - t0;
  if (r.status === 0) {
    console.log(`  ok   ${where} (${ms} ms)`);
  } else {
    failed++;
    console.log(`  FAIL ${where} (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})\n${(r.stderr || r.stdout).split('\n').slice(-25).map((l) => '       ' + l).join('\n')}`);
  }
}
if (!failed) rmSync(work, {recursive: true, force: true});
console.log(`doctest: ${ran - failed}/${ran} blocks passed, ${blocks.length - ran} skipped, from ${files.length} READMEs`);
if (failed) process.exit(1);
