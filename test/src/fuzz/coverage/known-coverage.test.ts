/** withKnownKeys lists every op kind and every image option value, at 0 where nothing was counted. */
import { describe, expect, it } from 'vitest';
import { IMAGE_OPTION_COVERAGE } from '../../../../src/fuzz/coverage/image-option-coverage.js';
import { withKnownKeys } from '../../../../src/fuzz/coverage/known-coverage.js';
import { newCoverage } from '../../../../src/fuzz/coverage/coverage.js';
import { FUZZ_OP_KINDS } from '../../../../src/fuzz/model/fuzz-op.js';

describe('withKnownKeys', () => {
  it('lists every op kind with its four counters and every option value, all 0 for nothing counted', () => {
    const c = withKnownKeys(newCoverage());
    expect(Object.keys(c.opKinds)).toEqual([...FUZZ_OP_KINDS]);
    for (const counts of Object.values(c.opKinds)) expect(counts).toEqual({ runs: 0, ops: 0, crashPoints: 0, crashStates: 0 });
    expect(Object.keys(c.imageOptions)).toEqual(Object.keys(IMAGE_OPTION_COVERAGE));
    expect(c.imageOptions.clusterSizeBytes).toEqual({ '512': 0, '4096': 0, '16384': 0, '65536': 0, '1024': 0 });
    expect(c.imageOptions.backing).toEqual({ none: 0, raw: 0, qcow2: 0 });
    expect(c.imageOptions.compat).toEqual({ '0.10': 0, '1.1': 0 });
  });

  it('keeps what was counted, a value outside the known ones included (a cluster size a flag fixed)', () => {
    const c = withKnownKeys({ opKinds: { flush: { runs: 1, ops: 2 } }, imageOptions: { clusterSizeBytes: { '2048': 3 } } });
    expect(c.opKinds.flush).toEqual({ runs: 1, ops: 2, crashPoints: 0, crashStates: 0 });
    expect(c.imageOptions.clusterSizeBytes).toEqual({ '512': 0, '4096': 0, '16384': 0, '65536': 0, '1024': 0, '2048': 3 });
  });
});
