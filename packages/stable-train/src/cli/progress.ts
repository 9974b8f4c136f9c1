import {SingleBar} from 'cli-progress';
import type {StepMetrics} from '../step_metrics';
import type {TrainerEvent} from '../types';
import type {Reporter} from './run_training';

const f = (v: number, d = 3): string => (Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(d)) : String(v));

/**
 * A terminal progress bar (cli-progress): step, loss, gradient norm, lr and ETA; guard events are
 * printed above it as they happen.
 * @param out where to write (default stderr, so stdout stays clean)
 */
export function progressReporter(out: NodeJS.WriteStream = process.stderr): Reporter {
  let bar: SingleBar | null = null;
  let name = '';
  return {
    start(n, total, from) {
      name = n;
      bar = new SingleBar({
        format: `${n.padEnd(8)} {bar} {value}/{total} | loss {loss} | ‖g‖ {gnorm} | lr {lr} | ETA {eta_formatted}`,
        stream: out, barsize: 24, hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000, etaBuffer: 50,
      });
      bar.start(total, from, {loss: '-', gnorm: '-', lr: '-'});
    },
    step(m: StepMetrics) {
      bar?.update(m.step + 1, {loss: f(m.loss), gnorm: f(m.gradNorm, 2), lr: f(m.lr, 5)});
    },
    event(e: TrainerEvent) {
      if (e.kind === 'checkpoint') return;
      const line = `  [${name}] step ${e.step}: ${e.message}\n`;
      if (bar && out.isTTY) {
        out.write('\r\x1b[2K' + line);
        bar.render?.();
      } else out.write(line);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** A reporter that shows nothing (for `--json`). */
export const silentReporter: Reporter = {start() {}, step() {}, event() {}, stop() {}};
