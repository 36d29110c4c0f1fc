import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../../spec/format/format-error.js';
import { EngineError } from '../../../../src/engine/engine-error.js';
import { failureOf } from '../../../../src/fuzz/target/failure-of.js';

describe('failureOf', () => {
  it('names a FormatError by its clause id', () => {
    expect(failureOf(new FormatError('L2-3', 'L2[4] @0x30020', 'reserved bits'))).toEqual({ message: 'L2-3 at L2[4] @0x30020: reserved bits', rule: 'L2-3' });
  });

  it('names an EngineError by its errno', () => {
    expect(failureOf(new EngineError('EDIRTY', 'open')).rule).toBe('ENGINE-EDIRTY');
  });

  it('names anything else ENGINE-THROW, with its name and message', () => {
    expect(failureOf(new TypeError('x is undefined'))).toEqual({ message: 'TypeError: x is undefined', rule: 'ENGINE-THROW' });
    expect(failureOf('a string').rule).toBe('ENGINE-THROW');
  });
});
