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
    build.onResolve({filter: /^@stable-train\/[^/]+$/}, (args) => {
      const pkg = args.path.split('/')[1];
      const p = tsFile(join(PACKAGES, pkg, 'src/index'));
      if (!p) return {errors: [{text: `playground: ${args.path} has no packages/${pkg}/src/index.ts`}]};
      return {path: p};
    });
  },
};
