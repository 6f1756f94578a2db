import { fileURLToPath } from 'node:url';

/** @type {import('webpack').Configuration} */
export default {
  mode: 'production',
  entry: './src/main.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), clean: true },
  performance: { hints: 'warning' },
};
