import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // forks (not vmThreads): errors thrown by the addon must be instances of this realm's TypeError (TOOLCHAIN.md).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
