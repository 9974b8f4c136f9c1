export {bottleneck} from './bottleneck';
export type {BottleneckOptions} from './bottleneck';
export {dropPath, linearDropRate} from './drop_path';
export type {DropPathOptions} from './drop_path';
export {heUniform} from './he_uniform';
export {layerScale, layerScaleResidual} from './layer_scale';
export type {LayerScale, LayerScaleOptions} from './layer_scale';
export {preActBlock, preActBottleneck} from './pre_act_block';
export {ACTIVATION_NAMES, resolveActivation} from './resolve_activation';
export type {ResidualBlock} from './residual_block';
export {residualCnn} from './residual_cnn';
export type {ResidualCnnOptions, StageOptions} from './residual_cnn';
export {residualConv} from './residual_conv';
export type {ResidualConvOptions} from './residual_conv';
export {residualDense} from './residual_dense';
export type {ResidualDenseOptions} from './residual_dense';
export {residualMlp} from './residual_mlp';
export type {ResidualMlpOptions} from './residual_mlp';
export {squeezeExcite, squeezeExciteApply} from './squeeze_excite';
export type {SqueezeExcite, SqueezeExciteOptions} from './squeeze_excite';
export {stack} from './stack';
export type {Stack} from './stack';
export type {
  Activation,
  ActivationName,
  ApplyOptions,
  BlockOptions,
  FixupOptions,
  Gate,
  Initializer,
  Module,
  NormFactory,
} from './types';
export {zerosInit} from './zeros_init';
export {residualBlockApply, residualBlockWeights} from './residual_block_apply';
export type {BlockApplyOptions, BlockLayout, BlockWeightSpec, LayerSpec} from './residual_block_apply';
export type {BlockSpec} from './residual_block';
export {residualDenseSpec} from './residual_dense';
export {residualConvSpec} from './residual_conv';
export {bottleneckSpec} from './bottleneck';
