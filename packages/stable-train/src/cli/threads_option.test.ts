import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseThreadPool, parseThreads} from './threads_option';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(__dirname, '../cli.ts');

describe('--threads', () => {
  it("parses 'auto' and integers >= 1, and names the bad value otherwise", () => {
    expect(parseThreads('auto')).toBe('auto');
    expect(parseThreads('2')).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'two', '']) expect(() => parseThreads(bad)).toThrow(`--threads must be an integer >= 1 or 'auto', got ${JSON.stringify(bad)}`);
  });

  it("--thread-pool takes 'gemm' or 'xnnpack' and names the bad value otherwise", () => {
    expect(parseThreadPool('gemm')).toBe('gemm');
    expect(parseThreadPool('xnnpack')).toBe('xnnpack');
    expect(() => parseThreadPool('both')).toThrow(`--thread-pool must be 'gemm' or 'xnnpack', got "both"`);
  });

  it('train --threads 2 trains on 2-thread WASM and the process ends by itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-cli-threads-'));
    const file = path.join(dir, 'run.json');
    fs.writeFileSync(file, JSON.stringify({
      name: 'spirals', backend: 'wasm', seed: 1, model: {type: 'mlp', hidden: [16, 16]}, data: {type: 'two_spirals', samples: 200},
      optimizer: {type: 'adamw', lr: 0.01}, train: {batchSize: 32, steps: 10},
    }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'train', '--config', file, '--threads', '2', '--json', '--report', path.join(dir, 'r.html')],
      {cwd: ROOT, encoding: 'utf8', timeout: 120000});
    expect({status: r.status, signal: r.signal}).toEqual({status: 0, signal: null});
    expect(JSON.parse(r.stdout).runs[0]).toMatchObject({name: 'spirals', status: 'done', steps: 10});
    fs.rmSync(dir, {recursive: true, force: true});
  }, 120000);
});
