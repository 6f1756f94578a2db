import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'browser',
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
    // The real-browser tests start Chromium on a shared, busy machine.
    testTimeout: 20_000,
  },
});
