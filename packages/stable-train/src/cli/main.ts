import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {Command} from 'commander';
import {setupBackend} from '../backends';
import {diagnose} from '../diagnose';
import {Trainer} from '../trainer';
import {buildRun} from './build_run';
import {parseRunConfig, type RunConfig} from './config';
import {demoConfigs, RESCUES} from './demo';
import {progressReporter, silentReporter} from './progress';
import {summaryTable, writeHtmlReport} from './report';
import {lossPlot} from './terminal_plot';
import {parseThreadPool, parseThreads, THREAD_POOL_HELP, THREADS_HELP} from './threads_option';
import {version} from '../version';
import {runTraining, type RunSummary} from './run_training';

const readConfig = (file: string): RunConfig => {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read config ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseRunConfig(json, file);
};

/** The report's default path; the run names are reduced to safe file-name characters (no `../`). */
const defaultReport = (name: string): string =>
  path.join(os.tmpdir(), 'stable-train', `${name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'run'}-report.html`);

async function finish(runs: RunSummary[], opts: {json?: boolean; report?: string}, title: string, extra: object = {}): Promise<void> {
  const report = writeHtmlReport(opts.report ?? defaultReport(runs.map((r) => r.name).join('-')), runs, title);
  if (opts.json) {
    const slim = runs.map(({history, guardLog, ...r}) => ({...r, logged: history.length, judged: guardLog.length}));
    process.stdout.write(JSON.stringify({runs: slim, report, ...extra}, null, 2) + '\n');
  } else {
    process.stdout.write('\n' + summaryTable(runs) + '\n');
    const plot = lossPlot(runs);
    if (plot) process.stdout.write('\n' + plot + '\n');
    process.stdout.write(`\nHTML report: ${report}\n`);
  }
}

