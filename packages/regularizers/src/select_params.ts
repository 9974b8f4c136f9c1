import * as tf from '@tensorflow/tfjs-core';
import {checkOptions, show} from './validate';

/** Decides from a parameter's name and tensor whether a mask pattern matches it. */
export type ParamPredicate = (name: string, tensor: tf.Tensor) => boolean;

/**
 * One pattern of a mask: a name glob or a predicate.
 *
 * Globs match the whole name: `*` matches any run of characters inside one path segment (not
 * `/`), `**` matches across segments (`**\/` also matches zero segments, so `**\/bias` matches
 * `bias` and `a/b/bias`), `?` matches one character other than `/`; everything else is literal.
 */
export type MaskPattern = string | ParamPredicate;

/**
 * Chooses a set of parameters by name: those matching `include` (every parameter when it is
 * absent) minus those matching `exclude`. Each side is one pattern or a list (any may match).
 * An empty mask `{}` selects everything.
 */
export interface ParamMask {
  include?: MaskPattern | MaskPattern[];
  exclude?: MaskPattern | MaskPattern[];
}

/** Compiles a glob (see {@link MaskPattern}) to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  if (typeof glob !== 'string') throw new Error(`globToRegExp: glob must be a string, got ${show(glob)}`);
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` = zero or more whole segments; a trailing or inner `**` = anything at all
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const COMPILED = Symbol('compiledMask');

function isCompiled(m: unknown): m is CompiledMask {
  return typeof m === 'object' && m !== null && (m as {[COMPILED]?: true})[COMPILED] === true;
}

/** One compiled mask pattern (internal). */
export interface Compiled {
  label: string;
  glob?: string;
  test: (name: string, t: tf.Tensor) => boolean;
}

function compileSide(fn: string, side: 'include' | 'exclude', v: unknown): Compiled[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  return list.map((p, i) => {
    const label = Array.isArray(v) ? `mask.${side}[${i}]` : `mask.${side}`;
    if (typeof p === 'string') {
      if (p.length === 0) throw new Error(`${fn}: ${label} must be a non-empty glob, got ''`);
      const re = globToRegExp(p);
      return {label, glob: p, test: (name: string) => re.test(name)};
    }
    if (typeof p === 'function') {
      return {
        label,
        test: (name: string, t: tf.Tensor) => {
          const r = (p as ParamPredicate)(name, t);
          if (typeof r !== 'boolean') {
            throw new Error(`${fn}: ${label} predicate must return a boolean, got ${show(r)} for ${show(name)}`);
          }
          return r;
        },
      };
    }
    throw new Error(`${fn}: ${label} must be a glob string or a predicate (name, tensor) => boolean, got ${show(p)}`);
  });
}

/** A mask checked and compiled once (internal); {@link selectParams} applies it. */
export interface CompiledMask {
  include?: Compiled[];
  exclude?: Compiled[];
}

/**
 * Checks a mask's structure (keys, pattern types, empty globs) and compiles its globs; throws
 * naming `caller` and the bad entry. Used at construction so bad masks fail before training.
 */
export function compileMask(caller: string, mask: ParamMask | undefined): CompiledMask {
  checkOptions(caller, 'mask', mask, ['include', 'exclude']);
  const compiled = {include: compileSide(caller, 'include', mask?.include), exclude: compileSide(caller, 'exclude', mask?.exclude)};
  Object.defineProperty(compiled, COMPILED, {value: true});
  return compiled;
}

function listNames(names: string[]): string {
  const head = names.slice(0, 8).join(', ');
  return names.length > 8 ? `${head}, ... (${names.length} in all)` : head || '(none)';
}

/**
 * Returns the names in `params` that `mask` selects, in the map's order. Host-only string
 * work, no tensor is read or made.
 *
 * A glob that matches none of the names throws (a typo would otherwise silently select
 * nothing, or decay what it meant to protect); predicates may match nothing.
 *
 * ```ts
 * selectParams(params, {include: 'block*\/**', exclude: ['**\/bias', (n, t) => t.rank <= 1]});
 * ```
 * @param params tensors by name (`NamedTensorMap`, e.g. from `tf.variableGrads`)
 * @param mask which parameters to choose; `undefined` or `{}` chooses all
 * @param caller function name used in error messages
 */
export function selectParams(
  params: {[name: string]: tf.Tensor},
  mask: ParamMask | CompiledMask | undefined,
  caller = 'selectParams',
): string[] {
  if (params === null || typeof params !== 'object' || Array.isArray(params) || params instanceof tf.Tensor) {
    throw new Error(`${caller}: params must be a map of tensors by name (NamedTensorMap), got ${show(params)}`);
  }
  for (const [name, t] of Object.entries(params)) {
    if (!(t instanceof tf.Tensor)) throw new Error(`${caller}: params['${name}'] must be a tf.Tensor, got ${show(t)}`);
  }
  const {include, exclude} = isCompiled(mask) ? mask : compileMask(caller, mask);
  const names = Object.keys(params);
  for (const p of [...(include ?? []), ...(exclude ?? [])]) {
    if (p.glob !== undefined && !names.some((n) => p.test(n, params[n]))) {
      throw new Error(
        `${caller}: ${p.label} glob must match at least one parameter name (${listNames(names)}), got ${show(p.glob)}`,
      );
    }
  }
  return names.filter(
    (n) => (!include || include.some((p) => p.test(n, params[n]))) && !(exclude ?? []).some((p) => p.test(n, params[n])),
  );
}
