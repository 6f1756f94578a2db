import { defineConfig } from 'tsup';

/**
 * Internal property names end in `_` (`queue_`, `add_`, `json_`): the build shortens them, so
 * modules can hand each other named option objects at no cost to the first load. Nothing stored
 * or sent uses the convention, and no published type does (checked by test/mangled-build.test.ts).
 * `[^_]_$`, not `_$`, so names like `__proto__` are never touched.
 */
export const MANGLE_PROPS = /[^_]_$/;

export default defineConfig({
  entry: { index: 'src/index.ts', 'widget/index': 'src/widget/index.ts', 'surveys/index': 'src/surveys/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  esbuildOptions(options) {
    options.mangleProps = MANGLE_PROPS;
  },
});
