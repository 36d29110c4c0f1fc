import { describe, expect, it } from 'vitest';
import { ImageError, isImageError } from '../../../src/image/image-error.js';

describe('ImageError', () => {
  it('carries its reason and is recognised by its code alone', () => {
    const err = new ImageError('cycle', 'a.qcow2 -> b.qcow2 -> a.qcow2');
    expect([err.reason, err.message, err.name]).toEqual(['cycle', 'a.qcow2 -> b.qcow2 -> a.qcow2', 'ImageError']);
    expect(isImageError(err)).toBe(true);
    expect(isImageError({ code: 'IMAGE_ERROR' })).toBe(true);
    expect(isImageError(new Error('cycle'))).toBe(false);
    expect(isImageError(undefined)).toBe(false);
  });
});
