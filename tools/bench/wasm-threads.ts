// WASM threads: `npx tsx tools/bench/wasm-threads.ts [--quick] [--threads 1,2,N] [--nets mlp,convnet] [--repeats 5] [--steps 50] [--warmup 100] [--no-torch]`
//
// The anchor step (MLP 784-512-512-10, ReLU, batch 128, SGD, softmax cross-entropy, loss read
// every step; stable-train's WASM kernels) and the backends convnet with 1, 2 and all threads,
// next to PyTorch with the same thread counts (when /usr/bin/python3 has torch). Each (framework,
// threads) cell runs in its own child process, interleaved repeat by repeat
// (tools/bench/lib/threads_sweep.ts). Speed-ups are medians of per-repeat ratios.
import {parseFlags} from './lib/common';
import {defaultThreadCounts, printThreadsSweep, threadsSweep, type ThreadsNet} from './lib/threads_sweep';

const flags = parseFlags();
const Q = flags.quick;
const s = threadsSweep({
  nets: flags.strs('nets', Q ? ['mlp'] : ['mlp', 'convnet']) as ThreadsNet[],
  counts: flags.list('threads', defaultThreadCounts()),
  repeats: flags.num('repeats', Q ? 2 : 5),
  steps: flags.num('steps', Q ? 8 : 50),
  // steady state: with 2 threads the first ~100 steps of a process run 10-20 % slower
  warmup: flags.num('warmup', Q ? 5 : 100),
  torch: flags.get('no-torch') == null,
});
printThreadsSweep(s);
const two = s.speedup.mlp?.[2];
if (two != null) console.log(`\nanchor MLP step: 2 threads ${two.toFixed(2)}x faster than 1 (target >= 1.6x on 2 cores)`);
