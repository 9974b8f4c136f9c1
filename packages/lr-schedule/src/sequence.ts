import type {Schedule} from './schedule';
import {checkStep, integer, show} from './validate';
import {describedSchedule, scheduleSpec} from './described_schedule';

/**
 * Chains schedules: schedule k runs from boundaries[k−1] (0 for the first) and is called with
 * the step counted from its own start, lr(i) = schedules[k](i − boundaries[k−1]). Each schedule
 * therefore restarts at its boundary.
 *
 * PyTorch `SequentialLR(schedulers, milestones)`; Optax `join_schedules(schedules, boundaries)`;
 * Keras: a custom `LearningRateSchedule`.
 *
 * ```ts
 * const s = sequence(
 *   [linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 20}),
 *    cosineDecay({initial: 0.1, decaySteps: 180})],
 *   [20],
 * );
 * s(20); // 0.1 (the cosine starts at its own step 0)
 * ```
 * @param schedules at least one schedule
 * @param boundaries schedules.length − 1 strictly increasing integers >= 1
 */
export function sequence(schedules: Schedule[], boundaries: number[]): Schedule {
  const fn = 'sequence';
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s !== 'function')) {
    throw new Error(`${fn}: schedules must be a non-empty array of functions, got ${show(schedules)}`);
  }
  if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
    throw new Error(
      `${fn}: boundaries must be an array of schedules.length - 1 = ${schedules.length - 1} steps, got ${show(boundaries)}`,
    );
  }
  boundaries.forEach((b, k) => integer(fn, `boundaries[${k}]`, b, 1));
  for (let k = 1; k < boundaries.length; k++) {
    if (boundaries[k] <= boundaries[k - 1]) {
      throw new Error(`${fn}: boundaries must be strictly increasing, got ${show(boundaries)}`);
    }
  }
  const parts = schedules.slice();
  const starts = [0, ...boundaries];
  const run = (step: number): number => {
    checkStep(fn, step);
    let k = starts.length - 1;
    while (step < starts[k]) k--;
    return parts[k](step - starts[k]);
  };
  // saveable (see scheduleSpec) only when every part is
  const specs = parts.map(scheduleSpec);
  return specs.every((p) => p !== undefined) ? describedSchedule({type: 'sequence', schedules: specs, boundaries: [...boundaries]}, run) : run;
}
