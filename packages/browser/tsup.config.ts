import { defineConfig } from 'tsup';

/**
 * Internal property names end in `_` (`queue_`, `add_`, `json_`): the build shortens them, so
 * modules can hand each other named option objects at no cost to the first load. Nothing stored
 * or sent uses the convention, and no published type does (checked by test/mangled-build.test.ts).
 * `[^_]_$`, not `_$`, so names like `__proto__` are never touched.
 */
export const MANGLE_PROPS = /[^_]_$/;

/** The package's entry points (its `exports` map): the only files with published types. */
const PUBLIC = {
  index: 'src/index.ts',
  'widget/index': 'src/widget/index.ts',
  'surveys/index': 'src/surveys/index.ts',
  'privacy/index': 'src/privacy/index.ts',
};

/**
 * What the tracker loads with `import()` after its first load, built as entries so their files
 * are named without a content hash (`auto-capture.js`): a hash is 8 random characters gzip
 * cannot shrink, in every import of the first load. The package's version names the release.
 * Not in the `exports` map, and no published types (their option names are shortened).
 */
const LAZY = {
  'auto-capture': 'src/auto-capture.ts',
  'adopt-orphans': 'src/adopt-orphans.ts',
  'tab-lease': 'src/tab-lease.ts',
  'consent-record': 'src/consent-record.ts',
};

export default defineConfig({
  entry: { ...PUBLIC, ...LAZY },
  format: ['esm', 'cjs'],
  dts: { entry: PUBLIC },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  esbuildOptions(options) {
    options.mangleProps = MANGLE_PROPS;
  },
});
