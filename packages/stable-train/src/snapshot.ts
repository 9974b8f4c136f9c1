import * as tf from '@tensorflow/tfjs-core';
import {captureOptimizerState, restoreOptimizerState, type NamedState} from './optimizer_state';

/**
 * An in-memory copy of a model's variables and its optimizer's state, taken after a good step
 * so the explosion guard can roll back to it.
 *
 * ```ts
 * const snap = await Snapshot.take(step, model.variables, optimizer);
 * await snap.restore(model.variables, optimizer);
 * ```
 */
export class Snapshot {
  private constructor(
    readonly step: number,
    private vars: Map<string, tf.Tensor>,
    private opt: NamedState[],
  ) {}

  /**
   * Copies `variables` (by name) and the optimizer's state.
   * @param step the step the copy was taken after
   * @param variables every variable of the model (moving statistics included)
   * @param optimizer the optimizer whose state to copy
   */
  static async take(step: number, variables: tf.Variable[], optimizer: tf.Optimizer): Promise<Snapshot> {
    const vars = new Map<string, tf.Tensor>();
    for (const v of variables) vars.set(v.name, tf.clone(v));
    return new Snapshot(step, vars, await captureOptimizerState(optimizer));
  }

  /** Writes the copies back into the same variables and optimizer. */
  async restore(variables: tf.Variable[], optimizer: tf.Optimizer): Promise<void> {
    for (const v of variables) {
      const saved = this.vars.get(v.name);
      if (!saved) throw new Error(`Snapshot.restore: no saved value for variable ${v.name}`);
      v.assign(saved);
    }
    await restoreOptimizerState(optimizer, this.opt);
  }

  /** The copies (owned by the snapshot: do not dispose them), for checkpoints. */
  entries(): {variables: NamedState[]; optimizer: NamedState[]} {
    return {variables: [...this.vars].map(([name, tensor]) => ({name, tensor})), optimizer: this.opt};
  }

  /**
   * Rebuilds a snapshot from saved copies (a checkpoint); takes ownership of the tensors.
   * @param step the step the copy was taken after
   * @param variables variable values by name
   * @param optimizer optimizer state as `captureOptimizerState` returns it
   */
  static fromEntries(step: number, variables: NamedState[], optimizer: NamedState[]): Snapshot {
    return new Snapshot(step, new Map(variables.map((v) => [v.name, v.tensor])), optimizer);
  }

  /** Frees the copies. */
  dispose(): void {
    tf.dispose([...this.vars.values(), ...this.opt.map((s) => s.tensor)]);
    this.vars.clear();
    this.opt = [];
  }
}
