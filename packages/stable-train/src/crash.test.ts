// Issue 20 "must show": random `kill -9` of a CLI run, resumed to the end, equals an
// uninterrupted run bit for bit (the whole saved state: weights, optimizer state, snapshot),
// for each feature set (weight averaging included: its average is in the hashed weights). Small and fast: ~150 steps of a tiny MLP; about 1-2 minutes in CI.
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {createRng} from './rng';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(__dirname, 'cli.ts');
const STEPS = 150;
const KILLS = 5;
const base = {
  backend: 'cpu', seed: 1, model: {type: 'mlp', hidden: [16]}, data: {type: 'two_spirals', samples: 200},
  optimizer: {type: 'adam', lr: 0.01},
};
const sets: [string, object, object][] = [
  ['plain', {}, {}],
  ['rollback guard + EMA', {guard: {policy: 'rollback', snapshotEvery: 7}, averaging: {kind: 'ema', decay: 0.95}}, {}],
  ['plateau + AutoClip + SWA', {clip: {mode: 'autoclip', percentile: 50, historySize: 30}, plateau: {patience: 0, factor: 0.7, threshold: 0.2}, averaging: {kind: 'swa', start: 20, every: 8}}, {}],
  ['accumulation', {}, {accumulate: 2}],
];

const args = (cmd: string[]): string[] => ['--import', 'tsx', CLI, ...cmd, '--json', '--report', path.join(os.tmpdir(), `st-crash-${process.pid}.html`)];
const latestStep = (dir: string): number => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')).step;
  } catch {
    return -1;
  }
};
const finalState = (dir: string): {step: number; hash: string} => {
  const m = JSON.parse(fs.readFileSync(path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')).checkpoint, 'meta.json'), 'utf8'));
  return {step: m.step, hash: m.weightsHash};
};

/** Starts the CLI; SIGKILLs it once latest.json reaches `killAt` (plus a random few ms: kills land mid-save too). */
function runUntil(cmd: string[], dir: string, killAt: number, jitter: number): Promise<'killed' | 'exited'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(cmd), {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']});
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setInterval(() => {
      if (latestStep(dir) >= killAt) {
        clearInterval(timer);
        setTimeout(() => child.kill('SIGKILL'), jitter);
      }
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('exited');
      else reject(new Error(`CLI exited ${code}: ${err}`));
    });
  });
}

describe('kill -9 of a CLI run, resumed: bit-identical to an uninterrupted run', () => {
  it.each(sets)('%s', async (name, features, train) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-crash-'));
    const config = (ck: string) => ({...base, name: name.replace(/\W+/g, '_'), ...features,
      train: {batchSize: 20, steps: STEPS, logEvery: 50, checkpointDir: ck, checkpointEvery: 5, ...train}});
    const full = path.join(dir, 'full');
    const killed = path.join(dir, 'killed');
    fs.writeFileSync(path.join(dir, 'full.json'), JSON.stringify(config(full)));
    fs.writeFileSync(path.join(dir, 'killed.json'), JSON.stringify(config(killed)));
    const uninterrupted = runUntil(['train', '--config', path.join(dir, 'full.json')], full, Infinity, 0);
    const rng = createRng(name.length * 7919);
    const targets = Array.from({length: KILLS}, () => 5 + rng.int(STEPS - 10)).sort((a, b) => a - b);
    let kills = 0;
    for (const t of targets) {
      const cmd = latestStep(killed) >= 0 ? ['resume', killed] : ['train', '--config', path.join(dir, 'killed.json')];
      if ((await runUntil(cmd, killed, Math.max(t, latestStep(killed) + 1), rng.int(40))) === 'killed') kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS - 1); // the last target may be passed before the kill lands
    const cmd = latestStep(killed) >= 0 ? ['resume', killed] : ['train', '--config', path.join(dir, 'killed.json')];
    expect(await runUntil(cmd, killed, Infinity, 0)).toBe('exited');
    expect(await uninterrupted).toBe('exited');
    const a = finalState(full);
    const b = finalState(killed);
    expect(a.step).toBe(STEPS);
    expect(b).toEqual(a);
    // no leftovers of the killed saves survive the next one
    expect(fs.readdirSync(killed).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 180000);
});

