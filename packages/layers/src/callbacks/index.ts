/**
 * `model.fit` callbacks with Keras's names and (camelCased) arguments: learning-rate schedules,
 * ReduceLROnPlateau, TerminateOnNaN, an explosion guard with rollback, EarlyStopping with
 * restoreBestWeights, ModelCheckpoint, a gradient doctor and weight averaging (EMA / SWA).
 */
export {learningRateScheduler, LearningRateScheduler, type LearningRateSchedulerOptions} from './learning_rate_scheduler';
export {reduceLROnPlateau, ReduceLROnPlateau, type ReduceLROnPlateauOptions} from './reduce_lr_on_plateau';
export {terminateOnNaN, TerminateOnNaN} from './terminate_on_nan';
export {explosionGuard, ExplosionGuard, type ExplosionGuardOptions, type GuardEvent} from './explosion_guard';
export {earlyStopping, EarlyStopping, type EarlyStoppingOptions} from './early_stopping';
export {modelCheckpoint, ModelCheckpoint, type ModelCheckpointOptions} from './model_checkpoint';
export {weightAveraging, WeightAveraging, type WeightAveragingOptions} from './weight_averaging';
export {gradientDoctor, GradientDoctor, formatReport, type GradientDoctorOptions, type GradientReport} from './gradient_doctor';
// re-exported from constraints: tfjs-layers 4.22 never applies kernel constraints in fit
export {ConstraintEnforcer, enforceConstraints} from '../constraints/constraint_enforcer';
