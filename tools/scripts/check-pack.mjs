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

// A consumer type-checked against the shipped declarations, once as CJS (node16) and once for bundlers.
const consumer = names.map((n, i) => `import * as m${i} from '${n}';\nconst k${i}: string[] = Object.keys(m${i});`).join('\n') +
  `\nexport {${names.map((_, i) => 'k' + i).join(', ')}};\n`;
writeFileSync(join(app, 'consumer.ts'), consumer);
for (const [mod, res] of [['node16', 'node16'], ['esnext', 'bundler']]) {
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({compilerOptions: {strict: true, noEmit: true, module: mod, moduleResolution: res, target: 'es2020', lib: ['es2020', 'dom'], skipLibCheck: false, types: []}, files: ['consumer.ts']}));
  run('npx', ['tsc', '-p', 'tsconfig.json'], app);
  console.log(`  types ok (module ${mod}, moduleResolution ${res})`);
}
rmSync(tmp, {recursive: true, force: true});
console.log('check:pack: ok');
