import {InvalidArgumentError} from 'commander';

/** Help text of the CLI's `--threads` option. */
export const THREADS_HELP = "WASM threads: an integer >= 1 or 'auto' (the cores this machine reports); default 1";

/**
 * Parses `--threads`: `'auto'` or an integer >= 1 (passed to `setupBackend({threads})`).
 * @param value the option's text
 * @returns `'auto'` or the integer
 */
export function parseThreads(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`--threads must be an integer >= 1 or 'auto', got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Help text of the CLI's `--thread-pool` option. */
export const THREAD_POOL_HELP = "which pool gets the WASM threads: 'gemm' (stable-train's kernels: products, convolutions; default) or 'xnnpack' (tfjs's XNNPACK ops)";

/**
 * Parses `--thread-pool` (passed to `setupBackend({threadPool})`).
 * @param value the option's text
 */
export function parseThreadPool(value: string): 'gemm' | 'xnnpack' {
  if (value !== 'gemm' && value !== 'xnnpack') throw new InvalidArgumentError(`--thread-pool must be 'gemm' or 'xnnpack', got ${JSON.stringify(value)}`);
  return value;
}
