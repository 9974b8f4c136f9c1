// esbuild plugin: resolves `stable-train` and `@stable-train/*` to the workspace *sources*
// (packages/<pkg>/src/index.ts), so the playground builds without building the packages first.
import {existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PACKAGES = join(REPO, 'packages');

function tsFile(base) {
  for (const f of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(f)) return f;
  return null;
}

export const workspaceAliases = {
  name: 'stable-train-workspace-sources',
  setup(build) {
    // `stable-train` -> src/index.ts; `stable-train/<file>` -> src/<file>.ts (modules the index
    // does not re-export yet, such as the Trainer).
    build.onResolve({filter: /^stable-train(\/.*)?$/}, (args) => {
      const sub = args.path.slice('stable-train'.length).replace(/^\//, '');
      const p = tsFile(join(PACKAGES, 'stable-train/src', sub || 'index'));
      if (!p) return {errors: [{text: `playground: ${args.path} not found under packages/stable-train/src`}]};
      return {path: p};
    });
    // `@stable-train/<pkg>` -> src/index.ts; a subpath such as `@stable-train/grad-clip/register`
    // or `@stable-train/layers/node` -> src/register.ts, src/node/index.ts.
    build.onResolve({filter: /^@stable-train\/[^/]+(\/.*)?$/}, (args) => {
      const [, pkg, ...sub] = args.path.split('/');
      const p = tsFile(join(PACKAGES, pkg, 'src', sub.join('/') || 'index'));
      if (!p) return {errors: [{text: `playground: ${args.path} not found under packages/${pkg}/src`}]};
      return {path: p};
    });
  },
};
