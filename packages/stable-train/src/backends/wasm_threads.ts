// Makes tfjs-backend-wasm 4.22 start its threaded SIMD build with N threads, in Node and in
// cross-origin isolated browsers. Everything here is undone once the backend has started
// (`restore`): no global stays patched. Evidence and the why: docs/wasm-threads.md.
import * as tf from '@tensorflow/tfjs-core';
import type {RuntimeInfo} from './plan_backend';

/** Undoes what {@link prepareWasmThreads} changed; call once the WASM backend has started. */
export interface WasmThreadsPrep {
  restore: () => void;
  notes: string[];
}

type NodeRequire = ((id: string) => unknown) & {resolve: (id: string) => string};
interface NodeBits {
  fs: {existsSync(p: string): boolean; writeFileSync(p: string, d: string): void; renameSync(a: string, b: string): void};
  os: {cpus(): unknown[]; tmpdir(): string; availableParallelism?: () => number};
  path: {join(...p: string[]): string; dirname(p: string): string};
  crypto: {createHash(a: string): {update(d: string): {digest(e: string): string}}};
  require: NodeRequire;
}

const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';

function nodeBits(): NodeBits {
  const proc = (globalThis as unknown as {process?: {getBuiltinModule?: (id: string) => unknown; cwd(): string; argv: string[]}}).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== 'function') throw new Error('process.getBuiltinModule is missing (Node >= 20.16 needed)');
  const mod = get('module') as {createRequire(p: string): NodeRequire; _cache?: Record<string, unknown>};
  const path = get('path') as NodeBits['path'];
  // Resolve from the copy of tfjs-backend-wasm already loaded (ESM imports of it go through the
  // CommonJS loader too, so it is in the cache), else from this file, the main script, the cwd.
  const loaded = Object.keys(mod._cache ?? {}).find((f) => /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/][^\\/]+\.js$/.test(f));
  const candidates = [loaded, typeof __filename === 'string' ? __filename : undefined, proc!.argv[1], path.join(proc!.cwd(), 'noop.js')];
  const base = candidates.find((c): c is string => {
    if (c == null) return false;
    try {
      mod.createRequire(c).resolve(`${WASM_OUT}.js`);
      return true;
    } catch {
      return false;
    }
  }) ?? path.join(proc!.cwd(), 'noop.js');
  return {
    fs: get('fs') as NodeBits['fs'],
    os: get('os') as NodeBits['os'],
    path,
    crypto: get('crypto') as NodeBits['crypto'],
    require: mod.createRequire(base),
  };
}

/** The number of cores this runtime reports (Node: `os.availableParallelism()`; browsers: `navigator.hardwareConcurrency`). */
export function availableCores(rt: RuntimeInfo): number {
  try {
    if (rt.isNode) {
      const os = nodeBits().os;
      return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
    }
    const n = (globalThis as unknown as {navigator?: {hardwareConcurrency?: number}}).navigator?.hardwareConcurrency;
    return Math.max(1, Number.isInteger(n) ? (n as number) : 1);
  } catch {
    return 1;
  }
}

/**
 * Writes (once, content-addressed, in the OS temp folder) the Emscripten pthread worker script
 * for Node: the package's own `wasmWorkerContents`, with `importScripts` loading the package's
 * threaded factory (`wasm-out/tfjs-backend-wasm-threaded-simd.js`) by absolute path.
 */
function nodeWorkerFile(b: NodeBits): string {
  const factory = b.require.resolve(`${WASM_OUT}.js`);
  const {wasmWorkerContents} = b.require(`${WASM_OUT}.worker.js`) as {wasmWorkerContents: string};
  // The package escapes '\n' the same way before making its Blob (the string holds "\n" escapes).
  const text = wasmWorkerContents.replace(/\n/g, '\\n') +
    `\n;globalThis.importScripts = function () { globalThis.WasmBackendModuleThreadedSimd = require(${JSON.stringify(factory)}); };\n`;
  const hash = b.crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = b.path.join(b.os.tmpdir(), `stable-train-wasm-pthread-${hash}.cjs`);
  if (!b.fs.existsSync(file)) {
    const tmp = `${file}.${Math.random().toString(36).slice(2)}.tmp`;
    b.fs.writeFileSync(tmp, text);
    b.fs.renameSync(tmp, file);
  }
  return file;
}

