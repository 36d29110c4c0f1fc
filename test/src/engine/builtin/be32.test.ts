import { describe, expect, it } from 'vitest';
import { getU32, setU32 } from '../../../../src/engine/builtin/be32.js';

describe('be32', () => {
  it('stores and reads a u32 big-endian at any byte offset, as DataView does', () => {
    // Arrange
    const bytes = new Uint8Array(9);
    // Act
    setU32(bytes, 3, 0xfedcba98);
    // Assert
    expect([...bytes.subarray(3, 7)]).toEqual([0xfe, 0xdc, 0xba, 0x98]);
    expect(getU32(bytes, 3)).toBe(0xfedcba98);
    expect(getU32(bytes, 3)).toBe(new DataView(bytes.buffer).getUint32(3));
  });

});
