// stable-train's own float32 GEMM for the WASM backend, on its own thread pool.
//
// tfjs-backend-wasm 4.22 multiplies through XNNPACK, which packs its right operand on the calling
// thread before every product with a new tensor (in training: every product, since weights and
// activations change each step) and leaves transposes and reductions on one thread. Our kernel
// (scripts/gemm_wat.ts; bytes in gemm_wasm_bytes.ts) needs no packing pass and no transposes
// (transposed operands are strides), and runs on the module's own heap: in the threaded build the
// heap is a SharedArrayBuffer, so `threads - 1` workers (Node worker_threads or Web Workers)
// instantiate the same kernel on the same memory and each computes a block of C's columns (or
// rows, when C is narrow). The main thread computes block 0 and waits for the others.
//
// Every C element is one float32 sum in increasing p (see gemm_wat.ts), so results do not depend
// on the thread count.
import * as tf from '@tensorflow/tfjs-core';
import {GEMM_WASM} from './gemm_wasm_bytes';

/** One product C = clamp(op(A)·op(B) + bias, lo, hi), pointers in bytes, strides in elements. */
export interface GemmJob {
  a: number;
  b: number;
  c: number;
  /** byte offset of n floats, or 0 for none */
  bias: number;
  m: number;
  n: number;
  k: number;
  /** A(i, p) at a + 4·(i·ars + p·aks) */
  ars: number;
  aks: number;
  /** B(p, j) at b + 4·(p·bks + j·bjs) */
  bks: number;
  bjs: number;
  /** C(i, j) at c + 4·(i·crs + j) */
  crs: number;
  lo: number;
  hi: number;
}

/**
 * One element-wise job c = A op B over float32 (op 0 add, 1 sub, 2 mul), either flat (cols 0:
 * `total` elements, each operand contiguous (cs 1) or one scalar (cs 0)) or by rows (`total`
 * rows of `cols`: A(r, j) = a[r·ars + j·acs], B likewise; a bias is brs 0, bcs 1).
 */
export interface ElementwiseJob {
  op: 0 | 1 | 2;
  acs: 0 | 1;
  bcs: 0 | 1;
  a: number;
  b: number;
  c: number;
  total: number;
  cols: number;
  ars: number;
  brs: number;
}

type EwFn = (op: number, acs: number, bcs: number, a: number, b: number, c: number, rows: number, cols: number, ars: number, brs: number) => void;

interface Kernels {
  gemm: GemmFn;
  ew: EwFn;
  im2col: (...args: number[]) => void;
}

type GemmFn = (a: number, b: number, c: number, bias: number, m: number, k: number, ars: number, aks: number, bks: number, bjs: number,
  crs: number, j0: number, j1: number, lo: number, hi: number, scr: number) => number;

interface WasmModuleLike {
  _malloc(n: number): number;
  _free(p: number): void;
  wasmMemory?: WebAssembly.Memory;
  asm?: {memory?: WebAssembly.Memory};
}

/** Least m·n·k for which a product is split among the threads (below it one thread is faster). */
export const GEMM_PARALLEL_MIN_WORK = 1 << 20;

// Control block: Int32 slots of a SharedArrayBuffer shared with the workers. A job is cut into
// units (strips of columns, or blocks of rows when C is narrow) that the threads claim one by one
// from NEXT, so a thread that starts late or runs slower simply takes fewer units.
// The three counters sit on their own 64-byte cache lines: idle workers poll SEQ while the
// threads at work update NEXT and DONE.
const SEQ = 0; // job counter; idle workers sleep until it changes
const STOP = 1; // 1: workers leave their loop
const FAILED = 2; // a worker's kernel threw
const KIND = 3; // 0: GEMM, 1: element-wise, 2: convolution
const UNITS = 4; // units in the current job
const NEXT = 48; // (job id << 12) | next unclaimed unit; unit UNIT_MASK: the job is being set up
const DONE = 64; // units finished in the current job
// GEMM job:         a b c bias m k ars aks bks bjs crs n scr scrStride - rowsPerUnit stripsPerUnit
// element-wise job: op acs bcs a b c total cols ars brs perUnit
// convolution job:  x filter out bias H W C KH KW SH SW DH DW PT PL OH OW Cout M rowsPerUnit scr scrStride blockOffset
const ARGS = 8;
const LO = 46; // float32 slots
const HI = 47;
const CTRL_SLOTS = 80;

