export {ArrayDataset, batchIndices, type ArrayDatasetOptions, type Dataset} from './dataset';
export {addingProblem, teacherStudent, twoSpirals} from './synthetic';
