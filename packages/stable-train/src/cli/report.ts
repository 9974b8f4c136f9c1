import * as fs from 'node:fs';
import {createRequire} from 'node:module';
import * as path from 'node:path';
import type {RunSummary} from './run_training';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]!);

/** Reads uPlot's script and stylesheet so the report works offline (no CDN). */
function uplotAssets(): {js: string; css: string} {
  // createRequire in both builds: in the ESM build `require` is a bundler shim without .resolve.
  // Resolve from this file (CJS), else from the running script (the ESM bin), else the cwd.
  const from = typeof __filename === 'string' ? __filename : (process.argv[1] ?? path.join(process.cwd(), 'noop.js'));
  const req = createRequire(from);
  const dist = path.dirname(req.resolve('uplot'));
  return {
    js: fs.readFileSync(path.join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: fs.readFileSync(path.join(dist, 'uPlot.min.css'), 'utf8'),
  };
}

/** One metric of the report: x = steps shared by every run, one aligned y series per run. */
export interface ReportChart {
  title: string;
  /** Log-scale y axis. */
  log: boolean;
  /** `color`: the run's colour, dark for the first metric of a run, light for the second (after clip). */
  series: {label: string; run: number; dash?: boolean; color: string; values: (number | null)[]}[];
  /** Steps where a run's value was NaN/±Infinity (or too large for the axis): drawn as markers at the top. */
  nonFinite: {run: number; label: string; steps: number[]; values: string[]}[];
}

/** Per run: [dark, light] (Tableau 10 pairs); the light one draws the second metric of a run. */
const PALETTE: [string, string][] = [['#d62728', '#ff9896'], ['#1f77b4', '#9ecae1'], ['#2ca02c', '#98df8a'], ['#ff7f0e', '#ffbb78'], ['#9467bd', '#c5b0d5']];

/** A chart's finite values span more decades than this between the runs' peaks: add a zoomed chart. */
const ZOOM_RATIO = 1e3;

/**
 * When one run's values dwarf the others' (a diverging run at 1e24 next to a loss of 0.3), a copy
 * of the chart with only the series whose peak is within {@link ZOOM_RATIO} of the smallest peak,
 * so the finite runs are readable; undefined when every series fits on one axis.
 */
function zoomed(c: ReportChart): ReportChart | undefined {
  const peak = (v: (number | null)[]): number => Math.max(...v.filter((x): x is number => x !== null));
  const peaks = c.series.map((x) => peak(x.values)).filter((p) => Number.isFinite(p) && p > 0);
  if (peaks.length < 2) return undefined;
  const low = Math.min(...peaks);
  if (Math.max(...peaks) / low <= ZOOM_RATIO) return undefined;
  const series = c.series.filter((x) => peak(x.values) <= low * ZOOM_RATIO);
  const runs = new Set(series.map((x) => x.run));
  return {title: `${c.title}, zoomed to ${series.map((x) => x.label).join(', ')}`, log: c.log, series,
    nonFinite: c.nonFinite.filter((b) => runs.has(b.run) && series.some((x) => b.label.startsWith(x.label + ' ')))};
}

/** What the HTML report plots, aligned on one step axis. */
export interface ReportData {
  steps: number[];
  runs: string[];
  charts: ReportChart[];
}

/**
 * Aligns every run's metrics on one step axis for the report: the loss and gradient norm of
 * every step the guard judged (bad steps included) and of every logged step, the gradient norm
 * after clipping (logged steps; left out for a run whose clipping changed nothing) and the lr.
 * Non-finite values become gaps plus markers. A chart where one run's values dwarf the others'
 * by more than 1e3 is followed by a zoomed copy holding only the smaller runs.
 *
 * ```ts
 * const data = reportData(runs); // data.charts[0] is the loss, naive and stable on one chart
 * ```
 * @param runs the runs to chart
 */
export function reportData(runs: RunSummary[]): ReportData {
  type Pt = {loss?: number; gnorm?: number; gclip?: number; lr?: number};
  const perRun = runs.map((r) => {
    const m = new Map<number, Pt>();
    const at = (s: number): Pt => m.get(s) ?? (m.set(s, {}), m.get(s)!);
    for (const h of r.history) Object.assign(at(h.step), {loss: h.loss, gnorm: h.gradNorm, gclip: h.gradNormClipped, lr: h.lr});
    for (const g of r.guardLog ?? []) Object.assign(at(g.step), {loss: g.loss, gnorm: g.gradNorm, lr: g.lr});
    return m;
  });
  const steps = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const charts: ReportChart[] = [];
  const add = (title: string, log: boolean, parts: {key: keyof Pt; suffix: string; dash?: boolean; sameAs?: keyof Pt}[]): void => {
    const chart: ReportChart = {title, log, series: [], nonFinite: []};
    runs.forEach((r, i) => {
      for (const part of parts) {
        const label = r.name + part.suffix;
        const bad: {steps: number[]; values: string[]} = {steps: [], values: []};
        const values = steps.map((s) => {
          const v = perRun[i].get(s)?.[part.key];
          if (v === undefined) return null;
          // log axes cannot show <= 0; float32 overflow shows as Infinity
          if (!Number.isFinite(v) || v > 1e30) {
            bad.steps.push(s);
            bad.values.push(String(v));
            return null;
          }
          return log && v <= 0 ? null : v;
        });
        if (values.every((v) => v === null) && bad.steps.length === 0) continue;
        if (part.sameAs && steps.every((s) => {
          const p = perRun[i].get(s);
          const [a, b] = [p?.[part.key], p?.[part.sameAs!]];
          // equal up to float32 rounding (the two norms are computed separately on device)
          return a === undefined || a === b || (Number.isNaN(a) && Number.isNaN(b as number)) ||
            (b !== undefined && Number.isFinite(a) && Math.abs(a - b) <= 1e-5 * Math.max(Math.abs(a), Math.abs(b)));
        })) continue; // e.g. 'after clip' of a run that clips nothing: no series, no legend entry
        chart.series.push({label, run: i, dash: part.dash, color: PALETTE[i % PALETTE.length][parts.indexOf(part) > 0 ? 1 : 0], values});
        if (bad.steps.length) chart.nonFinite.push({run: i, label: `${label} = NaN/∞ (dot)`, ...bad});
      }
    });
    charts.push(chart);
    const z = zoomed(chart);
    if (z) charts.push(z);
  };
  add('loss (log scale)', true, [{key: 'loss', suffix: ''}]);
  add('gradient norm before (solid) / after (dashed) clipping, log scale', true,
    [{key: 'gnorm', suffix: ' before clip'}, {key: 'gclip', suffix: ' after clip', dash: true, sameAs: 'gnorm'}]);
  add('learning rate (log scale)', true, [{key: 'lr', suffix: ''}]);
  return {steps, runs: runs.map((r) => r.name), charts};
}

/**
 * Writes a self-contained HTML report: loss, gradient norm before/after clipping and lr per
 * step, every run on the same chart per metric (naive vs stabilised in the demo), with a plain
 * step x axis; the summary table and the guard events. Bad steps the guard rejected are
 * plotted too (non-finite values as markers above the curves). uPlot is inlined, so the
 * file opens offline.
 *
 * ```ts
 * const file = writeHtmlReport('/tmp/report.html', [naive, stable], 'naive vs stable');
 * ```
 * @param file where to write (folders are created)
 * @param runs the runs to chart
 * @param title page title
 * @returns the absolute path written
 */
export function writeHtmlReport(file: string, runs: RunSummary[], title = 'stable-train report'): string {
  const {js, css} = uplotAssets();
  const data = reportData(runs);
  const withAvg = runs.some((r) => r.averaged);
  const avgCells = (r: RunSummary): string => (!withAvg ? '' : r.averaged
    ? `<td>${fmtNum(r.averaged.loss)}</td><td>${fmtAcc(r.averaged.accuracy)}</td><td>${esc(r.averaged.averaging)}</td>` : '<td>-</td><td>-</td><td>-</td>');
  const rows = runs.map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(String(r.status))}</td><td>${r.steps}</td><td>${r.seconds.toFixed(1)}</td>` +
    `<td>${fmtNum(r.test.loss)}</td><td>${fmtAcc(r.test.accuracy)}</td>${avgCells(r)}<td>${r.skipped}</td></tr>`).join('');
  const avgHead = withAvg ? '<th>test loss, averaged weights</th><th>test accuracy, averaged weights</th><th>averaging</th>' : '';
  const MAX_EVENTS = 500;
  const all = runs.flatMap((r) => r.events.map((e) => ({run: r.name, e})));
  const events = all.slice(0, MAX_EVENTS).map(({run, e}) =>
    `<tr><td>${esc(run)}</td><td>${e.step}</td><td>${esc(String(e.cause))}</td><td>${esc(String(e.action))}</td><td>${esc(e.message)}</td></tr>`).join('');
  const more = all.length > MAX_EVENTS ? `<p>… and ${all.length - MAX_EVENTS} more events.</p>` : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${css}
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.chart{margin:1.2em 0}.note{color:#555;font-size:90%}</style></head>
<body><h1>${esc(title)}</h1><table><tr><th>run</th><th>status</th><th>steps</th><th>seconds</th><th>test loss</th><th>test accuracy</th>${avgHead}<th>bad steps</th></tr>${rows}</table>
<p class="note">Every step the explosion guard judged is plotted, the rejected ones included; a large filled dot above the curves marks a NaN or Infinity value (hover to see it in the legend); its height means nothing.</p>
<div id="charts"></div><h2>Guard events</h2>${events ? `<table><tr><th>run</th><th>step</th><th>cause</th><th>action</th><th>message</th></tr>${events}</table>${more}` : '<p>none</p>'}
<script>${js}</script><script>
const D = ${scriptJson(data)};
const colors = ${JSON.stringify(PALETTE.map((p) => p[0]))};
for (const c of D.charts) {
  const el = document.createElement('div'); el.className = 'chart'; document.getElementById('charts').appendChild(el);
  const finite = c.series.flatMap((s) => s.values).filter((v) => v !== null);
  // markers for NaN/Infinity sit above every finite value (a decade higher on log axes)
  const top = (finite.length ? Math.max(...finite) : 1) * (c.log ? 10 : 1.2);
  const series = [{label: 'step'}];
  const data = [D.steps];
  for (const s of c.series) {
    series.push({label: s.label, stroke: s.color, width: s.dash ? 2.5 : 2, dash: s.dash ? [10, 5] : undefined, spanGaps: true,
      points: {show: s.dash || s.values.filter((v) => v !== null).length < 60, size: s.dash ? 5 : 7, fill: s.color}});
    data.push(s.values);
  }
  for (const b of c.nonFinite) {
    const at = new Set(b.steps);
    series.push({label: b.label, stroke: colors[b.run % colors.length], fill: colors[b.run % colors.length], width: 0, paths: () => null,
      points: {show: true, size: 12, width: 2, fill: colors[b.run % colors.length]}, value: (u, v, si, i) => i == null ? '' : (at.has(D.steps[i]) ? b.values[b.steps.indexOf(D.steps[i])] : '')});
    data.push(D.steps.map((s) => (at.has(s) ? top : null)));
  }
  try {
    new uPlot({
    title: c.title, width: 1000, height: 260, series,
    scales: {x: {time: false}, y: {distr: c.log ? 3 : 1}},
    axes: [{label: 'step'}, {size: 70, values: (u, vals) => vals.map((v) => v == null ? '' : (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(0) : String(+v.toPrecision(3))))}],
    }, data, el);
  } catch (e) {
    el.textContent = c.title + ': cannot draw (' + e + ')';
  }
}
</script></body></html>`;
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), {recursive: true});
  fs.writeFileSync(abs, html);
  return abs;
}

