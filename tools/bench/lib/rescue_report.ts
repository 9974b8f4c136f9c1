// Rescue benchmark: the PyTorch bridge (runs tools/bench/rescue_torch.py if torch is there) and
// the report (docs/results/rescue.{json,md}, one SVG per scenario, summary table).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {spawnSync} from 'node:child_process';
import {fmt, fmtSummary, median, REPO, summarize, table, writeResults} from './common';
import {lineCharts, type Series} from './svg';
import {CRITERIA, type Scenario} from './rescue_scenarios';

/** One training run (ours or PyTorch's). */
export interface RunRecord {
  framework: 'stable-train' | 'pytorch';
  scenario: string;
  variant: string;
  role: 'naive' | 'rescued';
  seed: number;
  steps: number;
  metric: number;
  metricName: string;
  baseline?: number;
  /** -1 when every loss was finite */
  firstNonfiniteStep: number;
  verdict: 'fail' | 'ok' | 'neither';
  stepsPerSecond: number;
  wallSeconds: number;
  /** training loss per step */
  loss: number[];
}

export interface TorchResult {
  status: string;
  runs: RunRecord[];
  version?: string;
}

const PY = '/usr/bin/python3';

/**
 * Runs the PyTorch reference on the data, batch orders and initial kernels written to `dir`.
 * One thread; Debian's serial OpenBLAS from tools/bench/tmp/openblas when unpacked there
 * (README: `apt-get download libopenblas0-serial && dpkg -x ...`). Installs nothing.
 */
export function runTorch(dir: string, scenarios: Scenario[], seeds: number[], quick: boolean): TorchResult {
  const probe = spawnSync(PY, ['-c', 'import torch; print(torch.__version__)'], {encoding: 'utf8'});
  if (probe.status !== 0) return {status: `not run (${PY} cannot import torch)`, runs: []};
  const version = probe.stdout.trim();
  const manifest = {seeds, scenarios: scenarios.map((s) => ({name: s.name, task: s.task, batch: s.batch, steps: quick ? s.quickSteps : s.steps,
    variants: s.variants.map((v) => ({name: v.name, role: v.role, spec: v.spec}))}))};
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const blas = path.join(REPO, 'tools/bench/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-serial');
  const env = {...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...(fs.existsSync(blas) ? {LD_LIBRARY_PATH: blas} : {})};
  const r = spawnSync(PY, [path.join(REPO, 'tools/bench/rescue_torch.py'), dir], {env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 30 * 60_000});
  if (r.status !== 0) return {status: `failed (exit ${r.status})`, runs: [], version};
  const runs = JSON.parse(fs.readFileSync(path.join(dir, 'torch-results.json'), 'utf8')) as RunRecord[];
  return {status: `torch ${version}, 1 thread, ${fs.existsSync(blas) ? 'Debian serial OpenBLAS' : 'default BLAS (OpenBLAS not unpacked: slower)'}`, runs, version};
}

const count = (rs: RunRecord[], v: RunRecord['verdict']) => rs.filter((r) => r.verdict === v).length;

/** k/n naive failed and k/n rescued ok, for one framework and scenario. */
function tally(runs: RunRecord[], sc: string) {
  const of = (role: string) => runs.filter((r) => r.scenario === sc && r.role === role);
  const naive = of('naive');
  const rescued = of('rescued');
  return {naive, rescued, naiveFailed: count(naive, 'fail'), rescuedOk: count(rescued, 'ok'), shown: naive.length > 0 && count(naive, 'fail') >= 0.8 * naive.length && count(rescued, 'ok') >= 0.8 * rescued.length};
}

/** Median training-loss curve of runs (NaN where any run had stopped: non-finite). */
function medianCurve(rs: RunRecord[], steps: number): number[] {
  return Array.from({length: steps}, (_, k) => {
    const v = rs.map((r) => (k < r.loss.length ? r.loss[k] : NaN));
    return v.some((x) => !Number.isFinite(x)) ? NaN : median(v);
  });
}

