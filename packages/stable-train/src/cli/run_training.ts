import {evaluate, type EvalResult} from '../evaluate';
import type {FitResult} from '../fit';
import type {StepMetrics} from '../step_metrics';
import {Trainer, type GuardRecord} from '../trainer';
import type {TrainerEvent} from '../types';
import {buildRun} from './build_run';
import type {RunConfig} from './config';

/** Receives progress while a run trains (the CLI's progress bar, or nothing for --json). */
export interface Reporter {
  start(name: string, totalSteps: number, fromStep: number): void;
  step(m: StepMetrics): void;
  event(e: TrainerEvent): void;
  stop(): void;
}

/** The outcome of one run, as the summary table, the HTML report and `--json` show it. */
export interface RunSummary {
  name: string;
  status: FitResult['status'];
  steps: number;
  seconds: number;
  test: EvalResult;
  /** The test split with the averaged weights (config `averaging`, once the average has started), and which average. */
  averaged?: EvalResult & {averaging: string};
  lastLoss: number;
  skipped: number;
  events: TrainerEvent[];
  history: StepMetrics[];
  /** Every step the guard judged (loss and gradient norm of bad steps included). */
  guardLog: GuardRecord[];
  checkpoint?: string;
}

/**
 * Builds and trains one run from its config (or resumes it from `resumeDir`), evaluates it on the
 * test split and returns the summary. Checkpoints go to `train.checkpointDir` when set.
 * @param config a validated run config
 * @param reporter progress sink
 * @param resumeDir a checkpoint folder to continue from
 */
export async function runTraining(config: RunConfig, reporter: Reporter, resumeDir?: string): Promise<RunSummary> {
  const built = await buildRun(config);
  const name = config.name ?? 'run';
  const opts = {...built.trainerOptions, onStep: (m: StepMetrics) => reporter.step(m), onEvent: (e: TrainerEvent) => reporter.event(e)};
  const trainer = resumeDir ? await Trainer.restore(resumeDir, opts) : new Trainer(opts);
  // A resume writes only into the folder it was given, never into the checkpointDir stored in the
  // checkpoint (a copied or crafted checkpoint must not make the CLI write or prune elsewhere).
  const checkpointDir = resumeDir ?? config.train.checkpointDir;
  const per = Math.floor(built.train.size / config.train.batchSize);
  const total = config.train.steps ?? (config.train.epochs ?? 1) * per;
  reporter.start(name, total, trainer.step_);
  let fit: FitResult;
  try {
    fit = await trainer.fit(built.train, {
      batchSize: config.train.batchSize, steps: total,
      checkpointDir, checkpointEvery: config.train.checkpointEvery,
      checkpointExtra: {config},
      ...(built.validateOnTest ? {validation: built.test} : {}),
    });
  } finally {
    reporter.stop();
  }
  const test = await evaluate(built.model, built.test, {loss: built.trainerOptions.loss});
  const av = trainer.averaging;
  const averaged = av?.initialized
    ? {...await trainer.evaluate(built.test, {weights: 'averaged', ...(av.updateBatchNorm ? {batchNormData: built.train, batchSize: config.train.batchSize} : {})}), averaging: av.describe()}
    : undefined;
  const last = trainer.history[trainer.history.length - 1];
  const summary: RunSummary = {
    name, status: fit.status, steps: fit.steps, seconds: fit.seconds, test, ...(averaged ? {averaged} : {}), lastLoss: last?.loss ?? NaN,
    skipped: trainer.guard.badSteps, events: trainer.events.filter((e) => e.kind !== 'checkpoint'),
    history: trainer.history, guardLog: trainer.guardLog, checkpoint: fit.lastCheckpoint,
  };
  trainer.dispose();
  built.dispose();
  built.model.dispose();
  trainer.optimizer.dispose();
  return summary;
}
