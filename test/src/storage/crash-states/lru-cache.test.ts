import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../../src/storage/crash-states/lru-cache.js';

describe('LruCache', () => {
  it('forgets the least recently used entry past its capacity', () => {
    // Arrange
    const cache = new LruCache<number, string>(2);
    cache.set(1, 'a');
    cache.set(2, 'b');
    // Act: reading 1 makes 2 the oldest
    cache.get(1);
    cache.set(3, 'c');
    // Assert
    expect([cache.get(1), cache.get(2), cache.get(3)]).toEqual(['a', undefined, 'c']);
  });

  it('replaces a value set again, without counting it twice', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('x', 1);
    cache.set('x', 2);
    cache.set('y', 3);
    expect([cache.get('x'), cache.get('y')]).toEqual([2, 3]);
  });
});
