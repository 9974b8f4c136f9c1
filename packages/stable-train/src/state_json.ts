import * as tf from '@tensorflow/tfjs-core';

/** How a tensor inside a `getState()` value is written to JSON. */
interface TensorJson {
  __tensor__: {shape: number[]; dtype: tf.DataType; data: number[]};
}

/**
 * Turns a `getState()` value that may hold tensors (AutoClip's history, a spectral-norm `u`)
 * into plain JSON, reading tensors back asynchronously. Non-finite numbers become strings.
 *
 * ```ts
 * const json = await stateToJson(autoClip.getState());
 * ```
 * @param value any JSON-like value, possibly with tensors inside
 */
export async function stateToJson(value: unknown): Promise<unknown> {
  if (value instanceof tf.Tensor) {
    const data = Array.from(await value.data() as ArrayLike<number>).map(numToJson);
    return {__tensor__: {shape: value.shape, dtype: value.dtype, data}} as unknown;
  }
  if (typeof value === 'number') return numToJson(value);
  if (Array.isArray(value)) return Promise.all(value.map(stateToJson));
  if (value && typeof value === 'object') {
    const out: {[k: string]: unknown} = {};
    for (const [k, v] of Object.entries(value)) out[k] = await stateToJson(v);
    return out;
  }
  return value;
}

/**
 * The inverse of `stateToJson`: tensors are rebuilt (the caller owns them; `tensors` collects
 * them so they can be disposed once `setState` has copied them).
 * @param json what `stateToJson` produced
 * @param tensors receives every tensor created
 */
export function stateFromJson(json: unknown, tensors: tf.Tensor[] = []): unknown {
  if (Array.isArray(json)) return json.map((v) => stateFromJson(v, tensors));
  if (typeof json === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(json)) return Number(json);
  if (json && typeof json === 'object') {
    const t = (json as TensorJson).__tensor__;
    if (t) {
      const x = tf.tensor(t.data.map(Number), t.shape, t.dtype);
      tensors.push(x);
      return x;
    }
    const out: {[k: string]: unknown} = {};
    for (const [k, v] of Object.entries(json)) out[k] = stateFromJson(v, tensors);
    return out;
  }
  return json;
}

function numToJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}
