#!/usr/bin/env node
// The `sideEffects` field of every package.json, derived from the sources. A source file has
// import side effects when its top level (the code that runs on import) calls a registration
// function, any function whose name starts with `register`: `tf.serialization.registerClass(Cls)`
// at the bottom of a file (tfjs-layers' custom layers), or `registerClippedOptimizer()` in a
// `register.ts` entry; or when it imports another package for its side effects only
// (`import '@stable-train/grad-clip/register'`). Both built files of such a source
// (dist/<path>.mjs and .cjs) must be listed so bundlers keep them, together with every file that
// imports it (directly or not, e.g. index.ts), so that a bare `import 'pkg'` keeps the
// registration; every other file is pure. A call inside a function (an explicit `registerX()`
// that the user or a factory runs) is no import side effect. Policy: a technique package's main
// entry registers nothing; what `tf.loadLayersModel` needs is registered by an explicit
// function and by a side-effect-only `register` subpath (the only file in `sideEffects`).
//
//   node tools/scripts/side-effects.mjs          check every package (exit 1 on a mismatch)
//   node tools/scripts/side-effects.mjs --write  rewrite the sideEffects fields
// tools/scripts/build.mjs runs the check for the package it builds.
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const ts = createRequire(import.meta.url)('typescript');

/** Whether code that runs on import (not inside a function or class) calls a `register*` function. */
function callsRegister(node) {
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (/^register/.test(name)) return true;
  }
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false; // defined here, run later
  return ts.forEachChild(node, callsRegister) ?? false;
}

/**
 * Parses one source: whether its top level calls a `register*` function or imports a package for
 * its side effects only, and the relative files it imports (import/export ... from, import './x';
 * type-only imports, which the build drops, excluded).
 */
function parse(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let effect = false;
  const relImports = [];
  for (const st of sf.statements) {
    const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
    if (spec != null) {
      const typeOnly = ts.isImportDeclaration(st) ? st.importClause?.isTypeOnly : st.isTypeOnly;
      if (spec.startsWith('.')) { if (!typeOnly) relImports.push(spec); }
      else if (ts.isImportDeclaration(st) && !st.importClause) effect = true; // import 'pkg/register'
    } else if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st) && callsRegister(st)) {
      effect = true;
    }
  }
  return {effect, relImports};
}

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

/** The sideEffects value a package must declare: false, or the built files with import side effects. */
export function expectedSideEffects(pkgDir) {
  const src = join(pkgDir, 'src');
  if (!existsSync(src)) return false;
  const all = sources(src);
  const parsed = new Map(all.map((f) => [f, parse(f)]));
  const marked = new Set(all.filter((f) => parsed.get(f).effect));
  if (!marked.size) return false;
  // A bare `import 'pkg'` keeps a file only when every file on the way to it is side-effectful
  // too, so the files that (transitively) import a registering file are listed as well.
  const imports = (f) => parsed.get(f).relImports.map((spec) => resolveSource(dirname(f), spec)).filter(Boolean);
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
  return `${pj.name}: package.json "sideEffects" must be ${JSON.stringify(want)} (files whose top level registers something, and their importers), ` +
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
