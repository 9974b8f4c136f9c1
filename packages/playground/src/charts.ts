// Live charts (uPlot): loss, gradient norm before/after clipping, learning rate.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const NAIVE = '#d9480f';
const STABLE = '#1971c2';
const CLIPPED = '#2f9e44';

type Series = (number | null)[];

const tick = (v: number | null): string =>
  v == null ? '' : v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3) ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(3)));

/** The three charts of the page. */
export class Charts {
  private readonly plots: uPlot[] = [];
  private readonly x: number[];

  constructor(host: HTMLElement, steps: number) {
    host.replaceChildren();
    this.x = Array.from({length: steps}, (_, i) => i);
    const width = Math.max(280, Math.floor((host.clientWidth || 960) / 3) - 16);
    const make = (title: string, series: uPlot.Series[], log: boolean): uPlot => {
      const div = document.createElement('div');
      div.className = 'chart';
      host.appendChild(div);
      const opts: uPlot.Options = {
        title,
        width,
        height: 220,
        scales: {x: {time: false}, y: log ? {distr: 3} : {}},
        axes: [{label: 'step'}, {size: 56, values: (_u, vals) => vals.map(tick)}],
        series: [{label: 'step'}, ...series],
      };
      const empty = [this.x, ...series.map(() => this.x.map(() => null))] as uPlot.AlignedData;
      return new uPlot(opts, empty, div);
    };
    // spanGaps: metrics arrive every `logEvery` steps; points: a run the guard stopped may have one value
    const s = (label: string, stroke: string, dash?: number[]): uPlot.Series =>
      ({label, stroke, width: 1.5, dash, spanGaps: true, points: {show: true, size: 4, fill: stroke}});
    this.plots.push(
      make('loss (log)', [s('naive', NAIVE), s('stabilised', STABLE)], true),
      make('gradient norm (log)', [s('naive', NAIVE), s('stabilised, before clip', STABLE), s('stabilised, after clip', CLIPPED, [6, 3])], true),
      make('learning rate', [s('naive', NAIVE), s('stabilised', STABLE)], false),
    );
  }

  /** Redraws from the runs' arrays (indexed by step). */
  update(d: {naive: Record<'loss' | 'gradNorm' | 'gradNormClipped' | 'lr', Series>; stable: Record<'loss' | 'gradNorm' | 'gradNormClipped' | 'lr', Series>}): void {
    const pos = (a: Series): Series => a.map((v) => (v != null && v > 0 ? v : null)); // log scales
    const data: Series[][] = [
      [pos(d.naive.loss), pos(d.stable.loss)],
      [pos(d.naive.gradNorm), pos(d.stable.gradNorm), pos(d.stable.gradNormClipped)],
      [d.naive.lr, d.stable.lr],
    ];
    this.plots.forEach((p, i) => p.setData([this.x, ...data[i].map((a) => a.slice())] as uPlot.AlignedData));
  }

  /** Data points (non-null values) each chart holds now, as the end-to-end test checks them. */
  points(): number[] {
    return this.plots.map((p) => p.data.slice(1).reduce((n, s) => n + (s as Series).filter((v) => v != null).length, 0));
  }
}
