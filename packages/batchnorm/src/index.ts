export {batchNormTrain} from './batch_norm_train';
export type {BatchNormTrainResult} from './batch_norm_train';
export {batchNormInference} from './batch_norm_inference';
export {layerNorm} from './layer_norm';
export {groupNorm} from './group_norm';
export {rmsNorm} from './rms_norm';
