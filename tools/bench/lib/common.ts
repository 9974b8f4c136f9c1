// Shared helpers of the stability/perf benchmarks: flags, medians and spreads, tables, results output.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {execSync} from 'node:child_process';

export const REPO = path.resolve(__dirname, '../../..');
export const RESULTS_DIR = path.join(REPO, 'docs/results');

/** Command-line flags: `--quick`, `--name value` or `--name=value`. */
export interface Flags {
  quick: boolean;
  get(name: string): string | undefined;
  num(name: string, dflt: number): number;
  list(name: string, dflt: number[]): number[];
  strs(name: string, dflt: string[]): string[];
}

/** Parses `process.argv` (and `BENCH_QUICK=1`). */
export function parseFlags(argv = process.argv.slice(2)): Flags {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(a)} (flags look like --name value)`);
    const eq = a.indexOf('=');
    if (eq > 0) m.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) m.set(a.slice(2), argv[++i]);
    else m.set(a.slice(2), 'true');
  }
  const quick = m.get('quick') === 'true' || process.env.BENCH_QUICK === '1';
  const num = (name: string, dflt: number): number => {
    const v = m.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const list = (name: string, dflt: number[]): number[] => {
    const v = m.get(name);
    if (v === undefined) return dflt;
    const xs = v.split(',').map(Number);
    if (xs.some((x) => !Number.isFinite(x))) throw new Error(`--${name} must be comma-separated numbers, got ${JSON.stringify(v)}`);
    return xs;
  };
  const strs = (name: string, dflt: string[]): string[] => (m.has(name) ? m.get(name)!.split(',') : dflt);
  return {quick, get: (n) => m.get(n), num, list, strs};
}

export function median(v: number[]): number {
  const s = v.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Linear-interpolated quantile (q in [0, 1]). */
export function quantile(v: number[], q: number): number {
  const s = v.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const p = (s.length - 1) * q;
  const lo = Math.floor(p);
  const hi = Math.ceil(p);
  return s[lo] + (s[hi] - s[lo]) * (p - lo);
}

/** Median and spread (min–max) of repeats. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
  all: number[];
}

export function summarize(v: number[]): Summary {
  const f = v.filter((x) => !Number.isNaN(x));
  if (f.length === 0) return {median: NaN, min: NaN, max: NaN, n: v.length, all: v};
  return {median: median(f), min: Math.min(...f), max: Math.max(...f), n: v.length, all: v};
}

/** A number with 3 significant digits (or the word for non-finite values). */
export function fmt(x: number, digits = 3): string {
  if (x === undefined || x === null) return '-';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** `median [min–max]`. */
export function fmtSummary(s: Summary, digits = 3): string {
  if (s.n === 1) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

/** A GitHub-markdown table, columns padded for the terminal. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const w = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length), 3));
  const line = (r: string[]) => `| ${r.map((c, j) => (c ?? '').padEnd(w[j])).join(' | ')} |`;
  return [line(cells[0]), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** Machine context, stored with every result. */
export function context(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', {cwd: REPO, stdio: ['ignore', 'pipe', 'ignore']}).toString().trim();
  } catch {
    /* not a git checkout */
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
    commit,
    command: `npx tsx ${path.relative(REPO, process.argv[1])}${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`,
  };
}

/**
 * Writes `docs/results/<name>.json` (and `.md` with the printed tables) plus any SVGs; in
 * `--quick` mode the files get a `-quick` suffix so smoke runs never overwrite real results.
 */
export function writeResults(
  name: string,
  quick: boolean,
  data: Record<string, unknown>,
  svgs: {[suffix: string]: string} = {},
  markdown?: string,
): string[] {
  fs.mkdirSync(RESULTS_DIR, {recursive: true});
  const base = quick ? `${name}-quick` : name;
  const written: string[] = [];
  const put = (file: string, text: string) => {
    const p = path.join(RESULTS_DIR, file);
    fs.writeFileSync(p, text);
    written.push(path.relative(REPO, p));
  };
  put(`${base}.json`, JSON.stringify({...data, context: {...context(), loadavgEnd: os.loadavg().map((l) => Number(l.toFixed(2)))}}, jsonSafe, 1) + '\n');
  for (const [suffix, svg] of Object.entries(svgs)) put(`${base}${suffix ? '-' + suffix : ''}.svg`, svg);
  if (markdown !== undefined) put(`${base}.md`, markdown);
  return written;
}

/** JSON with NaN/Infinity as strings (as tools/goldens does). */
function jsonSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (v instanceof Float32Array || v instanceof Float64Array) return Array.from(v);
  return v;
}

/** Collects printed lines so the same text goes to the terminal and to the `.md` file. */
export class Report {
  readonly lines: string[] = [];
  log(s = ''): void {
    console.log(s);
    this.lines.push(s);
  }
  get text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export const now = (): number => performance.now();
