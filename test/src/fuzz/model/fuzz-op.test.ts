/** FUZZ_OP_KINDS: each kind of FuzzOp once (the compiler checks it lists them all and no other). */
import { describe, expect, it } from 'vitest';
import { FUZZ_OP_KINDS } from '../../../../src/fuzz/model/fuzz-op.js';

describe('FUZZ_OP_KINDS', () => {
  it('lists each kind once, flush and crash among them', () => {
    expect(new Set(FUZZ_OP_KINDS).size).toBe(FUZZ_OP_KINDS.length);
    expect(FUZZ_OP_KINDS).toContain('flush');
    expect(FUZZ_OP_KINDS).toContain('crash');
  });
});
