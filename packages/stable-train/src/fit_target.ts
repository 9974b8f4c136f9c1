import type {Dataset} from './data/dataset';
import type {EvalResult} from './evaluate';
import type {TrainerEvalOptions} from './evaluate_averaged';
import type {LossFn, LossName} from './losses';
import type {TrainState} from './train_state';
import type {Batch, Module, TrainerEvent} from './types';

/** What the fit loop drives (the Trainer); declared here so that fit.ts does not import trainer.ts. */
export interface FitTarget {
  readonly model: Module;
  readonly seed: number;
  readonly step_: number;
  readonly state: TrainState;
  readonly guard: {readonly gaveUp: boolean; readonly badInARow: number};
  readonly opts: {loss?: LossName | LossFn; plateau?: {step(metric: number): number}};
  step(batch: Batch): Promise<unknown>;
  meanLoss(): Promise<number>;
  flush(): Promise<void>;
  emit(e: TrainerEvent): void;
  save(dir: string, extra?: unknown): Promise<string>;
  /** The weight averaging, if any (`fit` then also validates with the averaged weights). */
  readonly averaging?: {readonly initialized: boolean; readonly updateBatchNorm: boolean; describe(): string} | null;
  evaluate?(data: Dataset, opts?: TrainerEvalOptions): Promise<EvalResult>;
}
