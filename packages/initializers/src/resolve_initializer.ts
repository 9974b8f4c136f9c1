import {constant, ones, zeros} from './constant';
import {deltaOrthogonal} from './delta_orthogonal';
import {dirac} from './dirac';
import {glorotNormal} from './glorot_normal';
import {glorotUniform} from './glorot_uniform';
import {heNormal} from './he_normal';
import {heUniform} from './he_uniform';
import {identity} from './identity';
import {Initializer} from './initializer';
import {lecunNormal} from './lecun_normal';
import {lecunUniform} from './lecun_uniform';
import {normal} from './normal';
import {orthogonal} from './orthogonal';
import {sparse} from './sparse';
import {truncatedNormal} from './truncated_normal';
import {uniform} from './uniform';
import {checkOptions, show} from './validate';
import {varianceScaling} from './variance_scaling';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Factory = (opts: any) => Initializer;

const FACTORIES: Record<string, Factory> = {
  zeros: () => zeros,
  ones: () => ones,
  constant: (o: {value?: number}) => constant(o.value as number),
  identity: () => identity,
  eye: () => identity,
  uniform,
  normal,
  truncated_normal: truncatedNormal,
  trunc_normal: truncatedNormal,
  glorot_uniform: glorotUniform,
  xavier_uniform: glorotUniform,
  glorot_normal: glorotNormal,
  xavier_normal: glorotNormal,
  he_uniform: heUniform,
  kaiming_uniform: heUniform,
  he_normal: heNormal,
  kaiming_normal: heNormal,
  lecun_uniform: lecunUniform,
  lecun_normal: lecunNormal,
  variance_scaling: varianceScaling,
  orthogonal,
  delta_orthogonal: deltaOrthogonal,
  dirac,
  sparse,
};

/** Names `resolveInitializer` accepts (snake_case; camelCase and PyTorch `xavier_*` / `kaiming_*` work too). */
export const INITIALIZER_NAMES = Object.keys(FACTORIES);

/**
 * Builds an initializer from its name and plain options, for configs and the CLI. Names are
 * snake_case (`'he_normal'`), camelCase (`'heNormal'`) or PyTorch's (`'kaiming_normal'`,
 * `'xavier_uniform'`, a trailing `_` allowed); options are those of the named factory
 * (`constant` needs `{value}`, `sparse` needs `{sparsity}`).
 *
 * Like Keras `initializers.get` / timm's factories.
 *
 * ```ts
 * const init = resolveInitializer('kaiming_normal', {mode: 'fan_out', nonlinearity: 'relu'});
 * const w = init([3, 3, 64, 128], {seed: 1});
 * ```
 * @param name the initializer's name
 * @param options options passed to its factory
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resolveInitializer(name: string, options?: Record<string, any>): Initializer {
  if (typeof name !== 'string') throw new Error(`resolveInitializer: name must be a string, got ${show(name)}`);
  const key = name
    .trim()
    .replace(/_$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
  // own keys only: 'constructor', 'toString', … must not resolve through Object.prototype
  const factory = Object.prototype.hasOwnProperty.call(FACTORIES, key) ? FACTORIES[key] : undefined;
  if (!factory) {
    throw new Error(`resolveInitializer: name must be one of ${INITIALIZER_NAMES.join(', ')}, got ${show(name)}`);
  }
  const o = checkOptions<Record<string, unknown>>('resolveInitializer', options);
  if (key === 'constant' && o.value === undefined) {
    throw new Error(`resolveInitializer: options must be {value} for 'constant', got ${show(options)}`);
  }
  if (key === 'sparse' && o.sparsity === undefined) {
    throw new Error(`resolveInitializer: options must be {sparsity, std?} for 'sparse', got ${show(options)}`);
  }
  return factory(options);
}