/**
 * Prepares the next `tf.setBackend('wasm')` to start the threaded SIMD build with `threads`
 * threads, and returns how to undo it. tfjs-backend-wasm 4.22 caps the pool at
 * `cores / 2` (`emscripten_num_logical_cores`), which is 1 on a 2-core machine; so while the
 * backend starts, the core count it reads is raised to `2 * threads` (Node: `os.cpus`; browser:
 * `navigator.hardwareConcurrency`). In Node it also (a) turns on the
 * `WASM_HAS_MULTITHREAD_SUPPORT` flag that the package forces off in Node and (b) turns the Blob
 * URL of the pthread worker (which Node's `Worker` rejects with `ERR_WORKER_PATH`) into a file.
 * Reference: https://github.com/tensorflow/tfjs/issues/3830 (threads off in Node).
 * @param threads the thread count wanted (integer >= 2)
 * @param rt the runtime facts
 * @returns `restore()` and notes; throws with the reason when threads cannot be prepared
 */
export function prepareWasmThreads(threads: number, rt: RuntimeInfo): WasmThreadsPrep {
  const undo: Array<() => void> = [];
  const notes: string[] = [];
  const want = 2 * threads;
  if (rt.isNode) {
    const b = nodeBits();
    const file = nodeWorkerFile(b);
    const env = tf.env();
    const hadFlag = env.getFlags()['WASM_HAS_MULTITHREAD_SUPPORT'];
    env.set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    undo.push(() => (hadFlag === undefined ? delete env.getFlags()['WASM_HAS_MULTITHREAD_SUPPORT'] : env.set('WASM_HAS_MULTITHREAD_SUPPORT', hadFlag)));
    const url = URL as unknown as {createObjectURL: (b: unknown) => string};
    const create = url.createObjectURL;
    url.createObjectURL = (blob: unknown) =>
      (blob as {type?: string} | null)?.type === 'application/javascript' ? file : create.call(URL, blob);
    undo.push(() => (url.createObjectURL = create));
    const cpus = b.os.cpus;
    if (cpus().length < want) {
      b.os.cpus = () => {
        const real = cpus.call(b.os);
        return Array.from({length: Math.max(want, real.length)}, (_, i) => real[i % real.length]);
      };
      undo.push(() => (b.os.cpus = cpus));
    }
    notes.push(`threads: Node pthread workers run ${file}`);
  } else {
    const nav = (globalThis as unknown as {navigator?: object}).navigator;
    if (nav != null && availableCores(rt) < want) {
      Object.defineProperty(nav, 'hardwareConcurrency', {value: want, configurable: true});
      undo.push(() => delete (nav as {hardwareConcurrency?: number}).hardwareConcurrency);
    }
  }
  return {
    notes,
    restore: () => {
      for (const u of undo.reverse()) u();
      undo.length = 0;
    },
  };
}

/**
 * Node only: lets the process end by itself once the threaded WASM backend is up. XNNPACK's
 * pool threads are Emscripten pthreads, i.e. `worker_threads` that Emscripten `ref()`s while
 * they run; they run (waiting for work) for as long as the backend lives, so without this the
 * process never exits. `unref` keeps them working and lets Node end them at exit.
 * @returns how many workers were unref'd
 */
export function unrefWasmWorkers(): number {
  const backend = tf.engine().registry['wasm'] as unknown as {wasm?: {PThread?: {runningWorkers: Array<{unref?: () => void}>}}} | undefined;
  const running = backend?.wasm?.PThread?.runningWorkers ?? [];
  for (const w of running) w.unref?.();
  return running.length;
}
