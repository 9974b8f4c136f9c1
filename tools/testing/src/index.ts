export {ALL_BACKENDS, describeBackends, useBackend} from './backends';
export type {TestBackend} from './backends';
export {expectClose} from './expect_close';
export type {Tolerance} from './expect_close';
export {expectNoLeak} from './expect_no_leak';
export {GOLDENS_DIR, goldenData, goldenNumber, goldenTensor, loadGolden} from './goldens';
export type {GoldenName, GoldenTensor} from './goldens';
export {allFiniteDeep, clearOrCorrect, EDGE_NUMBERS, hostileNumber, hostileTensor, hostileValue, WRONG_TYPES} from './bad_input';
export type {ClearOrCorrectOptions, TensorMaker} from './bad_input';
