import * as tf from '@tensorflow/tfjs-core';
import {detectRuntime, planBackend} from './plan_backend';
import type {BackendRequest} from './plan_backend';
import {registerTrainingKernels} from './register_training_kernels';
import {availableCores, prepareWasmThreads, unrefWasmWorkers} from './wasm_threads';
import {startWasmGemm} from './wasm_gemm';
import type {WasmThreadsPrep} from './wasm_threads';
import {ensureCoreRegistrations} from './core_registrations';

/** The WASM backend module, loaded (and its backend registered) by setupBackend only. */
type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** Options of {@link setupBackend}. */
export interface SetupBackendOptions {
  /** `'auto'` (default): WebGL in a browser with WebGL2, else WASM (SIMD), else cpu */
  backend?: BackendRequest;
  /** folder (URL or path) holding the `tfjs-backend-wasm*.wasm` files, or a map of file names to URLs */
  wasmPaths?: string | Record<string, string>;
  /**
   * WASM threads: an integer >= 1, or `'auto'` (the cores this runtime reports). Node and
   * cross-origin isolated pages; elsewhere one thread with a note saying why.
   */
  threads?: number | 'auto';
  /**
   * Which work the threads share (WASM, threads > 1):
   * - `'gemm'` (default): matrix products (tf.matMul, dense layers, and their gradients) run on
   *   stable-train's own GEMM kernel split among the threads; tfjs-backend-wasm's XNNPACK ops
   *   (convolutions, pooling, element-wise) run on one thread. Best for MLPs and other
   *   matMul-bound nets (anchor MLP step: see docs/wasm-threads.md).
   * - `'xnnpack'`: XNNPACK's own pool gets the threads (convolutions, element-wise ops); products
   *   run on our kernel on one thread. Best for convnets.
   * The two pools are not used together: XNNPACK's idle threads keep spinning and would take the
   * cores our pool needs.
   */
  threadPool?: 'gemm' | 'xnnpack';
}

/** What {@link setupBackend} set up. */
export interface BackendReport {
  /** the active backend: 'webgl' | 'wasm' | 'cpu' */
  name: string;
  /** WASM SIMD in use */
  simd: boolean;
  /** threads the backend computes with (1 for cpu, WebGL and single-threaded WASM) */
  threads: number;
  /** WASM with threads > 1: which pool has them (see {@link SetupBackendOptions.threadPool}) */
  threadPool?: 'gemm' | 'xnnpack';
  /** computes in float32 (WebGL: float32 render targets available) */
  float32: boolean;
  /** why this backend, threads, and anything the caller should know */
  notes: string[];
}

const REQUESTS: BackendRequest[] = ['auto', 'wasm', 'webgl', 'cpu'];

function validate(o: SetupBackendOptions): void {
  if (o == null || typeof o !== 'object') throw new Error(`setupBackend: options must be an object, got ${String(o)}`);
  if (o.backend !== undefined && !REQUESTS.includes(o.backend)) {
    throw new Error(`setupBackend: backend must be one of ${REQUESTS.map((r) => `'${r}'`).join(', ')}, got ${JSON.stringify(o.backend)}`);
  }
  if (o.threads !== undefined && o.threads !== 'auto' && !(Number.isInteger(o.threads) && (o.threads as number) >= 1)) {
    throw new Error(`setupBackend: threads must be an integer >= 1 or 'auto', got ${JSON.stringify(o.threads)}`);
  }
  if (o.threadPool !== undefined && o.threadPool !== 'gemm' && o.threadPool !== 'xnnpack') {
    throw new Error(`setupBackend: threadPool must be 'gemm' or 'xnnpack', got ${JSON.stringify(o.threadPool)}`);
  }
  const p = o.wasmPaths;
  if (p !== undefined && !(typeof p === 'string' && p.length > 0) && !(p !== null && typeof p === 'object')) {
    throw new Error(`setupBackend: wasmPaths must be a non-empty string or a map of file names, got ${JSON.stringify(p)}`);
  }
}

