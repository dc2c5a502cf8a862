import { defineConfig } from 'vitest/config';

// Unit tests sit beside their module (src/**/x.test.ts); anything that opens a port, spawns a
// process or drives a browser lives under test/. Both run in one `vitest run`.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
