// The playground page: backend selector and report, the naive and the stabilised network training
// side by side on two spirals, a switch per technique, live charts, guard events, the doctor.
import * as tf from '@tensorflow/tfjs-core';
import {setupBackend} from 'stable-train';
import type {BackendReport} from 'stable-train';
import {Charts} from './charts';
import {batcher, twoSpirals} from './data';
import {doctor, type Verdict} from './doctor';
import {NAIVE, Run, STABLE, type PageEvent, type Shared, type Techniques} from './run';
import './styles.css';

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** What the end-to-end test (and a curious person in the console) reads. */
interface PlaygroundState {
  status: 'loading' | 'ready' | 'running' | 'done' | 'error';
  backend: string | null;
  report: BackendReport | null;
  config: {shared: Shared; stable: Techniques} | null;
  naive: ColumnState;
  stable: ColumnState;
  charts: number[];
  msPerStep: number | null;
  wallMs: number | null;
  done: boolean;
  error: string | null;
}
interface ColumnState {
  losses: (number | null)[];
  events: PageEvent[];
  stopped: {step: number; reason: string} | null;
  lastLoss: number | null;
  recentLoss: number | null;
  accuracy: number | null;
  msPerStep: number | null;
  /** median step time over the second half (shader compilation and warm-up excluded) */
  steadyMsPerStep: number | null;
  doctor: Verdict | null;
}
const column = (): ColumnState => ({losses: [], events: [], stopped: null, lastLoss: null, recentLoss: null, accuracy: null, msPerStep: null, steadyMsPerStep: null, doctor: null});
const state: PlaygroundState = {
  status: 'loading', backend: null, report: null, config: null, naive: column(), stable: column(),
  charts: [0, 0, 0], msPerStep: null, wallMs: null, done: false, error: null,
};
(window as unknown as {__playground: PlaygroundState}).__playground = state;
function setStatus(s: PlaygroundState['status'], text: string): void {
  state.status = s;
  document.body.dataset.status = s;
  $('status').textContent = text;
}

// ---- controls -------------------------------------------------------------------------------
const num = (name: string, dflt: number): number => {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) ? v : dflt;
};
const flag = (name: string, dflt: boolean): boolean => (params.has(name) ? !['0', 'false', 'off'].includes(params.get(name)!) : dflt);

/**
 * `?threads=`: an integer >= 1 or 'auto' (the cores the browser reports); default 1. These
 * networks are small (width 32), so per-op thread hand-offs cost more than they save: measured
 * in Chromium on the shared 2-core machine, 75.6 ms/step on 1 thread vs 421 ms on 2.
 */
function threadsParam(): number | 'auto' {
  const t = params.get('threads');
  if (t === 'auto') return 'auto';
  const n = Number(t);
  return t != null && Number.isInteger(n) && n >= 1 ? n : 1;
}

function initControls(): void {
  $<HTMLSelectElement>('backend').value = params.get('backend') ?? 'auto';
  $<HTMLSelectElement>('threads').value = String(threadsParam());
  $<HTMLInputElement>('steps').value = String(num('steps', 200));
  $<HTMLInputElement>('depth').value = String(num('depth', 16));
  $<HTMLInputElement>('width').value = String(num('width', 32));
  $<HTMLInputElement>('lr').value = String(num('lr', 0.05));
  $<HTMLSelectElement>('optimizer').value = params.get('optimizer') === 'adam' ? 'adam' : 'momentum';
  $<HTMLInputElement>('t-init').checked = (params.get('init') ?? STABLE.init) === 'he';
  const norm = params.get('norm');
  $<HTMLSelectElement>('t-norm').value = norm === '0' || norm === 'none' ? 'none' : norm === 'layer' || norm === 'rms' ? norm : STABLE.norm;
  $<HTMLInputElement>('t-residual').checked = flag('residual', STABLE.residual);
  // ?clip=global_norm (the old spelling) still works
  $<HTMLSelectElement>('t-clip').value = (params.get('clip') === 'global_norm' ? 'globalNorm' : params.get('clip')) ?? STABLE.clip;
  $<HTMLInputElement>('t-threshold').value = String(num('threshold', STABLE.clipThreshold));
  $<HTMLInputElement>('t-schedule').checked = flag('schedule', STABLE.schedule);
  $<HTMLInputElement>('t-decay').checked = flag('decay', STABLE.decay);
  // A different backend or thread count means a fresh page (tfjs backends start once per page).
  for (const id of ['backend', 'threads']) {
    $<HTMLSelectElement>(id).addEventListener('change', (e) => {
      const p = new URLSearchParams(location.search);
      p.set(id, (e.target as HTMLSelectElement).value);
      p.delete('autorun');
      location.search = p.toString();
    });
  }
  $('start').addEventListener('click', () => void start());
}

