// Jest setup file (jest.preset.js `setupFiles`): runs before every test file.
//
// Order matters. tfjs-core's CJS entry (tf-core.node.js) must load FIRST so that it creates the
// global engine and fills the Tensor method table (clone, reshape, ...). The gradient and
// chained-op registrations ship only as extension-less ESM; jest transforms them (see
// jest.preset.js) into a second module graph that shares the global registries and engine.
// Loaded the other way round, the second copy owns the engine and `t.clone()` (and with it the
// gradients of cast and moments) fails with "Cannot read properties of null (reading 'clone')".
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
/* eslint-disable import/first */
require('@tensorflow/tfjs-core/dist/register_all_gradients');
require('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');

// Silences tfjs's "install tfjs-node" banner and warnings in test output. (Not IS_TEST: that flag
// also turns on the engine's per-kernel leak check, which misfires on some stock wasm kernels,
// e.g. _FusedMatMul, and inside tf.customGrad.)
tf.env().set('PROD', true);

// wasm registers with a higher priority but initialises asynchronously; start every test file
// on cpu (synchronous) and let describeBackends switch.
void tf.setBackend('cpu');
