#!/usr/bin/env node
// Entry of the `stable-train` bin (built to dist/cli.cjs). Errors are printed without a stack.
import {main} from './cli/main';

main(process.argv).catch((e: unknown) => {
  process.stderr.write(`stable-train: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
