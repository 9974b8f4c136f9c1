// tfjs-core's gradients and chained tensor methods (t.reshape, t.square...) are registered by
// `@tensorflow/tfjs` and by bundlers importing tfjs-core's deep `dist/register_all_*` files, but
// not by tfjs-core's Node entry, and Node cannot import those deep files (extension-less ESM
// imports; docs/NOTES-tfjs.md). Nothing here runs at import time: setupBackend calls it.
import * as tf from '@tensorflow/tfjs-core';

/** True when tfjs-core's gradients and chained ops are both registered. */
export function coreRegistrationsPresent(): boolean {
  return tf.getGradient(tf.Sum) != null && typeof (tf.Tensor.prototype as unknown as {reshape?: unknown}).reshape === 'function';
}

/**
 * Makes sure tfjs-core's gradients and chained ops are registered: nothing to do when they are
 * (the app imported `@tensorflow/tfjs`, or a bundler's build of it); else tfjs-core's own
 * registration files (works in bundlers and browsers); else, in Node, `@tensorflow/tfjs`.
 * @returns where the registrations came from
 * @throws naming `@tensorflow/tfjs` when none of these is available
 */
export async function ensureCoreRegistrations(): Promise<string> {
  if (coreRegistrationsPresent()) return 'already registered';
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');
  } catch {
    // Node: the deep ESM files do not load; fall through.
  }
  if (coreRegistrationsPresent()) return "tfjs-core's register_all_gradients and register_all_chained_ops";
  // A computed specifier: bundlers must not try to resolve this Node-only fallback.
  const umbrella = ['@tensorflow', 'tfjs'].join('/');
  try {
    await import(umbrella);
  } catch {
    // not installed
  }
  if (coreRegistrationsPresent()) return "'@tensorflow/tfjs'";
  throw new Error("stable-train: tfjs-core's gradients and chained ops are not registered and could not be loaded; " +
    "in Node, install '@tensorflow/tfjs' (npm i @tensorflow/tfjs@4) or import it before setupBackend");
}