function readConfig(): {shared: Shared; stable: Techniques} {
  const int = (id: string, lo: number, hi: number): number =>
    Math.min(hi, Math.max(lo, Math.round(Number($<HTMLInputElement>(id).value) || lo)));
  const lr = Number($<HTMLInputElement>('lr').value);
  const thr = Number($<HTMLInputElement>('t-threshold').value);
  return {
    shared: {
      steps: int('steps', 10, 5000),
      depth: int('depth', 2, 64),
      width: int('width', 4, 256),
      lr: Number.isFinite(lr) && lr > 0 ? lr : 0.05,
      optimizer: $<HTMLSelectElement>('optimizer').value === 'adam' ? 'adam' : 'momentum',
      seed: num('seed', 3),
    },
    stable: {
      init: $<HTMLInputElement>('t-init').checked ? 'he' : 'normal',
      norm: $<HTMLSelectElement>('t-norm').value as Techniques['norm'],
      residual: $<HTMLInputElement>('t-residual').checked,
      clip: $<HTMLSelectElement>('t-clip').value as Techniques['clip'],
      clipThreshold: Number.isFinite(thr) && thr > 0 ? thr : 1,
      schedule: $<HTMLInputElement>('t-schedule').checked,
      decay: $<HTMLInputElement>('t-decay').checked,
    },
  };
}

// ---- rendering ------------------------------------------------------------------------------
const fmt = (v: number | null | undefined, digits = 3): string =>
  v == null ? '—' : Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v);

function showReport(r: BackendReport): void {
  $('report').innerHTML = '';
  const head = document.createElement('div');
  head.innerHTML = `<b data-testid="backend-name">${r.name}</b> · SIMD ${r.simd ? 'yes' : 'no'} · threads <b data-testid="threads">${r.threads}</b> · float32 ${r.float32 ? 'yes' : 'no'} · cross-origin isolated ${globalThis.crossOriginIsolated ? 'yes' : 'no'}`;
  const ul = document.createElement('ul');
  for (const n of r.notes) {
    const li = document.createElement('li');
    li.textContent = n;
    ul.appendChild(li);
  }
  $('report').append(head, ul);
  $('report').dataset.backend = r.name;
}

function addEvent(who: 'naive' | 'stable', e: PageEvent): void {
  const li = document.createElement('li');
  li.className = who;
  li.textContent = `[${who === 'naive' ? 'naive' : 'stabilised'}] step ${e.step}: ${e.cause} → ${e.action}: ${e.message}`;
  $('events').prepend(li);
  $('events-empty').hidden = true;
}

function showColumn(who: 'naive' | 'stable', run: Run, step: number): void {
  const c = state[who];
  const el = $(`${who}-stats`);
  const stopped = run.stopped ? ` · <span class="bad">stopped at step ${run.stopped.step}: ${run.stopped.reason}</span>` : '';
  el.innerHTML = `step ${Math.min(step, run.shared.steps)} / ${run.shared.steps} · loss ${fmt(c.lastLoss)} · ` +
    `${fmt(c.steadyMsPerStep, 3)} ms/step · guard events ${run.events.length}` +
    (c.accuracy != null ? ` · test accuracy <b>${(100 * c.accuracy).toFixed(1)}%</b>` : '') + stopped;
}

function showDoctor(who: 'naive' | 'stable', v: Verdict): void {
  $(`${who}-doctor`).textContent = `Doctor (stable-train diagnose): ${v.umbrella}`;
  $(`${who}-check`).textContent = `Playground check: ${v.verdict}`;
}

function describe(t: Techniques, s: Shared): string {
  const parts = [
    t.init === 'he' ? 'He normal init' : 'N(0, 1) init',
    t.norm === 'layer' ? 'LayerNorm' : t.norm === 'rms' ? 'RMSNorm' : 'no norm',
    t.residual ? 'residual blocks + ReZero gates' : 'plain stack',
    t.clip === 'none' ? 'no clipping' : `clip ${t.clip} ${t.clipThreshold}`,
    t.schedule ? `warmup-cosine to lr ${s.lr}` : `constant lr ${s.lr}`,
    t.decay ? 'decoupled weight decay' : 'no decay',
  ];
  return `${s.optimizer === 'adam' ? 'Adam' : 'SGD + momentum 0.9'}; ${parts.join(', ')}`;
}

// ---- training -------------------------------------------------------------------------------
let running = false;
let current: Run[] = [];

async function start(): Promise<void> {
  if (running) return;
  running = true;
  $<HTMLButtonElement>('start').disabled = true;
  try {
    await train();
  } catch (e) {
    state.error = (e as Error).stack ?? String(e);
    setStatus('error', `error: ${(e as Error).message}`);
    console.error(e);
  } finally {
    running = false;
    $<HTMLButtonElement>('start').disabled = false;
  }
}

