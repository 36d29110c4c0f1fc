import { describe, expect, it } from 'vitest';
import { offsetToClusterStart } from '../../../../spec/format/geometry.js';
import { clusterGeometryOf } from '../../../../src/fuzz/model/cluster-geometry.js';

describe('clusterGeometryOf', () => {
  it('gives the spec geometry of the cluster size, so rounding goes by that size', () => {
    // Arrange
    const g = clusterGeometryOf(4096);

    // Act + Assert
    expect(g.clusterBits).toBe(12);
    expect(g.clusterSizeBytes).toBe(4096);
    expect(offsetToClusterStart(g, 3 * 4096 + 17)).toBe(3 * 4096);
  });

  it('refuses a cluster size that is not a power of two, and one outside the format', () => {
    expect(() => clusterGeometryOf(3000)).toThrow(/not a power of two/);
    expect(() => clusterGeometryOf(256)).toThrow(/cluster_bits/);
  });
});
