import { defineConfig } from 'vitest/config';

// One Vitest run covers every package: each package keeps its own config (name, environment)
// so browser code runs in happy-dom and server code in node.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'docs', 'consumers'],
  },
});
