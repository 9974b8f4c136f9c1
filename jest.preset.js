// Shared jest settings for every workspace (each package's jest.config.js spreads this).
const path = require('node:path');

const root = __dirname;
const pkgs = ['grad-clip', 'initializers', 'batchnorm', 'lr-schedule', 'regularizers', 'resnet-blocks', 'layers'];
const moduleNameMapper = {
  '^@stable-train/testing$': path.join(root, 'tools/testing/src/index.ts'),
  '^stable-train$': path.join(root, 'packages/stable-train/src/index.ts'),
  '^@stable-train/layers/node$': path.join(root, 'packages/layers/src/node/index.ts'),
  '^stable-train/node$': path.join(root, 'packages/stable-train/src/node.ts'),
  '^@stable-train/grad-clip/register$': path.join(root, 'packages/grad-clip/src/register.ts'),
  '^@stable-train/lr-schedule/register$': path.join(root, 'packages/lr-schedule/src/register.ts'),
};
for (const p of pkgs) moduleNameMapper[`^@stable-train/${p}$`] = path.join(root, `packages/${p}/src/index.ts`);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {jsc: {parser: {syntax: 'typescript'}, target: 'es2020'}, module: {type: 'commonjs'}},
    ],
  },
  // tfjs-core's gradient registrations ship only as extension-less ESM: transform those
  // files (not the CJS bundle tf-core.node.js) so `import '.../register_all_gradients'` works.
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
  moduleNameMapper,
  testMatch: ['**/?(*.)test.ts'],
  setupFiles: [path.join(root, 'tools/testing/src/setup.ts')],
  testTimeout: 60000,
};
