import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'storefront', environment: 'happy-dom', include: ['src/**/*.test.ts'] },
});
