#!/usr/bin/env node
// The `sideEffects` field of every package.json, derived from the sources: a source file whose
// code calls `registerClass(` (tf.serialization.registerClass, so tf.loadLayersModel can find
// the class) is side-effectful, and both of its built files (dist/<path>.mjs and .cjs) must be
// listed so bundlers keep them, together with every file that imports it (directly or not, e.g.
// index.ts), so that a bare `import 'pkg'` keeps the registration; every other file is pure. Policy: one registered class per file,
// with `tf.serialization.registerClass(Cls)` at the bottom of that file.
//
//   node tools/scripts/side-effects.mjs          check every package (exit 1 on a mismatch)
//   node tools/scripts/side-effects.mjs --write  rewrite the sideEffects fields
// tools/scripts/build.mjs runs the check for the package it builds.
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const REGISTERS = /\bregisterClass\s*\(/;

function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(e.name) && !/\.(test|d)\.tsx?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function resolveSource(dir, spec) {
  const base = resolve(dir, spec);
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base].find((c) => existsSync(c) && /\.tsx?$/.test(c));
}

/** The sideEffects value a package must declare: false, or the built files that register classes. */
export function expectedSideEffects(pkgDir) {
  const src = join(pkgDir, 'src');
  if (!existsSync(src)) return false;
  const all = sources(src);
  const code = new Map(all.map((f) => [f, readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')]));
  const marked = new Set(all.filter((f) => REGISTERS.test(code.get(f))));
  if (!marked.size) return false;
  // A bare `import 'pkg'` keeps a file only when every file on the way to it is side-effectful
  // too, so the files that (transitively) import a registering file are listed as well.
  const imports = (f) => [...code.get(f).matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*['"](\.[^'"]+)['"]/g)]
    .map((m) => resolveSource(dirname(f), m[1] ?? m[2])).filter(Boolean);
  for (let grew = true; grew;) {
    grew = false;
    for (const f of all) {
      if (!marked.has(f) && imports(f).some((d) => marked.has(d))) {
        marked.add(f);
        grew = true;
      }
    }
  }
  const files = all.filter((f) => marked.has(f));
  return files.flatMap((f) => {
    const base = relative(src, f).replace(/\\/g, '/').replace(/\.tsx?$/, '');
    return [`./dist/${base}.mjs`, `./dist/${base}.cjs`];
  });
}

/** Problem text when package.json's sideEffects differs from {@link expectedSideEffects}, else null. */
export function checkSideEffects(pkgDir) {
  const pj = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const want = expectedSideEffects(pkgDir);
  if (JSON.stringify(pj.sideEffects) === JSON.stringify(want)) return null;
  return `${pj.name}: package.json "sideEffects" must be ${JSON.stringify(want)} (files calling registerClass), ` +
    `found ${JSON.stringify(pj.sideEffects)}. Run: node tools/scripts/side-effects.mjs --write`;
}

function writeSideEffects(pkgDir) {
  const file = join(pkgDir, 'package.json');
  const text = readFileSync(file, 'utf8');
  const pj = JSON.parse(text);
  const want = expectedSideEffects(pkgDir);
  if (JSON.stringify(pj.sideEffects) === JSON.stringify(want)) return false;
  pj.sideEffects = want;
  writeFileSync(file, JSON.stringify(pj, null, 2) + '\n');
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(import.meta.dirname, '../..');
  const dirs = readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)).filter((d) => existsSync(join(d, 'package.json')))
    .filter((d) => !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private);
  if (process.argv.includes('--write')) {
    for (const d of dirs) if (writeSideEffects(d)) console.log(`side-effects: updated ${relative(root, d)}/package.json`);
  } else {
    const bad = dirs.map(checkSideEffects).filter(Boolean);
    for (const b of bad) console.error(`side-effects: ${b}`);
    if (bad.length) process.exit(1);
    console.log(`side-effects: ok (${dirs.length} packages)`);
  }
}