export function writeRescueReport(o: {name: string; quick: boolean; scenarios: Scenario[]; seeds: number[]; runs: RunRecord[]; torch: TorchResult; backend: string; oursSeconds: number; totalSeconds: number; note?: string; extra?: Record<string, unknown>}): string[] {
  const L: string[] = [];
  const haveTorch = o.torch.runs.length > 0;
  L.push(`# Rescue benchmark: each technique turns a failing run into a working one${o.quick ? ' (--quick)' : ''}`, '');
  L.push(`Seeds ${o.seeds.join(', ')}; per seed every variant (and PyTorch) gets the same data split, batch order and initial kernels. ` +
    `Trained with stable-train's \`Trainer\` (guard only reads the loss; a run stops at its first non-finite loss or gradient, no update is skipped) on the ${o.backend} backend; PyTorch: ${o.torch.status}.`, '');
  L.push(`Criteria, fixed in \`tools/bench/lib/rescue_scenarios.ts\` before the runs: classification — ${CRITERIA.classification.text}; regression — ${CRITERIA.regression.text}. ` +
    'A technique is shown when the naive variant fails in ≥ 80 % of seeds and the rescued one is ok in ≥ 80 %.', '');
  const rows = o.scenarios.map((sc) => {
    const a = tally(o.runs, sc.name);
    const b = tally(o.torch.runs, sc.name);
    // full-length runs only (a run that stops at step 2 measures start-up, not training)
    const sp = (rs: RunRecord[]) => median(rs.filter((r) => r.scenario === sc.name && r.firstNonfiniteStep < 0).map((r) => r.stepsPerSecond));
    const agree = !haveTorch ? 'not run' : a.shown === b.shown && a.naiveFailed === b.naiveFailed && a.rescuedOk === b.rescuedOk ? 'yes' : a.shown === b.shown ? 'yes (counts differ)' : 'no';
    return [sc.technique, `${a.naiveFailed}/${a.naive.length}`, `${a.rescuedOk}/${a.rescued.length}`, a.shown ? 'yes' : 'no',
      haveTorch ? `${b.naiveFailed}/${b.naive.length} · ${b.rescuedOk}/${b.rescued.length}` : 'not run', agree,
      fmt(sp(o.runs)), haveTorch ? fmt(sp(o.torch.runs)) : '-', haveTorch ? `${fmt(sp(o.torch.runs) / sp(o.runs))}×` : '-'];
  });
  L.push('## Summary', '');
  L.push(table(['technique', 'naive failed', 'rescued ok', 'shown', 'PyTorch naive failed · rescued ok', 'PyTorch agrees', 'ours steps/s', 'PyTorch steps/s', 'PyTorch / ours'], rows), '');
  L.push('steps/s: medians over the scenario\'s runs that stayed finite; both single-threaded on the same shared machine (nice 19, other jobs running), ours first, then PyTorch.', '');
  if (haveTorch) {
    L.push('Same start, same batches: how long do the two frameworks follow the same trajectory? First step where the training losses differ by more than 1 % ' +
      '(median over seeds; "-" = never within the run):', '');
    const trows = o.scenarios.flatMap((sc) => sc.variants.map((v) => {
      const firsts = o.seeds.map((seed) => {
        const a = o.runs.find((r) => r.scenario === sc.name && r.variant === v.name && r.seed === seed);
        const b = o.torch.runs.find((r) => r.scenario === sc.name && r.variant === v.name && r.seed === seed);
        if (!a || !b) return NaN;
        const n = Math.min(a.loss.length, b.loss.length);
        for (let k = 0; k < n; k++) {
          const x = a.loss[k] ?? NaN;
          const y = b.loss[k] ?? NaN;
          if (!Number.isFinite(x) && !Number.isFinite(y)) return Infinity; // both went non-finite at the same step
          if (!(Math.abs(x - y) <= 0.01 * Math.abs(y))) return k;
        }
        return Infinity;
      });
      const fin = firsts.filter((f) => Number.isFinite(f));
      return [sc.name, v.name, fin.length ? fmt(median(fin)) : '-', `${firsts.filter((f) => f === Infinity).length}/${firsts.length}`];
    }));
    L.push(table(['scenario', 'variant', 'first step > 1 % apart (median)', 'seeds within 1 % to the end (or non-finite at the same step)'], trows), '');
  }
  const svgs: {[k: string]: string} = {};
  for (const sc of o.scenarios) {
    L.push(`## ${sc.technique} (\`--scenario ${sc.name}\`)`, '');
    L.push(`${sc.setup}; ${sc.steps} steps${o.quick ? ` (--quick: ${sc.quickSteps})` : ''}. After ${sc.reference}. What it rescues: ${sc.rescues}.`, '');
    if (sc.tried) L.push(sc.tried, '');
    const vrows: string[][] = [];
    const panels = [] as {title: string; series: Series[]; logY?: boolean; xTitle: string; yTitle: string}[];
    for (const [fw, runs] of [['stable-train', o.runs], ['pytorch', o.torch.runs]] as const) {
      const series: Series[] = [];
      sc.variants.forEach((v, vi) => {
        const rs = runs.filter((r) => r.scenario === sc.name && r.variant === v.name);
        if (!rs.length) return;
        const nf = rs.filter((r) => r.firstNonfiniteStep >= 0).map((r) => r.firstNonfiniteStep);
        vrows.push([fw, v.name, v.role, v.what, fmtSummary(summarize(rs.map((r) => r.metric))), nf.length ? `${nf.length}/${rs.length} (median step ${fmt(median(nf))})` : `0/${rs.length}`,
          `fail ${count(rs, 'fail')} · ok ${count(rs, 'ok')} · neither ${count(rs, 'neither')}`, fmt(median(rs.map((r) => r.stepsPerSecond)))]);
        const steps = Math.max(...rs.map((r) => r.loss.length));
        const x = Array.from({length: steps}, (_, k) => k);
        for (const r of rs) series.push({name: `${v.name} seed ${r.seed}`, x, y: x.map((k) => r.loss[k] ?? NaN), color: PAL[vi], faint: true});
        series.push({name: `${v.name} (median)`, x, y: medianCurve(rs, steps), color: PAL[vi]});
      });
      if (series.length) panels.push({title: `${fw}: training loss`, series, logY: sc.task === 'regression', xTitle: 'step', yTitle: sc.task === 'regression' ? 'MSE' : 'cross-entropy'});
    }
    const metric = sc.task === 'regression' ? 'test MSE' : 'test accuracy';
    L.push(table(['framework', 'variant', 'role', 'differs by', `${metric} median [min–max]`, 'runs non-finite', 'verdicts', 'steps/s'], vrows), '');
    if (sc.task === 'regression') {
      const base = o.runs.filter((r) => r.scenario === sc.name).map((r) => r.baseline!);
      L.push(`Test MSE of predicting 0 (the fail line), per seed: ${[...new Set(base)].map((b) => fmt(b)).join(', ')}.`, '');
    }
    svgs[sc.name] = lineCharts({title: `${sc.technique}: naive vs rescued (faint: seeds; gaps/ends: non-finite)`, panels});
    L.push(`![${sc.name}](${o.name}${o.quick ? '-quick' : ''}-${sc.name}.svg)`, '');
  }
  L.push(`Total ${o.totalSeconds.toFixed(0)} s (ours ${o.oursSeconds.toFixed(0)} s).${o.note ? ` ${o.note}` : ''}`, '');
  const text = L.join('\n');
  console.log(text);
  return writeResults(o.name, o.quick, {seeds: o.seeds, criteria: CRITERIA, torch: {status: o.torch.status, version: o.torch.version},
    scenarios: o.scenarios.map((s) => ({name: s.name, technique: s.technique, task: s.task, steps: o.quick ? s.quickSteps : s.steps, batch: s.batch, setup: s.setup, variants: s.variants})),
    runs: [...o.runs, ...o.torch.runs], summary: rows, ...o.extra}, svgs, text);
}

const PAL = ['#d62728', '#ff7f0e', '#2ca02c', '#1f77b4'];