async function train(): Promise<void> {
  for (const r of current) await r.dispose();
  current = [];
  const cfg = readConfig();
  const {shared} = cfg;
  Object.assign(state, {config: cfg, naive: column(), stable: column(), done: false, error: null, msPerStep: null, wallMs: null});
  $('events').replaceChildren();
  $('events-empty').hidden = false;
  $('naive-desc').textContent = describe(NAIVE, shared);
  $('stable-desc').textContent = describe(cfg.stable, shared);

  const data = twoSpirals(1024, 1);
  const test = twoSpirals(512, 2);
  const naive = new Run('naive', NAIVE, shared, (e) => addEvent('naive', e));
  const stable = new Run('stable', cfg.stable, shared, (e) => addEvent('stable', e));
  current = [naive, stable];
  state.naive.events = naive.events;
  state.stable.events = stable.events;
  state.naive.losses = naive.loss;
  state.stable.losses = stable.loss;

  setStatus('running', 'doctor: checking both networks at initialisation…');
  const diagBatches = Array.from({length: 3}, batcher(data, 64, 11));
  try {
    for (const [who, run] of [['naive', naive], ['stable', stable]] as const) {
      const v = await doctor(run.net, diagBatches);
      state[who].doctor = v;
      showDoctor(who, v);
    }
  } finally {
    diagBatches.forEach((b) => tf.dispose([b.x, b.y]));
  }

  const charts = new Charts($('charts'), shared.steps);
  const refresh = (step: number): void => {
    for (const [who, run] of [['naive', naive], ['stable', stable]] as const) {
      const c = state[who];
      c.lastLoss = run.lastLoss();
      c.recentLoss = run.recentLoss();
      c.stopped = run.stopped;
      c.msPerStep = run.stepsTaken ? run.stepMs / run.stepsTaken : null;
      c.steadyMsPerStep = run.steadyMs();
      showColumn(who, run, step);
    }
    charts.update({naive, stable});
    state.charts = charts.points();
  };

  setStatus('running', 'training…');
  const next = batcher(data, 64, 5);
  const t0 = performance.now();
  let lastDraw = 0;
  for (let s = 0; s < shared.steps; s++) {
    const b = next();
    try {
      await naive.step(b);
      await stable.step(b);
    } finally {
      tf.dispose([b.x, b.y]);
    }
    if (s % 10 === 9) await Promise.all([naive.trainer.flush(), stable.trainer.flush()]);
    if (performance.now() - lastDraw > 300) {
      refresh(s + 1);
      lastDraw = performance.now();
      await new Promise((r) => setTimeout(r, 0)); // let the page paint
    }
  }
  await Promise.all([naive.trainer.flush(), stable.trainer.flush()]);
  state.wallMs = performance.now() - t0;
  const taken = naive.stepsTaken + stable.stepsTaken;
  state.msPerStep = taken ? (naive.stepMs + stable.stepMs) / taken : null;
  state.naive.accuracy = naive.accuracy(test.x, test.y);
  state.stable.accuracy = stable.accuracy(test.x, test.y);
  refresh(shared.steps);
  state.done = true;
  setStatus('done', `done: ${shared.steps} steps in ${(state.wallMs / 1000).toFixed(1)} s on ${state.backend} ` +
    `(steady state: naive ${fmt(state.naive.steadyMsPerStep)} ms/step, stabilised ${fmt(state.stable.steadyMsPerStep)} ms/step)`);
}

// ---- boot -----------------------------------------------------------------------------------
async function boot(): Promise<void> {
  initControls();
  const backend = $<HTMLSelectElement>('backend').value as 'auto' | 'webgl' | 'wasm' | 'cpu';
  setStatus('loading', `setting up the ${backend} backend…`);
  // The .wasm binaries are copied next to the page at build time: nothing loads from a CDN.
  const report = await setupBackend({backend, threads: threadsParam(), wasmPaths: new URL('wasm/', location.href).href});
  // WebGL texture packing off unless ?pack=1: these networks are small, so the cost is per draw
  // call, and packing adds pack/unpack draws (measured 1.7x slower in SwiftShader); tfjs has also
  // seen NaN losses with packing in training.
  if (report.name === 'webgl') {
    const pack = flag('pack', false);
    tf.env().set('WEBGL_PACK', pack);
    report.notes.push(`webgl: texture packing ${pack ? 'on' : 'off (?pack=1 turns it on)'}`);
  }
  state.report = report;
  state.backend = report.name;
  showReport(report);
  setStatus('ready', `ready on ${report.name}: press Start`);
  if (flag('autorun', false)) await start();
}

boot().catch((e) => {
  state.error = (e as Error).stack ?? String(e);
  setStatus('error', `error: ${(e as Error).message}`);
  console.error(e);
});
