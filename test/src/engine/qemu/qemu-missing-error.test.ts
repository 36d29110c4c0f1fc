import { describe, expect, it } from 'vitest';
import { isQemuMissingError, QemuMissingError } from '../../../../src/engine/qemu/qemu-missing-error.js';

describe('QemuMissingError', () => {
  it('names the binary and what to install, and is recognised by its code alone', () => {
    const err = new QemuMissingError('qemu-io');
    expect(err.message).toMatch(/^qemu-io not found: .*qemu-utils/);
    expect(isQemuMissingError(err)).toBe(true);
    expect(isQemuMissingError({ code: 'QEMU_MISSING' })).toBe(true);
    expect(isQemuMissingError(new Error('qemu-io not found'))).toBe(false);
    expect(isQemuMissingError(null)).toBe(false);
  });
});
