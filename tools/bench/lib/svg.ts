// Minimal SVG writers: heat-map panels side by side, and line charts (optionally log-scale y).

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One heat-map panel: `values[row][col]` in [0, 1] (NaN = no data), optional cell labels. */
export interface HeatPanel {
  title: string;
  values: number[][];
  labels?: string[][];
}

/** 0 → green, 0.5 → yellow, 1 → red. */
function heatColor(v: number): string {
  if (Number.isNaN(v)) return '#dddddd';
  const t = Math.max(0, Math.min(1, v));
  const r = t < 0.5 ? Math.round(60 + 2 * t * 195) : 255;
  const g = t < 0.5 ? 190 : Math.round(190 - (t - 0.5) * 2 * 150);
  return `rgb(${r},${g},70)`;
}

/**
 * Heat maps side by side, `rows` of panels (e.g. one row per activation), same axes for all.
 * @param opts.panels panels by row
 * @param opts.rowLabels y tick labels (e.g. depths), opts.colLabels x tick labels (e.g. lrs)
 */
export function heatMaps(opts: {
  title: string;
  panels: HeatPanel[][];
  rowNames?: string[];
  rowLabels: string[];
  colLabels: string[];
  xTitle: string;
  yTitle: string;
  legend: string;
}): string {
  const cell = 30;
  const nr = opts.rowLabels.length;
  const nc = opts.colLabels.length;
  const pw = nc * cell;
  const ph = nr * cell;
  const left = 70;
  const gapX = 24;
  const top = 50;
  const gapY = 70;
  const perRow = Math.max(...opts.panels.map((r) => r.length));
  const W = left + perRow * (pw + gapX) + 20;
  const H = top + opts.panels.length * (ph + gapY) + 40;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="10">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  out.push(`<text x="10" y="34" font-size="11">${esc(opts.legend)}</text>`);
  opts.panels.forEach((row, ri) => {
    const y0 = top + ri * (ph + gapY) + 20;
    if (opts.rowNames) out.push(`<text x="10" y="${y0 - 8}" font-size="12" font-weight="bold">${esc(opts.rowNames[ri])}</text>`);
    row.forEach((p, pi) => {
      const x0 = left + pi * (pw + gapX);
      out.push(`<text x="${x0 + pw / 2}" y="${y0 - 6}" text-anchor="middle" font-size="11">${esc(p.title)}</text>`);
      for (let r = 0; r < nr; r++) {
        for (let c = 0; c < nc; c++) {
          const v = p.values[r]?.[c] ?? NaN;
          out.push(`<rect x="${x0 + c * cell}" y="${y0 + r * cell}" width="${cell - 1}" height="${cell - 1}" fill="${heatColor(v)}"/>`);
          const lab = p.labels?.[r]?.[c];
          if (lab) out.push(`<text x="${x0 + c * cell + cell / 2}" y="${y0 + r * cell + cell / 2 + 3}" text-anchor="middle" font-size="9">${esc(lab)}</text>`);
        }
      }
      opts.colLabels.forEach((l, c) => {
        out.push(`<text x="${x0 + c * cell + cell / 2}" y="${y0 + ph + 12}" text-anchor="middle" font-size="8">${esc(l)}</text>`);
      });
      if (pi === 0) {
        opts.rowLabels.forEach((l, r) => {
          out.push(`<text x="${x0 - 4}" y="${y0 + r * cell + cell / 2 + 3}" text-anchor="end">${esc(l)}</text>`);
        });
        out.push(`<text x="${x0 - 40}" y="${y0 + ph / 2}" text-anchor="middle" transform="rotate(-90 ${x0 - 40} ${y0 + ph / 2})">${esc(opts.yTitle)}</text>`);
      }
      out.push(`<text x="${x0 + pw / 2}" y="${y0 + ph + 26}" text-anchor="middle" font-size="9">${esc(opts.xTitle)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** One line of a chart; NaN/non-finite y values break the line. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
  color?: string;
  dashed?: boolean;
  /** thin, semi-transparent (individual seeds behind a median line) */
  faint?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** Line charts side by side (one per panel), shared legend per panel. */
export function lineCharts(opts: {
  title: string;
  panels: {title: string; series: Series[]; logY?: boolean; xTitle: string; yTitle: string; hline?: {y: number; label: string}[]}[];
}): string {
  const pw = 420;
  const ph = 260;
  const gap = 90;
  const W = 20 + opts.panels.length * (pw + gap);
  const H = 40 + ph + 60 + 16 * Math.max(...opts.panels.map((p) => p.series.filter((s) => !s.faint).length));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="10">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  opts.panels.forEach((p, pi) => {
    const x0 = 70 + pi * (pw + gap);
    const y0 = 40;
    const fy = (v: number) => (p.logY ? Math.log10(v) : v);
    const xs = p.series.flatMap((s) => s.x);
    const ys = p.series.flatMap((s) => s.y).concat((p.hline ?? []).map((h) => h.y)).filter((v) => Number.isFinite(v) && (!p.logY || v > 0)).map(fy);
    let [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
    let [ymin, ymax] = [Math.min(...ys), Math.max(...ys)];
    if (!(xmax > xmin)) xmax = xmin + 1;
    if (!(ymax > ymin)) ymax = ymin + 1;
    if (p.logY) {
      ymin = Math.floor(ymin);
      ymax = Math.ceil(ymax);
    }
    if (!Number.isFinite(xmin)) [xmin, xmax] = [0, 1];
    if (!Number.isFinite(ymin)) [ymin, ymax] = [0, 1];
    const X = (v: number) => x0 + ((v - xmin) / (xmax - xmin)) * pw;
    const Y = (v: number) => y0 + ph - ((fy(v) - ymin) / (ymax - ymin)) * ph;
    out.push(`<rect x="${x0}" y="${y0}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
    out.push(`<text x="${x0 + pw / 2}" y="${y0 - 6}" text-anchor="middle" font-size="12">${esc(p.title)}</text>`);
    for (let i = 0; i <= 4; i++) {
      const xv = xmin + ((xmax - xmin) * i) / 4;
      out.push(`<text x="${X(xv)}" y="${y0 + ph + 12}" text-anchor="middle">${esc(fmtTick(xv))}</text>`);
    }
    const yticks = p.logY ? range(ymin, ymax).map((e) => 10 ** e) : [0, 1, 2, 3, 4].map((i) => ymin + ((ymax - ymin) * i) / 4);
    for (const yv of yticks) {
      out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(yv)}" y2="${Y(yv)}" stroke="#eee"/>`);
      out.push(`<text x="${x0 - 4}" y="${Y(yv) + 3}" text-anchor="end">${esc(fmtTick(yv))}</text>`);
    }
    for (const h of p.hline ?? []) {
      out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(h.y)}" y2="${Y(h.y)}" stroke="#444" stroke-dasharray="2,3"/>`);
      out.push(`<text x="${x0 + pw - 2}" y="${Y(h.y) - 3}" text-anchor="end" fill="#444">${esc(h.label)}</text>`);
    }
    out.push(`<text x="${x0 + pw / 2}" y="${y0 + ph + 28}" text-anchor="middle">${esc(p.xTitle)}</text>`);
    out.push(`<text x="${x0 - 48}" y="${y0 + ph / 2}" text-anchor="middle" transform="rotate(-90 ${x0 - 48} ${y0 + ph / 2})">${esc(p.yTitle)}</text>`);
    let legendRow = 0;
    p.series.forEach((s, si) => {
      const color = s.color ?? PALETTE[si % PALETTE.length];
      const segs: string[][] = [[]];
      s.x.forEach((xv, i) => {
        const yv = s.y[i];
        if (!Number.isFinite(yv) || (p.logY && yv <= 0)) {
          if (segs[segs.length - 1].length) segs.push([]);
          return;
        }
        const yc = Math.max(y0, Math.min(y0 + ph, Y(yv)));
        segs[segs.length - 1].push(`${X(xv).toFixed(1)},${yc.toFixed(1)}`);
      });
      for (const seg of segs) {
        if (seg.length === 0) continue;
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="${s.faint ? 0.7 : 1.8}"${s.faint ? ' stroke-opacity="0.35"' : ''}${s.dashed ? ' stroke-dasharray="5,3"' : ''} points="${seg.join(' ')}"/>`);
      }
      if (!s.faint) {
        const ly = y0 + ph + 44 + 16 * legendRow++;
        out.push(`<line x1="${x0}" x2="${x0 + 20}" y1="${ly - 3}" y2="${ly - 3}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
        out.push(`<text x="${x0 + 26}" y="${ly}">${esc(s.name)}</text>`);
      }
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Grouped horizontal bars: one row per label, value per group (for ablation/perf summaries). */
export function barChart(opts: {title: string; labels: string[]; values: number[]; errLo?: number[]; errHi?: number[]; unit: string}): string {
  const rowH = 22;
  const left = Math.max(160, 12 + 6.2 * Math.max(...opts.labels.map((l) => l.length)));
  const w = 420;
  const H = 50 + opts.labels.length * rowH + 30;
  const vmax = Math.max(...opts.values.filter(Number.isFinite), ...(opts.errHi ?? []).filter(Number.isFinite), 1e-12);
  const X = (v: number) => left + (Math.max(0, v) / vmax) * w;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + w + 120}" height="${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  opts.labels.forEach((l, i) => {
    const y = 40 + i * rowH;
    const v = opts.values[i];
    out.push(`<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(l)}</text>`);
    if (Number.isFinite(v)) out.push(`<rect x="${left}" y="${y + 3}" width="${X(v) - left}" height="${rowH - 8}" fill="${PALETTE[i % PALETTE.length]}"/>`);
    if (opts.errLo && opts.errHi && Number.isFinite(opts.errLo[i]) && Number.isFinite(opts.errHi[i])) {
      out.push(`<line x1="${X(opts.errLo[i])}" x2="${X(opts.errHi[i])}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="black"/>`);
    }
    const hi = opts.errHi?.[i];
    out.push(`<text x="${Number.isFinite(v) ? X(Number.isFinite(hi) ? Math.max(v, hi!) : v) + 4 : left + 4}" y="${y + 14}">${esc(Number.isFinite(v) ? `${fmtTick(v)} ${opts.unit}` : 'n/a')}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function range(a: number, b: number): number[] {
  const r: number[] = [];
  for (let i = a; i <= b; i++) r.push(i);
  return r;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(0);
  return Number(v.toPrecision(3)).toString();
}
