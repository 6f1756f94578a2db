import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'server',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The end-to-end test builds the shop and drives Chromium on a shared 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