/** A 2-D convolution (NHWC, filter [KH, KW, C, Cout]) as patches · filter; pointers in bytes. */
export interface ConvJob {
  x: number;
  filter: number;
  out: number;
  /** byte offset of Cout floats, or 0 */
  bias: number;
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
  oh: number;
  ow: number;
  cout: number;
  lo: number;
  hi: number;
}
const UNIT_MASK = 0xfff;
const MAX_UNITS = UNIT_MASK - 1;
const MAX_THREADS = 64;

/**
 * Rows [r0, r1) and columns [j0, j1) of unit u of a GEMM job, as the workers compute it (plain
 * JavaScript source, shared with {@link unitBlock}; a test checks the two agree).
 */
export const WORKER_UNIT_BLOCK = `function unitBlock(u, m, n, units, rowsPerUnit, stripsPerUnit) {
  if (rowsPerUnit > 0) { const r0 = rowsPerUnit * u; return [r0, Math.min(m, r0 + rowsPerUnit), 0, n]; }
  const j0 = 8 * stripsPerUnit * u;
  return [0, m, j0, u === units - 1 ? n : j0 + 8 * stripsPerUnit];
}`;

// The worker: instantiates the kernel on the shared memory, then waits for jobs (spinning for
// `spinMs` after each, then sleeping in Atomics.wait) and claims units until none are left. Plain
// JavaScript in a string so that it runs the same from source, from dist and from any bundle.
// `unit` is the same formula as `unitBlock` below.
const WORKER_SOURCE = `
'use strict';
${WORKER_UNIT_BLOCK}
function start(d, post) {
  const k = new WebAssembly.Instance(d.module, {env: {memory: d.memory}}).exports;
  const gemm = k.gemm;
  const ew = k.ew;
  const im2col = k.im2col;
  const I = new Int32Array(d.ctrl);
  const F = new Float32Array(d.ctrl);
  const t = d.index;
  const A = ${ARGS};
  let seen = Atomics.load(I, ${SEQ});
  post('ready');
  for (;;) {
    let s = Atomics.load(I, ${SEQ});
    if (s === seen) {
      const until = performance.now() + d.spinMs;
      while ((s = Atomics.load(I, ${SEQ})) === seen && performance.now() < until) {}
      while ((s = Atomics.load(I, ${SEQ})) === seen) Atomics.wait(I, ${SEQ}, seen);
    }
    seen = s;
    if (Atomics.load(I, ${STOP}) !== 0) break;
    for (;;) {
      const w = Atomics.load(I, ${NEXT});
      const u = w & ${UNIT_MASK};
      if (u === ${UNIT_MASK} || u >= I[${UNITS}]) break;
      if (Atomics.compareExchange(I, ${NEXT}, w, w + 1) !== w) continue;
      try {
        if (I[${KIND}] === 2) {
          const rpu = I[A + 19], r0 = u * rpu, r1 = Math.min(I[A + 18], r0 + rpu), K = I[A + 6] * I[A + 7] * I[A + 8], cout = I[A + 17];
          const base = I[A + 20] + t * I[A + 21], blk = base + I[A + 22];
          im2col(I[A], blk, r0, r1 - r0, I[A + 4], I[A + 5], I[A + 6], I[A + 7], I[A + 8], I[A + 9], I[A + 10], I[A + 11], I[A + 12], I[A + 13], I[A + 14], I[A + 15], I[A + 16]);
          gemm(blk, I[A + 1], I[A + 2] + 4 * r0 * cout, I[A + 3], r1 - r0, K, K, 1, cout, 1, cout, 0, cout, F[${LO}], F[${HI}], base);
        } else if (I[${KIND}] === 1) {
          const per = I[A + 10], cols = I[A + 7], s0 = u * per, s1 = Math.min(I[A + 6], s0 + per);
          if (cols === 0) ew(I[A], I[A + 1], I[A + 2], I[A + 3] + 4 * s0 * I[A + 1], I[A + 4] + 4 * s0 * I[A + 2], I[A + 5] + 4 * s0, 1, s1 - s0, 0, 0);
          else ew(I[A], I[A + 1], I[A + 2], I[A + 3] + 4 * s0 * I[A + 8], I[A + 4] + 4 * s0 * I[A + 9], I[A + 5] + 4 * s0 * cols, s1 - s0, cols, I[A + 8], I[A + 9]);
        } else {
        const [r0, r1, j0, j1] = unitBlock(u, I[A + 4], I[A + 11], I[${UNITS}], I[A + 15], I[A + 16]);
        const ars = I[A + 6], crs = I[A + 10];
        gemm(I[A] + 4 * r0 * ars, I[A + 1], I[A + 2] + 4 * r0 * crs, I[A + 3], r1 - r0, I[A + 5], ars, I[A + 7], I[A + 8], I[A + 9], crs,
          j0, j1, F[${LO}], F[${HI}], I[A + 12] + t * I[A + 13]);
        }
      } catch (e) {
        Atomics.store(I, ${FAILED}, 1);
      }
      Atomics.add(I, ${DONE}, 1);
      Atomics.notify(I, ${DONE});
    }
  }
}
if (typeof require === 'function' && require('worker_threads').parentPort) {
  const wt = require('worker_threads');
  start(wt.workerData, (m) => wt.parentPort.postMessage(m));
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;

/**
 * How long an idle worker spins before it sleeps (ms). A training step calls the GEMM every few
 * hundred microseconds; a sleeping worker takes tens of microseconds to wake (0 and 0.1 ms were
 * slower on the anchor MLP step, 1-50 ms within noise of each other).
 */
const WORKER_SPIN_MS = 2;

/** Bytes of patch rows each convolution unit builds (fits the per-core L2 with room to spare). */
const CONV_BLOCK_BYTES = 128 * 1024;

/** Least number of elements for which an element-wise op is split among the threads. */
export const ELEMENTWISE_PARALLEL_MIN_SIZE = 1 << 17;
const ELEMENTWISE_UNIT = 1 << 14;

/** About this many multiply-adds per unit: each claim costs a compare-exchange and a call. */
const UNIT_WORK = 1 << 16;

/**
 * How a job of C (m×n, inner size k) is cut for T threads: into about m·n·k / UNIT_WORK units
 * (at least 2 per thread, at most MAX_UNITS), each a run of strips of 8 columns (the last also
 * takes the n mod 8 leftover columns) when there are at least 2 strips per thread, else a block
 * of rows (a multiple of 4).
 */
export function planUnits(m: number, n: number, k: number, T: number): {units: number; rowsPerUnit: number; stripsPerUnit: number} {
  const want = Math.min(MAX_UNITS, Math.max(2 * T, Math.ceil((m * n * Math.max(k, 1)) / UNIT_WORK)));
  const strips = Math.floor(n / 8);
  if (strips >= 2 * T) {
    const stripsPerUnit = Math.ceil(strips / Math.min(strips, want));
    return {units: Math.ceil(strips / stripsPerUnit), rowsPerUnit: 0, stripsPerUnit};
  }
  const blocks = Math.ceil(m / 4);
  const rowsPerUnit = 4 * Math.ceil(blocks / Math.min(blocks, want));
  return {units: Math.ceil(m / rowsPerUnit), rowsPerUnit, stripsPerUnit: 0};
}

/** Rows [r0, r1) and columns [j0, j1) of unit u (the worker's `unit` computes the same). */
export function unitBlock(u: number, m: number, n: number, plan: {units: number; rowsPerUnit: number; stripsPerUnit: number}): [number, number, number, number] {
  if (plan.rowsPerUnit > 0) {
    const r0 = plan.rowsPerUnit * u;
    return [r0, Math.min(m, r0 + plan.rowsPerUnit), 0, n];
  }
  const j0 = 8 * plan.stripsPerUnit * u;
  return [0, m, j0, u === plan.units - 1 ? n : j0 + 8 * plan.stripsPerUnit];
}

interface WorkerLike {
  terminate(): unknown;
  unref?: () => void;
}

/** The kernel on one WASM heap, with its scratch buffers and (threads > 1) its workers. */
export class WasmGemm {
  readonly threads: number;
  private readonly k: Kernels;
  private scratch = 0;
  private scratchStride = 0;
  private readonly ctrl: Int32Array | null;
  private readonly ctrlF: Float32Array | null;
  private workers: WorkerLike[] = [];
  /** workers that have exited (after {@link stop}, or if one died) */
  exited = 0;
  /** convolutions run here (im2col + GEMM); false leaves them to XNNPACK (setupBackend threadPool 'xnnpack') */
  convolutions = true;
  private stopped = false;
  private job = 0;
  private onesPtr = 0;
  private onesLength = 0;

  private constructor(readonly memory: WebAssembly.Memory, private readonly module: WasmModuleLike, kernels: Kernels, threads: number, ctrl: SharedArrayBuffer | null) {
    this.k = kernels;
    this.threads = threads;
    this.ctrl = ctrl ? new Int32Array(ctrl) : null;
    this.ctrlF = ctrl ? new Float32Array(ctrl) : null;
  }

  /** The kernel compiled for a module's memory, or the reason it cannot be. */
  private static compile(mod: WasmModuleLike): {memory: WebAssembly.Memory; module: WebAssembly.Module; kernels: Kernels; shared: boolean} | string {
    const memory = mod.asm?.memory ?? mod.wasmMemory;
    if (typeof WebAssembly === 'undefined' || !(memory instanceof WebAssembly.Memory)) return 'no WebAssembly memory found';
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      const plain = base64Bytes(GEMM_WASM);
      const module = new WebAssembly.Module(shared ? withSharedMemoryImport(plain) : plain);
      const kernels = new WebAssembly.Instance(module, {env: {memory}}).exports as unknown as Kernels;
      return {memory, module, kernels, shared};
    } catch (e) {
      return `our SIMD kernel does not compile here: ${(e as Error).message.split('\n')[0]}`;
    }
  }

  /** The kernel on the calling thread only, or null when it cannot compile here. */
  static single(mod: WasmModuleLike): WasmGemm | null {
    const c = WasmGemm.compile(mod);
    return typeof c === 'string' ? null : new WasmGemm(c.memory, mod, c.kernels, 1, null);
  }

  /**
   * The kernel for a tfjs-backend-wasm module, on `threads` threads (1 unless its memory is
   * shared and workers can start), or null when this runtime cannot compile it (no SIMD).
   * @param mod the Emscripten module of the WASM backend (`backend.wasm`)
   * @param threads threads wanted (>= 1)
   * @param spinMs how long an idle worker spins before it sleeps
   */
  static async create(mod: WasmModuleLike, threads: number, spinMs = WORKER_SPIN_MS): Promise<{gemm: WasmGemm | null; note: string}> {
    const c = WasmGemm.compile(mod);
    if (typeof c === 'string') return {gemm: null, note: `GEMM: stock XNNPACK (${c})`};
    const want = Math.min(MAX_THREADS, Math.max(1, Math.floor(threads)));
    if (want === 1 || !c.shared) {
      const why = want > 1 ? ` (${want} wanted; the heap is not shared)` : '';
      return {gemm: new WasmGemm(c.memory, mod, c.kernels, 1, null), note: `GEMM: stable-train SIMD kernel, 1 thread${why}`};
    }
    const ctrl = new SharedArrayBuffer(4 * CTRL_SLOTS);
    const engine = new WasmGemm(c.memory, mod, c.kernels, want, ctrl);
    try {
      await engine.spawn(c.module, spinMs);
    } catch (e) {
      engine.stop();
      return {gemm: new WasmGemm(c.memory, mod, c.kernels, 1, null), note: `GEMM: stable-train SIMD kernel, 1 thread (workers did not start: ${(e as Error).message.split('\n')[0]})`};
    }
    engine.warmUp();
    return {gemm: engine, note: `GEMM: stable-train SIMD kernel on ${want} threads`};
  }

  private async spawn(module: WebAssembly.Module, spinMs: number): Promise<void> {
    const proc = (globalThis as unknown as {process?: {getBuiltinModule?: (id: string) => unknown}}).process;
    const nodeWorkers = typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule('worker_threads') as {Worker: new (src: string, o: object) => WorkerLike & {once(ev: string, f: (x: unknown) => void): void}}) : null;
    const ready: Promise<void>[] = [];
    for (let t = 1; t < this.threads; t++) {
      const data = {module, memory: this.memory, ctrl: this.ctrl!.buffer, index: t, spinMs};
      ready.push(new Promise<void>((resolve, reject) => {
        const fail = (e: unknown) => reject(e instanceof Error ? e : new Error(String(e)));
        if (nodeWorkers) {
          const w = new nodeWorkers.Worker(WORKER_SOURCE, {eval: true, workerData: data});
          this.workers.push(w);
          w.once('message', () => resolve());
          w.once('exit', () => this.exited++);
          w.once('error', fail);
          w.unref?.(); // idle workers must not keep the process alive
        } else {
          const W = (globalThis as unknown as {Worker?: new (url: string) => Worker}).Worker;
          if (W == null) throw new Error('no Worker in this runtime');
          const url = URL.createObjectURL(new Blob([WORKER_SOURCE], {type: 'text/javascript'}));
          const w = new W(url);
          URL.revokeObjectURL(url);
          this.workers.push(w);
          w.onmessage = () => resolve();
          w.onerror = (e) => fail(e.message);
          w.postMessage(data);
        }
      }));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('workers not ready after 20 s')), 20000);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs small products on every thread until about `ms` have passed. Engines such as V8 first
   * run WebAssembly from a baseline compiler and optimise a function once it has run enough in
   * that thread; without this, a worker's first few hundred products run 2-3× slower.
   */
  warmUp(ms = 40): void {
    const [m, n, k] = [67, 67, 128];
    const bytes = 4 * (m * k + k * n + m * n);
    const p = this.module._malloc(bytes) >>> 0;
    if (p === 0) return;
    try {
      new Float32Array(this.memory.buffer, p, bytes / 4).fill(0.5);
      const until = performance.now() + ms;
      for (let i = 0; performance.now() < until; i++) {
        const rows = m - (i % 4); // 67, 66, 65, 64: every row kernel
        this.run({a: p, b: p + 4 * m * k, c: p + 4 * (m * k + k * n), bias: 0, m: rows, n, k, ars: k, aks: 1, bks: n, bjs: 1, crs: n, lo: -Infinity, hi: Infinity}, true);
      }
    } finally {
      this.module._free(p);
    }
  }

  /** Worker threads started (threads - 1 when the pool runs). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Stops the workers (idempotent); the kernel keeps working on the calling thread. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ctrl) {
      Atomics.store(this.ctrl, STOP, 1);
      Atomics.add(this.ctrl, SEQ, 1);
      Atomics.notify(this.ctrl, SEQ);
    }
    for (const w of this.workers) w.terminate();
    if (this.scratch) this.module._free(this.scratch);
    if (this.onesPtr) this.module._free(this.onesPtr);
    this.scratch = 0;
    this.onesPtr = 0;
    this.onesLength = 0;
  }

  /** Byte offset of at least n float32 ones (kept, grown on demand): the left operand of a column sum. */
  ones(n: number): number {
    if (n > this.onesLength) {
      if (this.onesPtr) this.module._free(this.onesPtr);
      this.onesLength = Math.max(n, 2 * this.onesLength);
      this.onesPtr = this.module._malloc(4 * this.onesLength) >>> 0;
      if (this.onesPtr === 0) throw new Error(`wasm GEMM: could not allocate ${4 * this.onesLength} bytes`);
      new Float32Array(this.memory.buffer, this.onesPtr, this.onesLength).fill(1);
    }
    return this.onesPtr;
  }

  /**
   * Scratch of at least `extra` bytes more than a strip of k×8 floats per thread, grown on demand.
   * Per thread: the packed strip, the leftover-columns buffer (4 rows × 8), then `extra`.
   */
  private ensureScratch(k: number, threads: number, extra = 0): number {
    const stride = 32 * k + 128 + extra;
    if (this.scratch === 0 || stride > this.scratchStride) {
      if (this.scratch) this.module._free(this.scratch);
      this.scratchStride = stride;
      this.scratch = this.module._malloc(stride * this.threads) >>> 0;
      if (this.scratch === 0) throw new Error(`wasm GEMM: could not allocate ${stride * threads} bytes of scratch`);
    }
    return this.scratch;
  }

  /** Computes one product (blocking until every thread is done). */
  run(j: GemmJob, forceParallel = false): void {
    if (j.m === 0 || j.n === 0) return;
    const parallel = this.threads > 1 && !this.stopped && (forceParallel || j.m * j.n * j.k >= GEMM_PARALLEL_MIN_WORK);
    const T = parallel ? this.threads : 1;
    const scr = this.ensureScratch(j.k, T);
    if (T === 1) {
      this.k.gemm(j.a, j.b, j.c, j.bias, j.m, j.k, j.ars, j.aks, j.bks, j.bjs, j.crs, 0, j.n, j.lo, j.hi, scr);
      return;
    }
    const plan = planUnits(j.m, j.n, j.k, T);
    this.ctrlF![LO] = j.lo;
    this.ctrlF![HI] = j.hi;
    const args = [j.a, j.b, j.c, j.bias, j.m, j.k, j.ars, j.aks, j.bks, j.bjs, j.crs, j.n, scr, this.scratchStride, 0, plan.rowsPerUnit, plan.stripsPerUnit];
    this.dispatch(0, args, plan.units, (u) => {
      const [r0, r1, j0, j1] = unitBlock(u, j.m, j.n, plan);
      this.k.gemm(j.a + 4 * r0 * j.ars, j.b, j.c + 4 * r0 * j.crs, j.bias, r1 - r0, j.k, j.ars, j.aks, j.bks, j.bjs, j.crs, j0, j1, j.lo, j.hi, scr);
    });
  }

  /**
   * A 2-D convolution as im2col + GEMM: each unit (a block of output pixels) writes its patch
   * rows into the thread's scratch and multiplies them by the filter with the GEMM kernel, so
   * every output is one float32 sum over (kh, kw, c) in that order, whichever thread computes it.
   */
  runConv(j: ConvJob): void {
    const M = j.n * j.oh * j.ow;
    const K = j.kh * j.kw * j.c;
    if (M === 0 || j.cout === 0) return;
    const T = this.threads > 1 && !this.stopped && M * K * j.cout >= GEMM_PARALLEL_MIN_WORK ? this.threads : 1;
    // rows per unit: a patch block of about CONV_BLOCK_BYTES, a multiple of 4, at least 2 units per thread
    const byBytes = Math.max(4, 4 * Math.floor(CONV_BLOCK_BYTES / (16 * Math.max(K, 1))));
    const rpu = Math.min(byBytes, Math.max(4, 4 * Math.ceil(M / (2 * T) / 4)), 4 * Math.ceil(M / 4));
    const units = Math.ceil(M / rpu);
    const blockOffset = 32 * K + 128;
    const scr = this.ensureScratch(K, T, 4 * rpu * K);
    const unit = (u: number, base: number) => {
      const r0 = u * rpu;
      const r1 = Math.min(M, r0 + rpu);
      const blk = base + blockOffset;
      this.k.im2col(j.x, blk, r0, r1 - r0, j.h, j.w, j.c, j.kh, j.kw, j.sh, j.sw, j.dh, j.dw, j.padTop, j.padLeft, j.oh, j.ow);
      this.k.gemm(blk, j.filter, j.out + 4 * r0 * j.cout, j.bias, r1 - r0, K, K, 1, j.cout, 1, j.cout, 0, j.cout, j.lo, j.hi, base);
    };
    if (T === 1) {
      for (let u = 0; u < units; u++) unit(u, scr);
      return;
    }
    this.ctrlF![LO] = j.lo;
    this.ctrlF![HI] = j.hi;
    const args = [j.x, j.filter, j.out, j.bias, j.h, j.w, j.c, j.kh, j.kw, j.sh, j.sw, j.dh, j.dw, j.padTop, j.padLeft, j.oh, j.ow, j.cout, M, rpu, scr, this.scratchStride, blockOffset];
    this.dispatch(2, args, units, (u) => unit(u, scr));
  }

  /**
   * c = A op B (float32, IEEE: the same bits as XNNPACK's element-wise kernels), split among the
   * threads by blocks of elements (flat) or rows, when there are enough.
   */
  runElementwise(e: ElementwiseJob): void {
    const flat = e.cols === 0;
    const elements = flat ? e.total : e.total * e.cols;
    if (elements === 0) return;
    const T = this.threads > 1 && !this.stopped && elements >= ELEMENTWISE_PARALLEL_MIN_SIZE ? this.threads : 1;
    if (T === 1) {
      this.k.ew(e.op, e.acs, e.bcs, e.a, e.b, e.c, flat ? 1 : e.total, flat ? e.total : e.cols, e.ars, e.brs);
      return;
    }
    // about ELEMENTWISE_UNIT elements per unit, at least 2 units per thread
    const units0 = Math.min(MAX_UNITS, Math.max(2 * T, Math.ceil(elements / ELEMENTWISE_UNIT)));
    const per = Math.max(1, Math.ceil(e.total / units0));
    const units = Math.ceil(e.total / per);
    const args = [e.op, e.acs, e.bcs, e.a, e.b, e.c, e.total, e.cols, e.ars, e.brs, per, 0, 0, 0, units];
    this.dispatch(1, args, units, (u) => {
      const s0 = u * per;
      const s1 = Math.min(e.total, s0 + per);
      if (flat) this.k.ew(e.op, e.acs, e.bcs, e.a + 4 * s0 * e.acs, e.b + 4 * s0 * e.bcs, e.c + 4 * s0, 1, s1 - s0, 0, 0);
      else this.k.ew(e.op, e.acs, e.bcs, e.a + 4 * s0 * e.ars, e.b + 4 * s0 * e.brs, e.c + 4 * s0 * e.cols, s1 - s0, e.cols, e.ars, e.brs);
    });
  }

  /**
   * Publishes a job of `units` units to the workers, claims units on this thread too, and
   * returns once every claimed unit is done (throwing if any failed).
   */
  private dispatch(kind: number, args: number[], units: number, doUnit: (u: number) => void): void {
    const I = this.ctrl!;
    this.job = (this.job + 1) & 0xfffff;
    const base = this.job << 12;
    Atomics.store(I, NEXT, base | UNIT_MASK); // closed while the arguments change
    I.set(args, ARGS);
    I[KIND] = kind;
    I[UNITS] = units;
    Atomics.store(I, FAILED, 0);
    Atomics.store(I, DONE, 0);
    Atomics.store(I, NEXT, base);
    Atomics.add(I, SEQ, 1);
    Atomics.notify(I, SEQ);
    let error: unknown = null;
    try {
      for (;;) {
        const w = Atomics.load(I, NEXT);
        const u = w & UNIT_MASK;
        if (u >= units) break;
        if (Atomics.compareExchange(I, NEXT, w, w + 1) !== w) continue;
        try {
          doUnit(u);
        } finally {
          Atomics.add(I, DONE, 1);
        }
      }
    } catch (e) {
      error = e;
    }
    // close the job, then wait for the units the workers claimed
    const claimed = Math.min(Atomics.exchange(I, NEXT, base | UNIT_MASK) & UNIT_MASK, units);
    waitAtLeast(I, DONE, claimed);
    if (error != null) throw error;
    if (Atomics.load(I, FAILED) !== 0) throw new Error('wasm GEMM: a worker thread failed');
  }
}

/** Waits until I[at] >= target: spins (a worker's last unit takes about as long as ours), then sleeps where the runtime allows it. */
function waitAtLeast(I: Int32Array, at: number, target: number): void {
  const until = performance.now() + 2;
  let v: number;
  while ((v = Atomics.load(I, at)) < target && performance.now() < until) {
    /* spin */
  }
  while ((v = Atomics.load(I, at)) < target) {
    try {
      Atomics.wait(I, at, v, 100); // Node and workers; a browser's main thread throws: keep spinning
    } catch {
      /* spin */
    }
  }
}

/**
 * The same module importing `(memory 0 65536 shared)` instead of `(memory 0)`: the import
 * section (id 2) of the generated module holds only env.memory, whose limits end the section
 * (flags 0x00, min 0); this rewrites them to flags 0x03 (shared, has max), min 0, max 65536 and
 * the section's size. A test checks the result against wabt's compile of the shared WAT.
 */
export function withSharedMemoryImport(plain: Uint8Array): Uint8Array<ArrayBuffer> {
  let at = 8; // magic, version
  const leb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = plain[at++];
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  };
  while (at < plain.length) {
    const id = plain[at++];
    const sizeAt = at;
    const size = leb();
    const body = at;
    if (id === 2) {
      const end = body + size;
      if (size > 120 || plain[end - 2] !== 0x00 || plain[end - 1] !== 0x00 || plain[end - 3] !== 0x02) throw new Error('wasm GEMM: unexpected import section');
      const section = [...plain.subarray(body, end - 2), 0x03, 0x00, 0x80, 0x80, 0x04];
      const out = new Uint8Array(plain.length + 3);
      out.set(plain.subarray(0, sizeAt));
      out.set([section.length, ...section], sizeAt);
      out.set(plain.subarray(end), sizeAt + 1 + section.length);
      return out;
    }
    at = body + size;
  }
  throw new Error('wasm GEMM: no import section');
}

function base64Bytes(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const engines = new WeakMap<object, WasmGemm | null>();

/**
 * Starts (or restarts with another thread count) the GEMM of the active WASM backend. Called by
 * `setupBackend`; a backend that never went through it gets a 1-thread kernel on first use.
 * @param threads threads wanted
 * @returns the threads in use and a note for the report
 */
export async function startWasmGemm(threads: number, opts: {convolutions?: boolean} = {}): Promise<{threads: number; note: string}> {
  const backend = tf.findBackend('wasm') as unknown as {wasm?: WasmModuleLike; dispose?: () => void} | null;
  if (backend?.wasm == null) return {threads: 1, note: 'GEMM: no WASM backend'};
  const old = engines.get(backend);
  if (old && old.threads === threads) {
    old.convolutions = opts.convolutions ?? true;
    return {threads, note: `GEMM: stable-train SIMD kernel on ${threads} thread${threads > 1 ? 's' : ''}`};
  }
  old?.stop();
  const {gemm, note} = await WasmGemm.create(backend.wasm, threads);
  if (gemm) gemm.convolutions = opts.convolutions ?? true;
  engines.set(backend, gemm);
  stopOnDispose(backend);
  return {threads: gemm?.threads ?? 1, note};
}

/** Wraps the backend's dispose (tf.removeBackend) so that it also stops the GEMM workers. */
function stopOnDispose(backend: {dispose?: () => void}): void {
  const MARK = Symbol.for('stable-train.wasm-gemm-dispose');
  const b = backend as {dispose?: () => void} & Record<symbol, unknown>;
  if (b[MARK] || typeof b.dispose !== 'function') return;
  const dispose = b.dispose;
  b.dispose = function (this: unknown) {
    engines.get(backend)?.stop();
    engines.delete(backend);
    return dispose.call(this);
  };
  b[MARK] = true;
}

/** The GEMM of a WASM backend instance (a 1-thread kernel on first use when `setupBackend` did not start one), or null when unavailable. */
export function wasmGemmFor(backend: object): WasmGemm | null {
  if (engines.has(backend)) return engines.get(backend)!;
  const mod = (backend as {wasm?: WasmModuleLike}).wasm;
  const engine = mod == null ? null : WasmGemm.single(mod);
  engines.set(backend, engine);
  if (engine) stopOnDispose(backend as {dispose?: () => void});
  return engine;
}
