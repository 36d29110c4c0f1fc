import { describe, expect, it } from 'vitest';
import { isSetupError, SetupError } from '../../../../src/fuzz/target/setup-error.js';

describe('SetupError', () => {
  it('is recognised by its code alone, and by nothing else', () => {
    expect(isSetupError(new SetupError('no qemu-io'))).toBe(true);
    expect(isSetupError({ code: 'SETUP_ERROR' })).toBe(true);
    expect(isSetupError(new Error('no qemu-io'))).toBe(false);
    expect(isSetupError(null)).toBe(false);
  });
});
