export {mlp, type MlpOptions} from './mlp';
export {residualMlp, type ResidualMlpModelOptions} from './residual_mlp';
export {residualCnn, type ResidualCnnModelOptions} from './residual_cnn';
export {rnn, type RnnOptions} from './rnn';
export {dense, newVariable, seededInit, normFactory, sequential, type InitSpec, type Model, type NormSpec} from './layers';
