// Jest setup file (jest.preset.js `setupFiles`): runs before every test file.
// tfjs-core's Node entry registers no gradients and no chained ops; its ESM registration
// files are transformed by jest (see jest.preset.js), so importing them here registers both
// in the global registries that every copy of tfjs-core shares.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

// Silences tfjs's "install tfjs-node" banner and debug warnings in test output.
tf.env().set('IS_TEST', true);

// wasm registers with a higher priority but initialises asynchronously; start every test file
// on cpu (synchronous) and let describeBackends switch.
void tf.setBackend('cpu');
