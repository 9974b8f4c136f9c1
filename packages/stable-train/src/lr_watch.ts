import type {TrainerEvent} from './types';

/**
 * Watches the lr each applied step uses: an lr of 10 or more, or a jump to over 100× the
 * previous step's, is reported as an `info` event (the lr is still used).
 */
export class LrWatch {
  private last = NaN;

  /**
   * @param step the step
   * @param lr its lr
   * @returns the event to report, or null
   */
  note(step: number, lr: number): TrainerEvent | null {
    const prev = this.last;
    this.last = lr;
    if (!Number.isFinite(lr) || !(lr >= 10 || (prev > 0 && lr > 100 * prev))) return null;
    return {step, kind: 'info', cause: 'huge-lr', action: 'none', message: `lr ${lr} at step ${step}${prev > 0 ? ` (previous step: ${prev})` : ''}`};
  }
}