const fmtNum = (v: number): string => (Number.isFinite(v) ? (Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2)) : String(v));
const fmtAcc = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : '-');

/**
 * The end-of-run summary table for the terminal (box-drawing characters).
 *
 * ```ts
 * process.stdout.write(summaryTable([naive, stable]) + '\n');
 * ```
 * @param runs the runs
 */
export function summaryTable(runs: RunSummary[]): string {
  // with weight averaging, the averaged weights' test loss and accuracy stand next to the live ones
  const withAvg = runs.some((r) => r.averaged);
  const head = ['run', 'status', 'steps', 'time (s)', 'test loss', 'test acc', ...(withAvg ? ['avg-weights loss', 'avg-weights acc'] : []), 'bad steps'];
  const body = runs.map((r) => [r.name, r.status, String(r.steps), r.seconds.toFixed(1), fmtNum(r.test.loss), fmtAcc(r.test.accuracy),
    ...(withAvg ? (r.averaged ? [`${fmtNum(r.averaged.loss)} (${r.averaged.averaging.split(',')[0]})`, fmtAcc(r.averaged.accuracy)] : ['-', '-']) : []), String(r.skipped)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => '│ ' + cells.map((c, i) => c.padEnd(w[i])).join(' │ ') + ' │';
  const sep = (l: string, m: string, r: string): string => l + w.map((x) => '─'.repeat(x + 2)).join(m) + r;
  return [sep('┌', '┬', '┐'), line(head), sep('├', '┼', '┤'), ...body.map(line), sep('└', '┴', '┘')].join('\n');
}

/** JSON safe inside an inline `<script>`: `<`, U+2028 and U+2029 escaped (no `</script>` breakout). */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
