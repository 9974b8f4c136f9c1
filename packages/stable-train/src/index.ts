// Main entry: browser-safe (bundles with `esbuild --bundle --platform=browser`, tfjs external)
// and free of side effects: importing it registers nothing; call setupBackend() to set up
// backends and training kernels. Node-only parts (file checkpoint folders, the MNIST loader, the
// CLI) are in `stable-train/node` (src/node.ts).
export {version} from './version';
export * from './backends';

// The six technique packages, as namespaces.
export * as clip from '@stable-train/grad-clip';
export * as init from '@stable-train/initializers';
export * as norm from '@stable-train/batchnorm';
export * as schedule from '@stable-train/lr-schedule';
export * as regularize from '@stable-train/regularizers';
export * as blocks from '@stable-train/resnet-blocks';

export {Trainer, type GuardRecord, type Stateful, type StepResult, type TrainerEvalOptions, type TrainerOptions} from './trainer';
export {AveragingStage, type AveragingJson, type AveragingOptions, type AveragingWhen} from './averaging_stage';
export {evaluateWith, inputBatches, type EvalSubject} from './evaluate_averaged';
export {ExplosionGuard, type GuardOptions, type GuardState, type GuardVerdict, type StepStats} from './guard';
export {RunningMedian} from './running_median';
export {Snapshot} from './snapshot';
export {captureOptimizerState, restoreOptimizerState, type NamedState} from './optimizer_state';
export {getOptimizerLr, setOptimizerLr} from './optimizer_lr';
export {allFiniteScalar, batchFinite, computeGrads, safeGlobalNorm, type GradResult} from './compute_grads';
export {packMetrics, unpackMetrics, type LayerMetrics, type StepMetrics} from './step_metrics';
export {fitLoop, type EpochSummary, type FitOptions, type FitResult} from './fit';
export {evaluate, type EvalResult} from './evaluate';
export {diagnose, type Diagnosis} from './diagnose';
export {CHECKPOINT_FORMAT, CHECKPOINT_VERSION, fnv1a, metaHashOf, packCheckpoint, unpackCheckpoint, verifyCheckpoint, type CheckpointMeta, type CheckpointSubject, type TensorEntry} from './checkpoint';
export {TrainState, type TrainStateJson} from './train_state';
export {isSelfScheduled, LrPlan} from './lr_plan';
export {measure, readPacked, type Measured} from './measure';
export {applyTransforms, applyUpdate, preservesFinite, updateIsFinite} from './step_stages';
export type {FitTarget} from './fit_target';
export {ARTIFACTS_KEY, artifactsToCheckpoint, checkpointToArtifacts, isIoUrl, readCheckpoint, writeCheckpoint, type CheckpointTarget} from './checkpoint_io';
export {stateFromJson, stateToJson} from './state_json';
export {meanSquaredError, resolveLoss, softmaxCrossEntropy, type LossFn, type LossName, type LossSpec, type SoftmaxCrossEntropyOptions} from './losses';
export {createRng, type Rng} from './rng';
export * from './data';
export * from './models';
export type {Batch, GradTransform, GuardAction, GuardCause, Module, NamedTensorMap, Penalty, PostUpdate, Schedule, TrainerEvent} from './types';
