import * as asciichart from 'asciichart';
import type {RunSummary} from './run_training';

/** Options of `lossPlot`. */
export interface LossPlotOptions {
  /** Columns of the plot area (steps are averaged into this many buckets). Default 64. */
  width?: number;
  /** Rows of the plot area. Default 12. */
  height?: number;
  /** ANSI colours, one per run. Default: on when stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Do not add the zoomed chart of the finished runs. Default false. */
  noZoom?: boolean;
  /** First line. Default 'log10(training loss) per step'. */
  title?: string;
}

const COLORS = [asciichart.red, asciichart.blue, asciichart.green, asciichart.magenta, asciichart.yellow];
const COLOR_NAMES = ['red', 'blue', 'green', 'magenta', 'yellow'];

/** Loss per step of a run: the guard's per-step record (bad steps included) merged with the logged steps. */
function lossByStep(r: RunSummary): Map<number, number> {
  const m = new Map<number, number>();
  for (const h of r.history) m.set(h.step, h.loss);
  for (const g of r.guardLog ?? []) m.set(g.step, g.loss);
  return m;
}

/**
 * A terminal chart of log10(training loss) against the step, every run on one chart (asciichart),
 * with a legend line per run (colour, steps, first and last log10 loss, status). Steps are
 * averaged into `width` columns on a shared step axis, so a run that stopped early (the naive run
 * giving up) is a short curve at the left. Non-finite losses are left out (and counted in the
 * legend). When a run that gave up squashes the others flat (more than 6 decades apart), a second,
 * zoomed chart of the runs that finished follows. Returns '' when there is nothing to plot.
 *
 * ```ts
 * process.stdout.write(lossPlot([naive, stable]) + '\n');
 * ```
 * @param runs the runs (their `history` and `guardLog`)
 * @param o size and colour
 */
export function lossPlot(runs: RunSummary[], o: LossPlotOptions = {}): string {
  const width = o.width ?? 64;
  const height = o.height ?? 12;
  if (!(Number.isInteger(width) && width >= 2)) throw new Error(`lossPlot: width must be an integer >= 2, got ${width}`);
  if (!(Number.isInteger(height) && height >= 2)) throw new Error(`lossPlot: height must be an integer >= 2, got ${height}`);
  const color = o.color ?? (!!process.stdout.isTTY && !process.env.NO_COLOR);
  const maps = runs.map(lossByStep);
  const maxStep = Math.max(0, ...maps.flatMap((m) => [...m.keys()]));
  const per = (maxStep + 1) / width;
  const series: number[][] = [];
  const legend: string[] = [];
  const used: string[] = [];
  runs.forEach((r, i) => {
    const m = maps[i];
    const steps = [...m.keys()].sort((a, b) => a - b);
    const bad = steps.filter((s) => !(Number.isFinite(m.get(s)!) && m.get(s)! > 0)).length;
    const sums = new Array<number>(width).fill(0);
    const counts = new Array<number>(width).fill(0);
    let lastCol = -1;
    for (const s of steps) {
      const v = m.get(s)!;
      const c = Math.min(width - 1, Math.floor(s / per));
      lastCol = Math.max(lastCol, c);
      if (Number.isFinite(v) && v > 0) {
        sums[c] += Math.log10(v);
        counts[c]++;
      }
    }
    const first = counts.findIndex((c) => c > 0);
    const name = `${r.name} (${r.status})`;
    if (first < 0) {
      legend.push(`  ${name}: no finite loss to plot${steps.length ? ` (${bad} non-finite)` : ''}`);
      return;
    }
    // columns without a finite value repeat the previous one (asciichart draws no gaps)
    const ys: number[] = [];
    let prev = sums[first] / counts[first];
    for (let c = 0; c <= lastCol; c++) {
      if (counts[c] > 0) prev = sums[c] / counts[c];
      ys.push(prev);
    }
    if (ys.length === 1) ys.push(ys[0]); // a one-column curve would not be drawn
    series.push(ys);
    used.push(COLORS[i % COLORS.length]);
    const f = (v: number): string => v.toFixed(2);
    const mark = color ? `${COLORS[i % COLORS.length]}── ${COLOR_NAMES[i % COLOR_NAMES.length]}${asciichart.reset} ` : '';
    legend.push(`  ${mark}${name}: ${steps.length} steps, log10 loss ${f(ys[0])} → ${f(ys[ys.length - 1])}${bad ? `, ${bad} non-finite not drawn` : ''}`);
  });
  if (series.length === 0) return legend.length ? `log10(training loss): nothing to plot\n${legend.join('\n')}` : '';
  const chart = asciichart.plot(series, {
    height, ...(color ? {colors: used} : {}),
    format: (x: number) => x.toFixed(1).padStart(7),
  });
  const pad = ' '.repeat(9);
  const right = `step ${maxStep}`;
  const axis = pad + 'step 0' + right.padStart(Math.max(right.length + 1, width - 6));
  const title = o.title ?? `log10(training loss) per step${color || series.length < 2 ? '' : ' (no colours: tell the curves apart by the values in the legend)'}`;
  const out = [title, chart, axis, ...legend];
  // When a diverged run squashes the others flat, add a zoomed chart of the runs that finished.
  const all = series.flat();
  const finished = runs.filter((r) => r.status !== 'gave-up');
  if (!o.noZoom && finished.length > 0 && finished.length < runs.length && Math.max(...all) - Math.min(...all) > 6) {
    const zoom = lossPlot(finished, {...o, height: Math.max(2, Math.round(height * 0.75)), noZoom: true,
      title: `zoom: log10(training loss) of ${finished.map((r) => r.name).join(', ')}`});
    if (zoom) out.push('', zoom);
  }
  return out.join('\n');
}
