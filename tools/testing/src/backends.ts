import * as tf from '@tensorflow/tfjs-core';

/** A backend the numeric suites run on. `wasm` is the SIMD build (threads are off in Node). */
export type TestBackend = 'cpu' | 'wasm';

/** The backends every numeric suite runs on unless it says otherwise. */
export const ALL_BACKENDS: TestBackend[] = ['cpu', 'wasm'];

/**
 * Runs `suite` once per backend, inside `describe('[backend]')`, after switching tfjs to it.
 * Every numeric test in the project goes through this, so it runs on cpu and on WASM-SIMD.
 *
 * ```ts
 * describeBackends(['cpu', 'wasm'], (backend) => {
 *   it('adds', () => expectClose(tf.add(1, 2), 3));
 * });
 * ```
 */
export function describeBackends(
  backends: TestBackend[],
  suite: (backend: TestBackend) => void,
): void {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new Error(`describeBackends: backends must be a non-empty array, got ${JSON.stringify(backends)}`);
  }
  for (const backend of backends) {
    describe(`[${backend}]`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      suite(backend);
    });
  }
}

/** Switches tfjs to `backend` and fails loudly if the switch did not happen. */
export async function useBackend(backend: TestBackend): Promise<void> {
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`useBackend: could not switch to '${backend}' (active: '${tf.getBackend()}')`);
  }
}
