// Internal: the initializer / regularizer / constraint options of this folder's layers, resolved
// and serialized the way tfjs-layers does it for its own layers (tfjs-layers 4.22 does not export
// its getInitializer / serializeInitializer helpers). Accepted: undefined / null (the default),
// an identifier string ('glorotUniform', 'he_normal', 'l1l2', 'maxNorm', ...), an instance (tfjs's
// or ours), or a serialized `{className, config}` as tf.loadLayersModel hands it back.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** An initializer as `tf.initializers.*` returns it. */
export type Initializer = ReturnType<typeof tfl.initializers.zeros>;
/** A regularizer as `tf.regularizers.*` returns it. */
export type Regularizer = ReturnType<typeof tfl.regularizers.l1l2>;
/** A constraint as `tf.constraints.*` returns it. */
export type Constraint = ReturnType<typeof tfl.constraints.maxNorm>;

/** What the layers accept for an initializer option. */
export type InitializerOption = string | Initializer | {className: string; config?: tf.serialization.ConfigDict};
/** What the layers accept for a regularizer option. */
export type RegularizerOption = string | Regularizer | {className: string; config?: tf.serialization.ConfigDict};
/** What the layers accept for a constraint option. */
export type ConstraintOption = string | Constraint | {className: string; config?: tf.serialization.ConfigDict};

type Kind = 'initializer' | 'regularizer' | 'constraint';

// identifiers whose class name is not the identifier with a capital first letter
const SPECIAL: Record<string, string> = {l1l2: 'L1L2', l1: 'L1L2', l2: 'L1L2'};
const SPECIAL_CONFIG: Record<string, tf.serialization.ConfigDict> = {l1: {l1: 0.01, l2: 0}, l2: {l1: 0, l2: 0.01}};

function isInstance(v: unknown): v is tf.serialization.Serializable {
  return v != null && typeof v === 'object' && typeof (v as {getClassName?: unknown}).getClassName === 'function' &&
    typeof (v as {getConfig?: unknown}).getConfig === 'function' && typeof (v as {apply?: unknown}).apply === 'function';
}

/** Resolves an option to an instance (or null for none); throws naming `where` and `arg`. */
function resolve<T>(kind: Kind, where: string, arg: string, v: unknown): T | null {
  if (v === undefined || v === null) return null;
  if (isInstance(v)) return v as unknown as T;
  let className: string;
  let config: tf.serialization.ConfigDict = {};
  if (typeof v === 'string' && v.length > 0) {
    const camel = v.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    className = SPECIAL[camel] ?? camel.charAt(0).toUpperCase() + camel.slice(1);
    config = SPECIAL_CONFIG[camel] ?? {};
  } else if (typeof v === 'object' && typeof (v as {className?: unknown}).className === 'string') {
    className = (v as {className: string}).className;
    config = ((v as {config?: tf.serialization.ConfigDict}).config ?? {}) as tf.serialization.ConfigDict;
  } else {
    throw new Error(
      `${where}: ${arg} must be a ${kind} (an identifier string, an instance or {className, config}), got ${JSON.stringify(v) ?? String(v)}`,
    );
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) {
    throw new Error(
      `${where}: ${arg}: unknown ${kind} ${JSON.stringify(v)} (class '${className}' is not registered with tf.serialization.registerClass)`,
    );
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as unknown as T;
}

/** The initializer for `arg`, or `fallback` (an identifier) when the option is absent. */
export function resolveInitializer(where: string, arg: string, v: unknown, fallback: string): Initializer {
  return resolve<Initializer>('initializer', where, arg, v ?? fallback) as Initializer;
}

/** The regularizer for `arg`, or null. */
export function resolveRegularizer(where: string, arg: string, v: unknown): Regularizer | null {
  return resolve<Regularizer>('regularizer', where, arg, v);
}

/** The constraint for `arg`, or null. */
export function resolveConstraint(where: string, arg: string, v: unknown): Constraint | null {
  return resolve<Constraint>('constraint', where, arg, v);
}

/** `{className, config}` as tfjs-layers serializes these objects (null stays null). */
export function serialize(v: tf.serialization.Serializable | null): tf.serialization.ConfigDict | null {
  if (v === null) return null;
  // undefined entries (tfjs's VarianceScaling `seed`) become null, as a saved model has them
  const config: tf.serialization.ConfigDict = {};
  for (const [k, x] of Object.entries(v.getConfig())) config[k] = x === undefined ? null : x;
  return {className: v.getClassName(), config};
}
