import * as fs from 'node:fs';
import {createRequire} from 'node:module';
import * as path from 'node:path';
import type {RunSummary} from './run_training';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]!);

/** Reads uPlot's script and stylesheet so the report works offline (no CDN). */
function uplotAssets(): {js: string; css: string} {
  const req = typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'noop.js'));
  const dist = path.dirname(req.resolve('uplot'));
  return {
    js: fs.readFileSync(path.join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: fs.readFileSync(path.join(dist, 'uPlot.min.css'), 'utf8'),
  };
}

/**
 * Writes a self-contained HTML report: loss, gradient norm before/after clipping and lr per
 * step for every run (naive vs stabilised in the demo), the summary table and the guard events.
 * uPlot is inlined, so the file opens offline.
 * @param file where to write (folders are created)
 * @param runs the runs to chart
 * @param title page title
 * @returns the absolute path written
 */
export function writeHtmlReport(file: string, runs: RunSummary[], title = 'stable-train report'): string {
  const {js, css} = uplotAssets();
  const series = runs.map((r) => ({
    name: r.name,
    step: r.history.map((m) => m.step),
    loss: r.history.map((m) => (Number.isFinite(m.loss) ? m.loss : null)),
    gnorm: r.history.map((m) => (Number.isFinite(m.gradNorm) && m.gradNorm > 0 ? m.gradNorm : null)),
    gclip: r.history.map((m) => (Number.isFinite(m.gradNormClipped) && m.gradNormClipped > 0 ? m.gradNormClipped : null)),
    lr: r.history.map((m) => m.lr),
  }));
  const rows = runs.map((r) => `<tr><td>${esc(r.name)}</td><td>${r.status}</td><td>${r.steps}</td><td>${r.seconds.toFixed(1)}</td>` +
    `<td>${r.test.loss.toFixed(4)}</td><td>${(100 * r.test.accuracy).toFixed(2)}%</td><td>${r.skipped}</td></tr>`).join('');
  const events = runs.flatMap((r) => r.events.map((e) => `<li><b>${esc(r.name)}</b> step ${e.step}: ${esc(e.cause)} → ${esc(e.action)} — ${esc(e.message)}</li>`)).join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${css}
body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}</style></head>
<body><h1>${esc(title)}</h1><table><tr><th>run</th><th>status</th><th>steps</th><th>seconds</th><th>test loss</th><th>test accuracy</th><th>bad steps</th></tr>${rows}</table>
<div id="charts"></div><h2>Guard events</h2><ul>${events || '<li>none</li>'}</ul>
<script>${js}</script><script>
const runs = ${JSON.stringify(series)};
const colors = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e'];
function chart(title, key, log, withClip) {
  const el = document.createElement('div'); document.getElementById('charts').appendChild(el);
  runs.forEach((r, i) => {
    const s = [{}, {label: r.name + ' ' + key, stroke: colors[i % 4], width: 2}];
    const data = [r.step, r[key]];
    if (withClip) { s.push({label: r.name + ' after clip', stroke: colors[i % 4], dash: [4, 4]}); data.push(r.gclip); }
    new uPlot({title: title + ' — ' + r.name, width: 900, height: 220, series: s, scales: {y: {distr: log ? 3 : 1}}}, data, el);
  });
}
chart('loss', 'loss', false, false);
chart('gradient norm (before / after clipping)', 'gnorm', true, true);
chart('learning rate', 'lr', false, false);
</script></body></html>`;
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), {recursive: true});
  fs.writeFileSync(abs, html);
  return abs;
}

/** The end-of-run summary table for the terminal. */
export function summaryTable(runs: RunSummary[]): string {
  const head = ['run', 'status', 'steps', 'time (s)', 'test loss', 'test acc', 'bad steps'];
  const body = runs.map((r) => [r.name, r.status, String(r.steps), r.seconds.toFixed(1), Number.isFinite(r.test.loss) ? (r.test.loss < 1e4 ? r.test.loss.toFixed(4) : r.test.loss.toExponential(2)) : String(r.test.loss),
    Number.isFinite(r.test.accuracy) ? `${(100 * r.test.accuracy).toFixed(2)}%` : '-', String(r.skipped)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => '│ ' + cells.map((c, i) => c.padEnd(w[i])).join(' │ ') + ' │';
  const sep = (l: string, m: string, r: string): string => l + w.map((x) => '─'.repeat(x + 2)).join(m) + r;
  return [sep('┌', '┬', '┐'), line(head), sep('├', '┼', '┤'), ...body.map(line), sep('└', '┴', '┘')].join('\n');
}
