/**
 * @stable-train/layers: every stable-train technique where tf.layers users build and train
 * models. The namespaces follow tfjs's own (`tf.initializers`, `tf.regularizers`,
 * `tf.constraints`, `tf.layers`, `tf.train`/optimizers, `tf.callbacks`).
 */
export * as initializers from './initializers';
export * as regularizers from './regularizers';
export * as constraints from './constraints';
export * as layers from './layers';
export * as optimizers from './optimizers';
export * as callbacks from './callbacks';
export {fromLayersModel} from './from_layers_model';
export {updateBatchNormStats} from './update_batch_norm_stats';
