// Helpers for norms_v2.json (PyTorch 1.13, tools/goldens/README-v2.md §4).
import {loadGolden} from '@stable-train/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NormsV2 = any;

export function normsV2(): NormsV2 {
  return loadGolden('norms_v2');
}
