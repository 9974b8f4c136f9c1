export {maxNorm, StableTrainMaxNorm} from './max_norm';
export type {MaxNormArgs} from './max_norm';
export {unitNorm, StableTrainUnitNorm} from './unit_norm';
export {nonNeg, StableTrainNonNeg} from './non_neg';
export {minMaxNorm, StableTrainMinMaxNorm} from './min_max_norm';
export type {MinMaxNormArgs} from './min_max_norm';
export {applyConstraints} from './apply_constraints';
export {ConstraintEnforcer, enforceConstraints} from './constraint_enforcer';
