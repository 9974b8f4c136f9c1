import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {Initializer as TflInitializer} from '@tensorflow/tfjs-layers/dist/initializers';
import type {Initializer as TechniqueInit} from '@stable-train/initializers';
import {checkArgs, fromPythonic} from '../serializable_args';

/**
 * tfjs-layers' abstract `Initializer` class. tfjs-layers 4.22 exports only factories at run time,
 * so the class is reached through the prototype of one of its own initializers (no tensor is made).
 */
const LayersInitializer = Object.getPrototypeOf(tfl.initializers.zeros().constructor) as typeof TflInitializer;

/**
 * Base of every `@stable-train/layers` initializer: a tfjs-layers `Initializer` whose tensor comes
 * from the `@stable-train/initializers` function built by `make(args)`, called with the shape
 * tfjs-layers passes (kernel layout `[in, out]`, `[h, w, in, out]`, fans as documented there), the
 * dtype and the seed. Arguments are checked in the constructor (the technique factory is built
 * there), so a bad option fails when the layer is declared, before any tensor is made.
 * `getConfig()` returns the options as given; the class's static `fromConfig` turns the camelCased
 * string values a saved model brings back (`fanOut`) into the snake_case the options use.
 * @internal
 */
export abstract class TechniqueInitializer<A extends object> extends LayersInitializer {
  /** the options, as given (undefined ones dropped) */
  protected readonly args: A;
  private readonly init: TechniqueInit;
  private readonly seed: number | undefined;

  /**
   * @param fn the factory's name, for error messages (`heNormal`)
   * @param args the options (checked against `keys`, then by the technique factory)
   * @param keys the option names this initializer accepts (`seed` included where it is random)
   * @param make builds the technique initializer from the options
   */
  protected constructor(fn: string, args: A | undefined, keys: readonly string[], make: (args: A) => TechniqueInit) {
    super();
    this.args = checkArgs(fn, args, keys) as A;
    const seed = (this.args as {seed?: unknown}).seed;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
      throw new Error(`${fn}: seed must be a finite number, got ${String(seed)}`);
    }
    this.seed = seed as number | undefined;
    this.init = make(this.args);
  }

  /**
   * Draws the initial value. `dtype` defaults to float32; the technique function rejects what it
   * cannot draw (random initializers are float32 only).
   */
  apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    const opts: {seed?: number; dtype?: 'float32' | 'int32'} = {};
    if (this.seed !== undefined) opts.seed = this.seed;
    if (dtype !== undefined) opts.dtype = dtype as 'float32' | 'int32';
    return this.init(shape, opts);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...this.args} as tf.serialization.ConfigDict;
  }

  /** Rebuilds from a config, undoing tfjs-layers' camelCasing of string values (`fanOut` → `fan_out`). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromPythonic(config));
  }
}
