import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'surveys/index': 'src/surveys/index.ts',
    'cases/index': 'src/cases/index.ts',
    'privacy/index': 'src/privacy/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // Keep `node:` specifiers: explicit about built-ins, and what bundlers mark external.
  removeNodeProtocol: false,
  splitting: true,
  treeshake: true,
});
