import {buildResidualBlock} from './residual_block';
import type {BlockSpec, ResidualBlock} from './residual_block';
import type {BlockOptions} from './types';
import {checkCommon, checkInt, checkOptions} from './validate';

/** Options of {@link residualDense}. */
export interface ResidualDenseOptions extends BlockOptions {
  /** features of the block's output (and input, unless `inputUnits` differs) */
  units: number;
  /** features of the hidden layer, default `units` */
  hidden?: number;
  /** features of the input, default `units`; when different, a dense projection shortcut is added */
  inputUnits?: number;
}

/**
 * Pre-activation dense residual block: y = s(x) + g · F(x) with
 * F(x) = dense2(act(norm2(dense1(act(norm1(x)))))), s = identity (or a bias-free dense
 * projection of act(norm1(x)) when `inputUnits != units`), g = the gate's alpha (or 1).
 *
 * The dense analogue of the pre-activation block of He et al. 2016, "Identity Mappings in Deep
 * Residual Networks", https://arxiv.org/abs/1603.05027 (timm `PreActBasic` / `ResNetV2`).
 * Variables: `${name}/dense1/kernel [in, hidden]`, `${name}/dense1/bias`,
 * `${name}/dense2/kernel [hidden, units]`, `${name}/dense2/bias`, `${name}/gate/alpha` (gated),
 * `${name}/shortcut/kernel` (projection), `${name}/fixup/bias1..4` and `${name}/fixup/scale`
 * (Fixup), and the norm modules' own variables under `${name}/norm1`, `${name}/norm2`.
 *
 * ```ts
 * const block = residualDense({units: 64, hidden: 128, name: 'block0', gate: 'rezero'});
 * const y = block.apply(x, {training: true}); // x: [batch, 64]
 * ```
 * @param opts.units output features (int > 0)
 * @param opts.hidden hidden features (int > 0), default `units`
 * @param opts.inputUnits input features, default `units`
 * @param opts.name prefix of every variable name
 * @param opts.norm normalisation factory `(channels, name) => Module`; absent = none
 * @param opts.activation `'relu'` (default), another name, or a function
 * @param opts.gate `'none'` (default), `'rezero'`, `'skipinit'` or `{init}`
 * @param opts.fixup `{numBlocks}`: Fixup init (branch layer 1 scaled by L^(-1/2), layer 2 zero)
 * @param opts.kernelInit kernel initialiser, default He uniform
 * @param opts.biasInit bias initialiser, default zeros
 * @param opts.useBias dense biases in the branch, default true
 */
export function residualDense(opts: ResidualDenseOptions): ResidualBlock {
  return buildResidualBlock(residualDenseSpec(opts));
}

/**
 * The validated layout of a {@link residualDense} block (its weight layers, shortcut, gate and Fixup), for
 * `residualBlockApply` / `residualBlockWeights`: the same checks and error messages as
 * `residualDense`, no tensors made. `residualDense(opts)` builds its module from this.
 * @param opts as for {@link residualDense}
 */
export function residualDenseSpec(opts: ResidualDenseOptions): BlockSpec {
  const where = checkOptions('residualDense', opts);
  const units = checkInt(where, 'units', opts.units);
  const hidden = opts.hidden === undefined ? units : checkInt(where, 'hidden', opts.hidden);
  const inputUnits = opts.inputUnits === undefined ? units : checkInt(where, 'inputUnits', opts.inputUnits);
  const {alpha0, fixupL} = checkCommon(where, opts);
  const bias = opts.useBias ?? true;
  return {
    where,
    opts,
    alpha0,
    fixupL,
    kind: 'dense',
    layers: [
      {label: 'dense1', kernelShape: [inputUnits, hidden], stride: 1, bias},
      {label: 'dense2', kernelShape: [hidden, units], stride: 1, bias},
    ],
    shortcut: inputUnits !== units ? {label: 'shortcut', kernelShape: [inputUnits, units], stride: 1, bias: false} : null,
  };
}
