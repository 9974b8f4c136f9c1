// End-to-end test of the playground in a real Chromium (playwright-core + the system chromium):
// builds the page, serves it with COOP/COEP, trains on WebGL then on WASM, and checks what a
// person would see: the backend reported, a guard event from the naive run, the stabilised loss
// falling below a threshold, charts with data, no request leaving the machine. Screenshots:
// screenshot-webgl.png and screenshot-wasm.png (git-ignored, so a test run leaves the tree
// clean); UPDATE_SCREENSHOT=1 also copies the WebGL one to screenshot.png, the README's.
// Usage: node test/e2e.mjs [webgl] [wasm]   env: STEPS (default 120), CHROMIUM (/usr/bin/chromium),
// THREADS (WASM threads asked for with ?threads=, default 2; the page must report exactly that many)
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';
import {serve} from '../scripts/serve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = Number(process.env.STEPS ?? 120);
const THREADS = Number(process.env.THREADS ?? 2);
const EXECUTABLE = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BACKENDS = process.argv.slice(2).length ? process.argv.slice(2) : ['webgl', 'wasm'];
// Measured on this 2-core machine (SwiftShader WebGL and WASM-SIMD, 150-200 steps): the stabilised
// run ends near loss 1e-3 and 100% test accuracy; chance is ln 2 = 0.69. 0.1 leaves a wide margin.
const LOSS_THRESHOLD = 0.1;
const ACCURACY_THRESHOLD = 0.9;
const PER_BACKEND_TIMEOUT_MS = 150_000;

const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const fmt = (v, d = 3) => (v == null ? 'n/a' : Number.isFinite(v) ? Number(v.toPrecision(d)).toString() : String(v));

if (!existsSync(EXECUTABLE)) {
  console.error(`e2e: no Chromium at ${EXECUTABLE} (Debian: apt-get install chromium; or set CHROMIUM=/path)`);
  process.exit(2);
}

const t0 = Date.now();
const b = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {stdio: 'inherit'});
if (b.status !== 0) {
  console.error('e2e: build failed');
  process.exit(1);
}
const server = await serve({dir: join(ROOT, 'dist'), port: 0, quiet: true});
const origin = `http://127.0.0.1:${server.address().port}`;
const profile = mkdtempSync(join(tmpdir(), 'playground-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: EXECUTABLE,
  headless: true,
  viewport: {width: 1280, height: 1000},
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
// Offline: anything not served by our server is refused and counted.
const external = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
  external.push(url);
  return route.abort();
});

const summary = [];
try {
  for (const backend of BACKENDS) {
    console.log(`\n== ${backend}: ${origin}/?backend=${backend}&autorun=1&steps=${STEPS}&threads=${THREADS}`);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const start = Date.now();
    await page.goto(`${origin}/?backend=${backend}&autorun=1&steps=${STEPS}&threads=${THREADS}`);
    let st;
    try {
      await page.waitForFunction(() => window.__playground && (window.__playground.done || window.__playground.error), null, {
        timeout: PER_BACKEND_TIMEOUT_MS,
        polling: 500,
      });
    } catch (e) {
      check(false, `${backend}: finished within ${PER_BACKEND_TIMEOUT_MS / 1000} s (${e.message.split('\n')[0]})`);
    }
    st = await page.evaluate(() => JSON.parse(JSON.stringify(window.__playground)));
    const wall = Date.now() - start;
    const shot = join(ROOT, `screenshot-${backend}.png`);
    await page.screenshot({path: shot, fullPage: true});
    if (backend === 'webgl' && process.env.UPDATE_SCREENSHOT === '1') copyFileSync(shot, join(ROOT, 'screenshot.png'));

    check(st.error == null, `${backend}: no page error${st.error ? `: ${st.error}` : ''}`);
    check(st.backend === backend, `${backend}: page reports backend '${st.backend}'`);
    const shown = await page.getAttribute('#report', 'data-backend');
    check(shown === backend, `${backend}: backend report on the page says '${shown}'`);
    if (backend === 'wasm') {
      const isolated = await page.evaluate(() => globalThis.crossOriginIsolated === true);
      check(isolated, 'wasm: the page is cross-origin isolated (COOP/COEP served)');
      const threadsShown = Number(await page.textContent('[data-testid="threads"]'));
      check(st.report?.threads === THREADS && threadsShown === THREADS, `wasm: ${THREADS} threads asked for, ${st.report?.threads} in use, ${threadsShown} shown on the page`);
    }
    check(st.done === true, `${backend}: training finished (${STEPS} steps)`);
    const guard = st.naive.events.filter((e) => e.action && e.action !== 'none');
    check(guard.length > 0, `${backend}: the naive run raised guard events (${guard.length}, first: ${guard[0] ? `step ${guard[0].step} ${guard[0].cause} -> ${guard[0].action}` : 'none'})`);
    const listed = await page.locator('#events li').count();
    check(listed >= guard.length && listed > 0, `${backend}: events listed on the page (${listed})`);
    const sl = st.stable.recentLoss;
    check(sl != null && sl < LOSS_THRESHOLD, `${backend}: stabilised loss (mean of last 20) ${fmt(sl)} < ${LOSS_THRESHOLD}`);
    check(st.stable.accuracy != null && st.stable.accuracy >= ACCURACY_THRESHOLD, `${backend}: stabilised test accuracy ${fmt(st.stable.accuracy)} >= ${ACCURACY_THRESHOLD}`);
    check(st.charts.length === 3 && st.charts.every((n) => n > 0) && st.charts[0] >= STEPS / 2, `${backend}: charts have data (points: ${st.charts.join(', ')})`);
    const canvases = await page.locator('#charts canvas').count();
    check(canvases === 3, `${backend}: three uPlot canvases drawn (${canvases})`);
    check(st.stable.doctor != null && st.naive.doctor != null, `${backend}: doctor verdicts shown`);
    check(errors.length === 0, `${backend}: no console errors${errors.length ? `: ${errors.slice(0, 3).join(' | ')}` : ''}`);
    console.log(`  screenshot: ${shot}`);
    summary.push({backend, st, wall, guard});
    await page.close();
  }
  check(external.length === 0, `no request left the machine${external.length ? `: ${external.slice(0, 3).join(', ')}` : ''}`);
} finally {
  await context.close();
  server.close();
  rmSync(profile, {recursive: true, force: true});
}

console.log('\n== summary');
for (const {backend, st, wall, guard} of summary) {
  const r = st.report ?? {};
  console.log(
    `${backend.padEnd(6)} simd=${r.simd} threads=${r.threads} float32=${r.float32} | ${STEPS} steps in ${fmt(st.wallMs / 1000)} s (page ${fmt(wall / 1000)} s) | ` +
      `ms/step (steady) naive ${fmt(st.naive.steadyMsPerStep)} stabilised ${fmt(st.stable.steadyMsPerStep)} (mean incl. warm-up ${fmt(st.stable.msPerStep)}) | ` +
      `loss naive ${fmt(st.naive.lastLoss)}${st.naive.stopped ? ` (stopped at step ${st.naive.stopped.step})` : ''} stabilised ${fmt(st.stable.recentLoss)} | ` +
      `accuracy naive ${fmt(st.naive.accuracy)} stabilised ${fmt(st.stable.accuracy)} | guard events naive ${guard.length} stabilised ${st.stable.events.length}`,
  );
}
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.error(`\ne2e: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('e2e: all checks passed');
