import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(__dirname, '../cli.ts');
const run = (args: string[]): {code: number | null; out: string; err: string} => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {cwd: ROOT, encoding: 'utf8', timeout: 120000});
  return {code: r.status, out: r.stdout, err: r.stderr};
};

describe('stable-train CLI (end to end)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-cli-'));
  const ckpt = path.join(dir, 'ckpt');
  const config = {
    name: 'spirals', backend: 'cpu', seed: 1,
    model: {type: 'mlp', hidden: [16, 16]}, data: {type: 'two_spirals', samples: 200},
    optimizer: {type: 'adamw', lr: 0.01}, clip: {mode: 'global_norm', maxNorm: 1},
    schedule: {type: 'warmupCosine', initial: 0, peak: 0.01, warmupSteps: 5, decaySteps: 40, final: 0},
    train: {batchSize: 32, steps: 20, logEvery: 5, checkpointDir: ckpt, checkpointEvery: 10},
  };

  it('train --json trains, checkpoints and writes a report; resume continues', () => {
    const file = path.join(dir, 'run.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const r = run(['train', '--config', file, '--json', '--report', path.join(dir, 'r.html')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.runs[0]).toMatchObject({name: 'spirals', status: 'done', steps: 20});
    expect(fs.readFileSync(out.report, 'utf8')).toContain('uPlot');
    // resume a finished run: nothing more to do
    const meta = path.join(ckpt, JSON.parse(fs.readFileSync(path.join(ckpt, 'latest.json'), 'utf8')).checkpoint, 'meta.json');
    const m = JSON.parse(fs.readFileSync(meta, 'utf8'));
    expect(m.step).toBe(20);
    const r2 = run(['resume', ckpt, '--json', '--report', path.join(dir, 'r2.html')]);
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.out).runs[0].steps).toBe(20);
  }, 120000);

  it('a bad config exits 1 with a message naming each field', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({...config, optimizer: {type: 'adamw', lr: 0}, trian: {}}));
    const r = run(['train', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/optimizer\.lr: Too small/);
    expect(r.err).toMatch(/Unrecognized key: "trian"/);
  }, 60000);

  it('autoclip and plateau: trained, their state checkpointed, restored on resume', () => {
    const ck = path.join(dir, 'ck-auto');
    const file = path.join(dir, 'auto.json');
    const {schedule: _s, ...rest} = config;
    fs.writeFileSync(file, JSON.stringify({...rest, clip: {mode: 'autoclip', percentile: 10, historySize: 50},
      plateau: {patience: 0, factor: 0.5, metric: 'test_loss'}, train: {...config.train, checkpointDir: ck}}));
    const r = run(['train', '--config', file, '--json', '--report', path.join(dir, 'auto.html')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).runs[0]).toMatchObject({status: 'done', steps: 20});
    const metaOf = (): {step: number; stateful: {autoClip: {count: number; history: unknown}; plateau: {value: number}}; extra: {config: {train: {steps: number}}}} & Record<string, unknown> =>
      JSON.parse(fs.readFileSync(path.join(ck, JSON.parse(fs.readFileSync(path.join(ck, 'latest.json'), 'utf8')).checkpoint, 'meta.json'), 'utf8'));
    const m = metaOf();
    expect(m.stateful.autoClip.count).toBe(20);
    expect(m.stateful.autoClip.history).toMatchObject({__tensor__: {shape: [50]}});
    expect(m.stateful.plateau.value).toBeGreaterThan(0);
    expect(m.stateful.plateau.value).toBeLessThanOrEqual(0.01);
    // raise the step target with --steps (meta.json is hash-checked: hand edits are refused), then resume
    const r2 = run(['resume', ck, '--steps', '30', '--json', '--report', path.join(dir, 'auto2.html')]);
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.out).runs[0].steps).toBe(30);
    expect(metaOf().stateful.autoClip.count).toBe(30);
  }, 120000);

  it('resume DIR writes only into DIR: resuming a copy leaves the original (its stored checkpointDir) byte-for-byte untouched', () => {
    const orig = path.join(dir, 'ck-orig');
    const file = path.join(dir, 'orig.json');
    fs.writeFileSync(file, JSON.stringify({...config, train: {...config.train, steps: 10, checkpointEvery: 5, checkpointDir: orig}}));
    expect(run(['train', '--config', file, '--json', '--report', path.join(dir, 'orig.html')]).code).toBe(0);
    const snapshot = (root: string): Map<string, string> => {
      const out = new Map<string, string>();
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, {withFileTypes: true})) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else out.set(path.relative(root, p), fs.readFileSync(p).toString('base64'));
        }
      };
      walk(root);
      return out;
    };
    const before = snapshot(orig);
    expect([...before.keys()].some((k) => k.endsWith('meta.json'))).toBe(true);
    const copy = path.join(dir, 'ck-copy');
    fs.cpSync(orig, copy, {recursive: true});
    // the copy's checkpoint still names the original folder as its checkpointDir
    const latest = (d: string): string => JSON.parse(fs.readFileSync(path.join(d, 'latest.json'), 'utf8')).checkpoint;
    expect(JSON.parse(fs.readFileSync(path.join(copy, latest(copy), 'meta.json'), 'utf8')).extra.config.train.checkpointDir).toBe(orig);
    const r = run(['resume', copy, '--steps', '20', '--json', '--report', path.join(dir, 'copy.html')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).runs[0].steps).toBe(20);
    // the new checkpoints went into the copy; the original is exactly as it was (no file added, changed or pruned)
    expect(JSON.parse(fs.readFileSync(path.join(copy, latest(copy), 'meta.json'), 'utf8')).step).toBe(20);
    expect(snapshot(orig)).toEqual(before);
  }, 120000);

  it('doctor --json returns a verdict', () => {
    const file = path.join(dir, 'run.json');
    const r = run(['doctor', '--config', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).verdict).toEqual(expect.any(String));
  }, 60000);
});
