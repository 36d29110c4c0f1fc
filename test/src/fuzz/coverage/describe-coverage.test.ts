/** describeCoverage: two lines, every kind and value named with its counts, zeros included. */
import { describe, expect, it } from 'vitest';
import { describeCoverage } from '../../../../src/fuzz/coverage/describe-coverage.js';
import { withKnownKeys } from '../../../../src/fuzz/coverage/known-coverage.js';

describe('describeCoverage', () => {
  it('names each op kind with runs/ops/crash points/crash states and each option value with its runs', () => {
    const lines = describeCoverage(withKnownKeys({ opKinds: { write: { runs: 2, ops: 5, crashPoints: 3, crashStates: 40 } }, imageOptions: { compat: { '1.1': 2 } } }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('write 2/5/3/40');
    expect(lines[0]).toContain('resize 0/0/0/0');
    expect(lines[1]).toContain('compat 0.10:0 1.1:2');
    expect(lines[1]).toContain('clusterSizeBytes 512:0 1024:0 4096:0 16384:0 65536:0');
  });
});