/** Runs the `stable-train` command line with `argv` (as `process.argv`). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('stable-train').description('Train deep networks on TensorFlow.js without exploding gradients')
    .version(version, '-V, --version', 'print the stable-train version').showHelpAfterError();

  program.command('demo').description('MNIST, 32 layers deep: naive (diverges) vs the stable-train recipe')
    .option('--json', 'machine-readable output').option('--report <file>', 'HTML report path').option('--backend <name>', 'wasm | cpu | auto', 'wasm')
    .option('--threads <n>', THREADS_HELP, parseThreads).option('--thread-pool <pool>', THREAD_POOL_HELP, parseThreadPool)
    .action(async (o: {json?: boolean; report?: string; backend: 'wasm' | 'cpu' | 'auto'; threads?: number | 'auto'; threadPool?: 'gemm' | 'xnnpack'}) => {
      const t0 = Date.now();
      const be = await setupBackend({backend: o.backend, threads: o.threads, threadPool: o.threadPool});
      const rep = o.json ? silentReporter : progressReporter();
      if (!o.json) process.stderr.write(`backend: ${be.name}${be.simd ? ' (SIMD)' : ''}, ${be.threads} thread(s)\n`);
      const runs: RunSummary[] = [];
      for (const c of demoConfigs(o.backend)) {
        if (!o.json) process.stderr.write(`\n${c.name === 'naive' ? 'Naive: 32 plain ReLU layers, N(0,1) init, SGD lr 0.1' : 'Stable: 16 residual blocks (32 layers), He init, ReZero gates, clip 1.0, warm-up+cosine, AdamW'}\n`);
        runs.push(await runTraining(c, rep));
      }
      const seconds = (Date.now() - t0) / 1000;
      await finish(runs, o, 'stable-train demo: naive vs stabilised (MNIST, 32 layers)', {totalSeconds: seconds});
      if (!o.json) {
        const [naive, stable] = runs;
        process.stdout.write(`\nnaive: ${naive.status === 'gave-up' ? `diverged, the guard gave up after ${naive.skipped} bad steps` : naive.status}; ` +
          `stable: ${(100 * stable.test.accuracy).toFixed(1)}% test accuracy. Total ${seconds.toFixed(1)} s.\n`);
        process.stdout.write(`\nWhat each technique rescues (npm run bench:rescue; table at the top of docs/RESULTS.md):\n${RESCUES.map((r) => `  ${r.technique}: ${r.rescues}.`).join('\n')}\n`);
      }
    });

  program.command('train').description('train from a JSON run config').requiredOption('--config <file>', 'run config (JSON)')
    .option('--json', 'machine-readable output').option('--report <file>', 'HTML report path').option('--threads <n>', THREADS_HELP, parseThreads)
    .option('--thread-pool <pool>', THREAD_POOL_HELP, parseThreadPool)
    .action(async (o: {config: string; json?: boolean; report?: string; threads?: number | 'auto'; threadPool?: 'gemm' | 'xnnpack'}) => {
      const c = readConfig(o.config);
      await setupBackend({backend: c.backend ?? 'wasm', threads: o.threads, threadPool: o.threadPool});
      const r = await runTraining(c, o.json ? silentReporter : progressReporter());
      await finish([r], o, `stable-train: ${r.name}`);
    });

  program.command('resume').description('continue a run from its checkpoint folder').argument('<dir>', 'checkpoint folder (train.checkpointDir)')
    .option('--json', 'machine-readable output').option('--report <file>', 'HTML report path').option('--threads <n>', THREADS_HELP, parseThreads)
    .option('--thread-pool <pool>', THREAD_POOL_HELP, parseThreadPool)
    .option('--steps <n>', 'train until this many steps in all (instead of the saved config\'s length)')
    .action(async (dir: string, o: {json?: boolean; report?: string; steps?: string; threads?: number | 'auto'; threadPool?: 'gemm' | 'xnnpack'}) => {
      if (fs.existsSync(path.join(dir, 'meta.json'))) throw new Error(`resume: ${dir} is one checkpoint folder; give the run folder that holds it (checkpoints are written only into the folder given)`);
      const extra = (await Trainer.readExtra(dir)) as {config?: unknown} | null;
      if (!extra?.config) throw new Error(`${dir}: the checkpoint holds no run config (was it written by \`stable-train train\`?)`);
      let c = parseRunConfig(extra.config, `${dir} (saved config)`);
      if (o.steps !== undefined) {
        const n = Number(o.steps);
        if (!(Number.isInteger(n) && n >= 1)) throw new Error(`resume: --steps must be an integer >= 1, got ${JSON.stringify(o.steps)}`);
        const {epochs: _e, ...train} = c.train;
        c = parseRunConfig({...c, train: {...train, steps: n}}, '--steps');
      }
      await setupBackend({backend: c.backend ?? 'wasm', threads: o.threads, threadPool: o.threadPool});
      const r = await runTraining(c, o.json ? silentReporter : progressReporter(), dir);
      await finish([r], o, `stable-train: ${r.name} (resumed)`);
    });

  program.command('doctor').description('diagnose a model at init: per-layer gradient and activation norms, growth, loss scale, verdict').requiredOption('--config <file>', 'run config (JSON)')
    .option('--json', 'machine-readable output')
    .action(async (o: {config: string; json?: boolean}) => {
      const c = readConfig(o.config);
      await setupBackend({backend: c.backend ?? 'wasm'});
      const built = await buildRun(c);
      const idx = Array.from({length: Math.min(c.train.batchSize, built.train.size)}, (_, i) => i);
      const batch = built.train.batch(idx);
      const d = await diagnose(built.model, batch, {loss: built.trainerOptions.loss});
      batch.x.dispose();
      batch.y.dispose();
      built.dispose();
      if (o.json) process.stdout.write(JSON.stringify(d, null, 2) + '\n');
      else {
        for (const l of d.layers) process.stdout.write(`${l.name.padEnd(36)} grad ${l.gradNormInit.toExponential(2)}  weight ${l.weightNorm.toExponential(2)}\n`);
        const fwd = Number.isFinite(d.forwardGrowthPerLayer) ? `${d.forwardGrowthPerLayer.toFixed(3)}×` : 'n/a (model has no trace)';
        process.stdout.write(`\nactivation growth per layer (input → output): ${fwd}\ngradient-norm growth per layer (output → input): ${d.growthPerLayer.toFixed(3)}×\n` +
          `loss at init: ${d.loss.toPrecision(4)}${Number.isFinite(d.chanceLoss) ? ` (chance level ${d.chanceLoss.toFixed(3)})` : ''}\n${d.status.toUpperCase()}: ${d.verdict}\n`);
      }
    });

  await program.parseAsync(argv);
}
