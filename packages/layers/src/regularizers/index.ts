export {l1, StableTrainL1} from './l1';
export {l2, StableTrainL2} from './l2';
export {l1l2, StableTrainL1L2} from './l1l2';
export {orthogonal, StableTrainOrthogonalRegularizer} from './orthogonal';
export type {OrthogonalArgs} from './orthogonal';
