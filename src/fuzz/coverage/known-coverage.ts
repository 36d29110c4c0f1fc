/**
 * Coverage with every known key: each FuzzOp kind (FUZZ_OP_KINDS) with all four counters, and each
 * value of each image option (IMAGE_OPTION_COVERAGE), at 0 where nothing was counted; keys
 * counted beyond those (a value a flag fixed) follow. What summaries show.
 */
import { FUZZ_OP_KINDS } from '../model/fuzz-op.js';
import { sumCoverage, type Coverage, type OpKindCounts } from './coverage.js';
import { IMAGE_OPTION_COVERAGE } from './image-option-coverage.js';

/** Coverage as a summary shows it: every known kind and value present. */
export interface KnownCoverage {
  opKinds: Record<string, OpKindCounts>;
  imageOptions: Record<string, Record<string, number>>;
}

/** `c` with every known kind and value, those not counted at 0. */
export function withKnownKeys(c: Readonly<Coverage>): KnownCoverage {
  const zeros: Coverage = {
    opKinds: Object.fromEntries(FUZZ_OP_KINDS.map((kind) => [kind, { runs: 0, ops: 0, crashPoints: 0, crashStates: 0 }])),
    imageOptions: Object.fromEntries(Object.entries(IMAGE_OPTION_COVERAGE).map(([name, o]) => [name, Object.fromEntries(o.values.map((v) => [v, 0]))])),
  };
  return sumCoverage(zeros, c) as KnownCoverage;
}
