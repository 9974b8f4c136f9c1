// The threads axis shared by `bench:perf`, `bench:backends` and `bench:wasm-threads`: the anchor MLP
// step (784-512-512-10, batch 128, SGD) and the backends convnet, trained by stable-train's WASM
// backend with 1, 2 and all threads, and by PyTorch with the same thread counts when /usr/bin/python3
// has torch. The WASM thread count is fixed per process, so every (framework, threads) cell runs in
// its own child process; the cells run in turn, repeat by repeat, in alternating order, so machine
// drift and other jobs hit every cell alike. Speed-ups are medians of per-repeat ratios (paired
// runs), ms/step medians of the per-repeat medians.
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {fmt, median, REPO, table} from './common';

export type ThreadsNet = 'mlp' | 'convnet';

/** One cell of the sweep: a net, a framework and a thread count. */
export interface ThreadsCell {
  net: ThreadsNet;
  framework: 'stable-train wasm' | 'pytorch';
  /** threads asked for */
  threads: number;
  /** threads the child reported in use (WASM: XNNPACK's pool; PyTorch: torch.get_num_threads()) */
  inUse: number[];
  /** each repeat's median ms/step */
  ms: number[];
}

/** What `threadsSweep` measured, with a ready-made markdown table. */
export interface ThreadsSweep {
  cells: ThreadsCell[];
  torch: string;
  table: string;
  /** per net: median over repeats of (1-thread ms / N-thread ms), ours, keyed by thread count */
  speedup: Record<string, Record<number, number>>;
}


/** The default counts: 1, 2 and every core (deduplicated, ascending). */
export function defaultThreadCounts(): number[] {
  return [...new Set([1, 2, os.availableParallelism()])].sort((a, b) => a - b);
}

const PY = '/usr/bin/python3';
const OPENBLAS = path.join(REPO, 'tools/bench/tmp/openblas-openmp/usr/lib/x86_64-linux-gnu/openblas-openmp');

/** Whether PyTorch can run, and with which BLAS (`tools/bench/README.md` says how to unpack OpenBLAS). */
export function torchStatus(): {ok: boolean; env: NodeJS.ProcessEnv; note: string} {
  if (!fs.existsSync(PY) || spawnSync(PY, ['-c', 'import torch'], {stdio: 'ignore'}).status !== 0) {
    return {ok: false, env: process.env, note: 'PyTorch not run: /usr/bin/python3 has no torch (apt-get install -y python3-torch)'};
  }
  const env: NodeJS.ProcessEnv = {...process.env};
  for (const k of ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS']) delete env[k];
  if (fs.existsSync(OPENBLAS)) {
    env.LD_LIBRARY_PATH = OPENBLAS + (env.LD_LIBRARY_PATH ? ':' + env.LD_LIBRARY_PATH : '');
    return {ok: true, env, note: 'PyTorch with Debian OpenBLAS (OpenMP build, threads follow torch.set_num_threads)'};
  }
  return {ok: true, env, note: 'PyTorch with the default BLAS (OpenBLAS not unpacked in tools/bench/tmp: much slower, see tools/bench/README.md)'};
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): {threads: number; ms: number} {
  const p = spawnSync(cmd, args, {encoding: 'utf8', env, timeout: 600_000});
  if (p.status !== 0) throw new Error(`${path.basename(args[args.length - 1] ?? cmd)} child failed (status ${p.status}, signal ${p.signal}): ${(p.stderr ?? '').slice(-800)}`);
  return JSON.parse(p.stdout.trim().split('\n').pop()!) as {threads: number; ms: number};
}

/**
 * Runs the sweep and returns its cells and a table: per net and thread count, ours and PyTorch's
 * ms/step, our speed-up over 1 thread and PyTorch's, and PyTorch / ours (how far behind we are).
 */
export function threadsSweep(o: {nets?: ThreadsNet[]; counts?: number[]; repeats?: number; steps?: number; warmup?: number; torch?: boolean} = {}): ThreadsSweep {
  const nets = o.nets ?? ['mlp'];
  const counts = o.counts ?? defaultThreadCounts();
  const repeats = o.repeats ?? 5;
  const steps = o.steps ?? 20;
  const warmup = o.warmup ?? 3;
  const ts = o.torch === false ? {ok: false, env: process.env, note: 'PyTorch not run (--no-torch)'} : torchStatus();
  const cells: ThreadsCell[] = [];
  for (const net of nets) {
    for (const threads of counts) {
      cells.push({net, framework: 'stable-train wasm', threads, inUse: [], ms: []});
      if (ts.ok) cells.push({net, framework: 'pytorch', threads, inUse: [], ms: []});
    }
  }
  const child = path.join(__dirname, 'threads_child.ts');
  const py = path.join(REPO, 'tools/bench/threads_torch.py');
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? cells : [...cells].reverse();
    for (const c of order) {
      const common = ['--threads', String(c.threads), '--net', c.net, '--steps', String(steps), '--warmup', String(warmup)];
      const out = c.framework === 'pytorch'
        ? runChild(PY, [py, ...common], ts.env)
        : runChild(process.execPath, ['--import', 'tsx', child, ...common], process.env);
      c.ms.push(out.ms);
      c.inUse.push(out.threads);
    }
  }
  const get = (net: ThreadsNet, fw: ThreadsCell['framework'], n: number) => cells.find((c) => c.net === net && c.framework === fw && c.threads === n);
  const paired = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]));
  const speedup: ThreadsSweep['speedup'] = {};
  const rows: (string | number)[][] = [];
  for (const net of nets) {
    speedup[net] = {};
    const one = get(net, 'stable-train wasm', counts[0])!;
    const tOne = get(net, 'pytorch', counts[0]);
    for (const n of counts) {
      const c = get(net, 'stable-train wasm', n)!;
      const t = get(net, 'pytorch', n);
      speedup[net][n] = paired(one.ms, c.ms);
      rows.push([
        net, n, [...new Set(c.inUse)].join('/'), fmt(median(c.ms)), fmt(speedup[net][n]),
        t ? fmt(median(t.ms)) : 'not run', t && tOne ? fmt(paired(tOne.ms, t.ms)) : '-', t ? fmt(paired(c.ms, t.ms)) + 'x' : '-',
      ]);
    }
  }
  const header = ['net', 'threads', 'in use', 'ours ms/step', `ours speed-up vs ${counts[0]}`, 'PyTorch ms/step', `PyTorch speed-up vs ${counts[0]}`, 'ours / PyTorch'];
  return {cells, torch: ts.note, speedup, table: table(header, rows)};
}

/** Prints a sweep with its context line. */
export function printThreadsSweep(s: ThreadsSweep, log: (line: string) => void = console.log): void {
  const n = s.cells[0]?.ms.length ?? 0;
  log(`threads: ${n} interleaved repeats per cell; cores: ${os.availableParallelism()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${s.torch}`);
  log(s.table);
}
