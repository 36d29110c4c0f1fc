import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    // threads, not forks: c8 only sees V8 coverage from workers that exit normally, and vitest kills forks.
    pool: 'threads',
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
