import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {reportData, writeHtmlReport} from './report';
import type {RunSummary} from './run_training';
import {lossPlot} from './terminal_plot';

// A naive run that gave up after 3 steps (finite loss, infinite gradient norm, no logged step)
// and a stable run logged every 2 steps and judged every step.
const naive: RunSummary = {
  name: 'naive', status: 'gave-up', steps: 3, seconds: 0.1, test: {loss: 5e24, accuracy: 0.1, samples: 1}, lastLoss: NaN, skipped: 3,
  events: [{step: 0, kind: 'guard', cause: 'nonfinite-grad', action: 'skip', message: 'gradient norm is Infinity <b>'}],
  history: [],
  guardLog: [0, 1, 2].map((s) => ({step: s, loss: 5e24, gradNorm: Infinity, lr: 0.1 / 2 ** s, ok: false, cause: 'nonfinite-grad' as const})),
};
const stable: RunSummary = {
  name: 'stable', status: 'done', steps: 6, seconds: 1, test: {loss: 0.3, accuracy: 0.9, samples: 1}, lastLoss: 0.4, skipped: 0, events: [],
  history: [1, 3, 5].map((s) => ({step: s, epoch: 0, loss: 2 - s / 4, gradNorm: 3, gradNormClipped: 1, lr: 0.01, updateRatio: 0, skipped: 0, layers: [], timeMs: 0})),
  guardLog: [0, 1, 2, 3, 4, 5].map((s) => ({step: s, loss: 2 - s / 4, gradNorm: 3, lr: s === 0 ? 0 : 0.01, ok: true})),
};

describe('HTML report', () => {
  it('puts every run on one chart per metric, aligned on the steps, bad steps included', () => {
    const d = reportData([naive, stable]);
    expect(d.steps).toEqual([0, 1, 2, 3, 4, 5]);
    const [loss, lossZoom, grad, lr] = d.charts;
    expect(d.charts.map((c) => c.title)).toEqual(['loss (log scale)', 'loss (log scale), zoomed to stable',
      'gradient norm before (solid) / after (dashed) clipping, log scale', 'learning rate (log scale)']);
    expect(lossZoom.series.map((s) => s.label)).toEqual(['stable']);
    expect(loss.log).toBe(true);
    expect(loss.series.map((s) => s.label)).toEqual(['naive', 'stable']);
    expect(loss.series[0].values).toEqual([5e24, 5e24, 5e24, null, null, null]);
    expect(loss.series[1].values).toEqual([2, 1.75, 1.5, 1.25, 1, 0.75]);
    // the naive gradient norm is infinite: gaps plus markers; the stable run has before and after clipping
    expect(grad.series.map((s) => s.label)).toEqual(['naive before clip', 'stable before clip', 'stable after clip']);
    expect(grad.series[0].values.every((v) => v === null)).toBe(true);
    expect(grad.nonFinite).toEqual([{run: 0, label: 'naive before clip = NaN/∞ (dot)', steps: [0, 1, 2], values: ['Infinity', 'Infinity', 'Infinity']}]);
    expect(grad.series[2].values).toEqual([null, 1, null, 1, null, 1]);
    // lr 0 cannot go on a log axis: a gap
    expect(lr.series[1].values[0]).toBeNull();
    expect(lr.series[0].values.slice(0, 3)).toEqual([0.1, 0.05, 0.025]);
  });

  it('gives each series its own colour and leaves out after-clip series of runs that clip nothing', () => {
    const noClip = {...stable, name: 'plain', history: stable.history.map((h) => ({...h, gradNormClipped: h.gradNorm * (1 + 1e-7)}))} as RunSummary;
    const d = reportData([naive, stable, noClip]);
    const grad = d.charts.find((c) => c.title.startsWith('gradient norm'))!;
    expect(grad.series.map((s) => s.label)).toEqual(['naive before clip', 'stable before clip', 'stable after clip', 'plain before clip']);
    expect(new Set(grad.series.map((s) => s.color)).size).toBe(4);
    // no zoom when every run fits on one axis
    expect(reportData([stable]).charts.map((c) => c.title).some((t) => t.includes('zoomed'))).toBe(false);
  });

  it('writes a step (not time) x axis, the data and the guard events, escaped', () => {
    const file = writeHtmlReport(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'st-rep-')), 'r.html'), [naive, stable], 'naive vs stable');
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('x: {time: false}');
    expect(html).toContain("axes: [{label: 'step'}");
    expect(html).toContain('"label":"naive"');
    expect(html).toContain('gradient norm is Infinity &lt;b&gt;');
    expect(html).toContain('<td>nonfinite-grad</td>');
  });
});

describe('terminal loss plot', () => {
  it('draws both runs on one chart with a legend, and zooms on the finished run', () => {
    const p = lossPlot([naive, stable], {color: false, width: 6, height: 4});
    const lines = p.split('\n');
    expect(lines[0]).toMatch(/^log10\(training loss\) per step/);
    expect(p).toContain('naive (gave-up): 3 steps, log10 loss 24.70 → 24.70');
    expect(p).toContain('stable (done): 6 steps, log10 loss');
    expect(p).toMatch(/step 0 +step 5/);
    expect(p).toContain('zoom: log10(training loss) of stable');
    expect(p).toMatch(/24\.7 ┼/);
    expect(lossPlot([stable], {color: false})).not.toContain('zoom');
  });

  it('colours the curves and the legend when asked; nothing to plot gives a note', () => {
    expect(lossPlot([naive, stable], {color: true})).toContain('\x1b[31m');
    const none: RunSummary = {...naive, guardLog: [{step: 0, loss: NaN, gradNorm: NaN, lr: 0.1, ok: false}]};
    expect(lossPlot([none], {color: false})).toMatch(/nothing to plot[\s\S]*naive \(gave-up\): no finite loss to plot \(1 non-finite\)/);
    expect(lossPlot([], {color: false})).toBe('');
    expect(() => lossPlot([stable], {width: 1})).toThrow(/width must be an integer >= 2/);
  });
});

describe('writeHtmlReport escapes what it embeds (issue 20 item 11)', () => {
  it('a run name cannot close the inline script', () => {
    const file = path.join(os.tmpdir(), `st-report-esc-${process.pid}.html`);
    const evil = '</script><script>alert(1)</script>';
    const run = {name: evil, status: 'done' as const, steps: 1, seconds: 0, test: {loss: 1, accuracy: 0.5, samples: 1}, lastLoss: 1, skipped: 0,
      events: [{step: 0, kind: 'guard' as const, cause: '<b>', action: 'skip', message: '<img src=x onerror=alert(1)>'}], history: [], guardLog: [{step: 0, loss: 1, gradNorm: 1, lr: 0.1, ok: true}]};
    const html = fs.readFileSync(writeHtmlReport(file, [run], evil), 'utf8');
    expect(html).not.toContain(evil);
    expect(html).not.toContain('<img src=x');
    expect(html.split('</script>').length).toBe(3); // the uPlot script and ours, nothing else
  });
});