async function activate(name: string): Promise<boolean> {
  if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Picks and initialises the fastest TF.js backend that can train here, and registers what
 * training needs: the cpu and WASM backends (and WebGL when chosen), which importing
 * stable-train never does; tfjs-core's gradients and chained ops when missing (its Node entry
 * registers neither; in Node they come from `@tensorflow/tfjs`, see `ensureCoreRegistrations`); and
 * stable-train's training kernels for WASM (conv/depthwise/maxPool/gather gradients from
 * forward kernels, GEMMs without slow transposed forms; see `registerTrainingKernels`).
 *
 * `auto` picks WebGL in a browser with WebGL2, else WASM-SIMD, else cpu, and says why in
 * `notes`. WebGL in Node is an error naming the alternatives. A page that is not cross-origin
 * isolated gets single-threaded WASM and a note naming the COOP/COEP headers.
 *
 * ```ts
 * const report = await setupBackend({backend: 'wasm'});
 * console.log(report); // {name: 'wasm', simd: true, threads: 1, float32: true, notes: [...]}
 * ```
 * @param options.backend `'auto'` | `'wasm'` | `'webgl'` | `'cpu'`, default `'auto'`
 * @param options.wasmPaths where the `.wasm` binaries are served from (set before first use)
 * @param options.threads WASM threads (integer >= 1 or `'auto'`): Node, or a cross-origin isolated page
 * @param options.threadPool `'gemm'` (default: stable-train's kernels on the threads) or `'xnnpack'` (XNNPACK's pool)
 * @returns the report `{name, simd, threads, float32, notes}`
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendReport> {
  validate(options);
  const request = options.backend ?? 'auto';
  const rt = detectRuntime();
  const threads = options.threads === 'auto' ? availableCores(rt) : options.threads;
  const plan = planBackend(request, rt, threads);
  const notes = [...plan.notes];
  // Backends are registered here, never at import time (importing stable-train changes nothing).
  await import('@tensorflow/tfjs-backend-cpu');
  const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
  notes.push(`tfjs-core gradients and chained ops: ${await ensureCoreRegistrations()}`);
  const reg = registerTrainingKernels();
  notes.push(`training: gradient overrides for ${reg.gradients.join(', ')}` +
    (reg.wasmKernels.length ? `; WASM kernels patched: ${reg.wasmKernels.join(', ')} (untransposed GEMMs, explicit 'same' padding)` : ''));
  if (options.wasmPaths !== undefined) {
    const p = options.wasmPaths;
    try {
      wasm.setWasmPaths(typeof p === 'string' && !p.endsWith('/') && !p.endsWith('.wasm') ? `${p}/` : p);
    } catch (e) {
      notes.push(`wasmPaths ignored: ${(e as Error).message}`);
    }
  }
  let prep: WasmThreadsPrep | undefined;
  let prepFailed = false;
  const pool = options.threadPool ?? 'gemm';
  // 'gemm': the threaded build (its heap is a SharedArrayBuffer our workers share) with XNNPACK on one thread
  const xnnThreads = plan.wasmThreads != null && pool === 'gemm' ? 1 : plan.wasmThreads;
  if (plan.wasmThreads != null && xnnThreads != null) {
    wasm.setThreadsCount(xnnThreads);
    if (plan.wasmThreads > 1 && tf.engine().registry['wasm'] == null) {
      try {
        prep = prepareWasmThreads(xnnThreads, rt);
        notes.push(...prep.notes);
      } catch (e) {
        notes.push(`threads: ${plan.wasmThreads} requested, running 1 thread: ${(e as Error).message.split('\n')[0]}`);
        wasm.setThreadsCount(1);
        prepFailed = true;
      }
    }
  }
  let chosen: string | undefined;
  for (const name of plan.order) {
    let ok: boolean;
    try {
      ok = await activate(name);
    } finally {
      if (name === 'wasm') prep?.restore();
    }
    if (ok && name === 'wasm' && prep != null && rt.isNode) unrefWasmWorkers();
    if (!ok && name === 'wasm' && prep != null) {
      notes.push(`threads: the threaded WASM build failed to start; retrying with 1 thread`);
      wasm.setThreadsCount(1);
      ok = await activate(name);
    }
    if (ok) {
      chosen = name;
      break;
    }
    notes.push(`${name}: failed to initialise` + (name === 'wasm' ? ' (are the .wasm files reachable? see wasmPaths)' : ''));
  }
  if (chosen == null) {
    throw new Error(`setupBackend: could not initialise backend ${plan.order.map((n) => `'${n}'`).join(' or ')}; notes: ${notes.join('; ')}`);
  }
  let gemmThreads = 1;
  if (chosen === 'wasm') {
    const g = await startWasmGemm(pool === 'gemm' && !prepFailed ? (plan.wasmThreads ?? 1) : 1, {convolutions: pool === 'gemm'});
    gemmThreads = g.threads;
    notes.push(g.note);
  }
  return report(chosen, notes, wasm, prepFailed ? undefined : plan.wasmThreads, pool, gemmThreads);
}

async function report(name: string, notes: string[], wasm: WasmModule, wanted: number | undefined, pool: 'gemm' | 'xnnpack', gemmThreads: number): Promise<BackendReport> {
  if (name === 'wasm') {
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    let xnn = 1;
    try {
      xnn = wasm.getThreadsCount();
    } catch {
      xnn = 1;
    }
    const threads = Math.max(xnn, gemmThreads);
    if (wanted != null && threads !== wanted) {
      notes.push(`threads: ${wanted} requested, ${threads} in use (the WASM backend had already started with ${threads}; thread count is fixed per process/page)`);
    }
    if (!simd) notes.push('wasm: this runtime has no WASM SIMD; expect about 2x slower GEMMs');
    const used = threads > 1 ? {threadPool: gemmThreads > 1 ? ('gemm' as const) : ('xnnpack' as const)} : {};
    if (threads > 1 && used.threadPool !== pool) notes.push(`threads: threadPool '${pool}' requested, '${used.threadPool}' in use (fixed once the backend started)`);
    return {name, simd, threads, ...used, float32: true, notes};
  }
  if (name === 'webgl') {
    const float32 = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
    notes.push('webgl: backend epsilon is 1e-4; pass epsilon explicitly to Adam/RMSProp');
    return {name, simd: false, threads: 1, float32, notes};
  }
  return {name, simd: false, threads: 1, float32: true, notes};
}
