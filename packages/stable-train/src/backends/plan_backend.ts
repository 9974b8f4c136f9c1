// Pure decision logic of setupBackend: which backend to try, in which order, and why.

/** What `setupBackend` may be asked for. */
export type BackendRequest = 'auto' | 'wasm' | 'webgl' | 'cpu';

/** The facts about the JS runtime that decide the backend. */
export interface RuntimeInfo {
  /** a page or worker with `document`/`navigator` (not Node) */
  isBrowser: boolean;
  /** Node.js (or a Node-compatible server runtime) */
  isNode: boolean;
  /** a WebGL2 context can be created */
  webgl2: boolean;
  /** `globalThis.crossOriginIsolated` (needed for SharedArrayBuffer, hence WASM threads) */
  crossOriginIsolated: boolean;
}

/** The plan: backends to try in order, WASM thread count to request, and notes for the report. */
export interface BackendPlan {
  order: Array<'webgl' | 'wasm' | 'cpu'>;
  wasmThreads?: number;
  notes: string[];
}

/** Headers that make a page cross-origin isolated (and so enable WASM threads). */
export const COOP_COEP_HEADERS =
  "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp'";

/** Inspects the current runtime (no side effects beyond a throw-away WebGL2 probe). */
export function detectRuntime(): RuntimeInfo {
  const g = globalThis as unknown as {
    document?: {createElement?: (t: string) => {getContext?: (k: string) => unknown}};
    process?: {versions?: {node?: string}};
    crossOriginIsolated?: boolean;
    OffscreenCanvas?: new (w: number, h: number) => {getContext: (k: string) => unknown};
    WorkerGlobalScope?: unknown;
  };
  const isNode = g.process?.versions?.node != null && g.document == null;
  const isBrowser = !isNode && (g.document != null || g.WorkerGlobalScope != null);
  let webgl2 = false;
  if (isBrowser) {
    try {
      const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement?.('canvas');
      webgl2 = canvas?.getContext?.('webgl2') != null;
    } catch {
      webgl2 = false;
    }
  }
  return {isBrowser, isNode, webgl2, crossOriginIsolated: g.crossOriginIsolated === true};
}

/**
 * Decides the backend order for `setupBackend`. `auto` → WebGL in a browser with WebGL2, else
 * WASM (SIMD), else cpu. Throws for `webgl` outside a browser with WebGL2.
 *
 * ```ts
 * planBackend('auto', detectRuntime()); // {order: ['wasm', 'cpu'], notes: [...]} in Node
 * ```
 * @param request the backend asked for
 * @param rt the runtime facts (see {@link detectRuntime})
 * @param threads WASM threads asked for, if any
 */
export function planBackend(request: BackendRequest, rt: RuntimeInfo, threads?: number): BackendPlan {
  const notes: string[] = [];
  let order: BackendPlan['order'];
  if (request === 'webgl') {
    if (!rt.isBrowser) {
      throw new Error(
        `setupBackend: backend 'webgl' needs a browser with WebGL2, but this is ${rt.isNode ? 'Node.js' : 'not a browser'}; ` +
          `use backend: 'wasm' (WASM-SIMD, fast) or 'cpu' instead`,
      );
    }
    if (!rt.webgl2) throw new Error("setupBackend: backend 'webgl' needs WebGL2, which this browser lacks; use 'wasm' or 'auto'");
    order = ['webgl'];
  } else if (request === 'auto') {
    if (rt.isBrowser && rt.webgl2) {
      order = ['webgl', 'wasm', 'cpu'];
      notes.push('auto: picked WebGL because this is a browser with WebGL2 (WASM, then cpu, if it fails)');
    } else {
      order = ['wasm', 'cpu'];
      const why = rt.isBrowser ? 'this browser has no WebGL2' : rt.isNode ? 'this is Node.js (no WebGL)' : 'WebGL2 is not available';
      notes.push(`auto: picked WASM (SIMD) because ${why} (cpu if WASM fails)`);
    }
  } else {
    order = [request];
  }
  let wasmThreads: number | undefined;
  if (order.includes('wasm')) {
    if (rt.isNode) {
      if (threads != null) wasmThreads = threads;
      else notes.push("threads: WASM runs single-threaded; pass threads: N or 'auto' for the threaded SIMD build");
    } else if (rt.isBrowser && !rt.crossOriginIsolated) {
      notes.push(`threads: the page is not cross-origin isolated, so WASM runs single-threaded; serve it with ${COOP_COEP_HEADERS} to enable threads`);
    } else if (threads != null) {
      wasmThreads = threads;
    }
    if (threads != null && wasmThreads == null) notes.push(`threads: ${threads} requested but ignored (see above)`);
  }
  return {order, wasmThreads, notes};
}
