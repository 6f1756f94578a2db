import { defineProject } from 'vitest/config';

// Builds are slow and each app runs its own server: generous timeouts, files one at a time.
export default defineProject({
  test: {
    name: 'consumers',
    environment: 'node',
    include: ['*.test.ts'],
    globalSetup: ['./pack.setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
