/**
 * A learning-rate (or momentum) schedule: a pure function from the 0-based optimisation step
 * to a value. `schedule(0)` is the value used for the first update, `schedule(i)` the value
 * used for update `i` (PyTorch's `lr` read before `scheduler.step()`, Optax's `schedule(count)`).
 *
 * ```ts
 * const s: Schedule = (step) => 0.1 * 0.5 ** Math.floor(step / 10);
 * s(0); // 0.1
 * ```
 */
export type Schedule = (step: number) => number;

/**
 * A schedule described by plain JSON: `type` names the schedule, the other fields are its
 * options; `{type: 'constant', value}`; `{type: 'sequence', schedules: [spec, ...], boundaries}`.
 */
export type ScheduleSpec = {type: string; [option: string]: unknown};
