// Run configs: `averaging` (EMA/SWA, checked strictly) and every lr-schedule schedule type a JSON
// config can name (multiplicative, constantFactor, chained, swa included; lambda is code-only);
// a run with averaging reports the averaged weights' test metric next to the live one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {resolveSchedule, SCHEDULE_TYPES} from '@stable-train/lr-schedule';
import {parseRunConfig} from './config';
import {summaryTable, writeHtmlReport} from './report';
import {silentReporter} from './progress';
import {runTraining} from './run_training';

const ok = {backend: 'cpu', seed: 1, model: {type: 'mlp', hidden: [8]}, data: {type: 'twoSpirals', samples: 100},
  optimizer: {type: 'sgd', lr: 0.1}, train: {batchSize: 20, steps: 12, logEvery: 0}};
const msgOf = (c: unknown): string => {
  try {
    parseRunConfig(c, 'run.json');
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('run config: averaging', () => {
  it('accepts ema and swa with their options', () => {
    expect(parseRunConfig({...ok, averaging: {kind: 'ema', decay: 0.999}}).averaging).toEqual({kind: 'ema', decay: 0.999});
    expect(parseRunConfig({...ok, averaging: {kind: 'swa', start: 100, every: 10, updateBatchNorm: true}}).averaging).toEqual({kind: 'swa', start: 100, every: 10, updateBatchNorm: true});
  });

  it('rejects unknown kinds and keys and out-of-range values, naming the field', () => {
    expect(msgOf({...ok, averaging: {kind: 'polyak'}})).toContain("averaging.kind: Invalid discriminator value. Expected 'ema' | 'swa'");
    expect(msgOf({...ok, averaging: {kind: 'swa', decay: 0.9}})).toMatch(/averaging: Unrecognized key: "decay"/);
    expect(msgOf({...ok, averaging: {kind: 'ema', decay: 1.5}})).toMatch(/averaging\.decay: Too big/);
    expect(msgOf({...ok, averaging: {kind: 'swa', every: 0}})).toMatch(/averaging\.every: Too small/);
    expect(msgOf({...ok, averaging: {kind: 'swa', start: 2.5}})).toMatch(/averaging\.start/);
  });
});

describe('run config: every schedule type', () => {
  const specs: {[type: string]: object} = {
    multiplicative: {initial: 0.1, factor: 0.95},
    constantFactor: {initial: 0.1, factor: 0.5, totalIters: 4},
    chained: {initial: 0.1, schedules: [{type: 'constantFactor', factor: 0.5, totalIters: 2}, {type: 'exponential', gamma: 0.9}]},
    swa: {initial: 0.1, swaLr: 0.05, annealEpochs: 3, annealStrategy: 'linear'},
  };

  it.each(Object.entries(specs))('%s is parsed and builds the same schedule as resolveSchedule', (type, o) => {
    const c = parseRunConfig({...ok, schedule: {type, ...o}});
    const s = resolveSchedule(c.schedule as never);
    const want = resolveSchedule({type, ...o} as never);
    expect([0, 1, 2, 5].map(s)).toEqual([0, 1, 2, 5].map(want));
  });

  it('every resolveSchedule type but lambda can be named; lambda is refused (its function comes from code)', () => {
    expect(msgOf({...ok, schedule: {type: 'lambda', initial: 0.1, fn: 'warmup'}})).toMatch(/^run\.json is invalid:\n {2}- schedule/);
    for (const t of SCHEDULE_TYPES.filter((x) => x !== 'lambda')) expect(msgOf({...ok, schedule: {type: t, bogus: 1}})).toMatch(/schedule/);
  });

  it('checks the values at parse time with resolveSchedule', () => {
    expect(msgOf({...ok, schedule: {type: 'constantFactor', initial: 0.1, factor: 2, totalIters: 3}})).toMatch(/schedule: .*constantFactor: factor/);
    expect(msgOf({...ok, schedule: {type: 'chained', initial: 0.1, schedules: [{type: 'oneCycle', maxValue: 1, totalSteps: 10}]}})).toMatch(/chained\.schedules\[0\] must be a spec of type/);
  });
});

describe('a run with averaging', () => {
  it('reports the test metric with the averaged weights next to the live one (summary, table, HTML)', async () => {
    const live = await runTraining(parseRunConfig(ok), silentReporter);
    const r = await runTraining(parseRunConfig({...ok, name: 'ema_run', averaging: {kind: 'ema', decay: 0.9}}), silentReporter);
    expect(r.test).toEqual(live.test); // the average does not change training
    expect(r.averaged).toMatchObject({averaging: 'ema (decay 0.9), 12 updates', samples: r.test.samples});
    expect(r.averaged!.loss).not.toBe(r.test.loss);
    const table = summaryTable([live, r]);
    expect(table).toContain('avg-weights loss');
    expect(table).toContain(`${r.averaged!.loss.toFixed(4)} (ema (decay 0.9))`);
    expect(summaryTable([live])).not.toContain('avg-weights');
    const html = fs.readFileSync(writeHtmlReport(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'st-avg-')), 'r.html'), [live, r]), 'utf8');
    expect(html).toContain('<th>test loss, averaged weights</th>');
    expect(html).toContain('ema (decay 0.9), 12 updates');
  }, 60000);
});
