/**
 * Every ```ts block in the docs compiles against the built packages. One tsc run checks them all;
 * each Markdown file then reports its own errors, at its own line numbers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CodeBlock,
  type DocDiagnostic,
  extractCodeBlocks,
  mapDiagnostics,
  markdownFiles,
  writeCheckProject,
} from './check-code-blocks.js';

const docsDir = import.meta.dirname;
const repoRoot = resolve(docsDir, '..');
// The guides, plus the READMEs people read first (the repository's and each package's on npm).
const files = [
  ...markdownFiles(docsDir),
  '../README.md',
  ...readdirSync(join(repoRoot, 'packages')).map((pkg) => `../packages/${pkg}/README.md`),
].filter((f) => existsSync(join(docsDir, f)));

describe('extractCodeBlocks', () => {
  it('finds ts blocks with the line they start on and honours the skip marker', () => {
    const md = [
      '# Title',
      '```ts',
      'const a: number = 1;',
      '```',
      '```sh',
      'pnpm demo',
      '```',
      '<!-- docs-check: skip -->',
      '',
      '```typescript',
      'fragment(',
      '```',
      '  ```ts',
      '  const b = 2;',
      '  ```',
    ].join('\n');
    expect(extractCodeBlocks(md, 'x.md')).toEqual([
      { file: 'x.md', line: 3, code: 'const a: number = 1;', skipped: false },
      { file: 'x.md', line: 11, code: 'fragment(', skipped: true },
      { file: 'x.md', line: 14, code: 'const b = 2;', skipped: false },
    ]);
  });

  it('maps tsc errors back to the Markdown line', () => {
    const blocks: CodeBlock[] = [{ file: 'a.md', line: 10, code: '', skipped: false }];
    expect(mapDiagnostics("block-0.ts(3,5): error TS2322: Type 'string' is not assignable.", blocks)).toEqual([
      { file: 'a.md', line: 12, message: "error TS2322: Type 'string' is not assignable." },
    ]);
  });
});

describe('every TypeScript example in docs/ compiles', () => {
  const blocks = files.flatMap((f) => extractCodeBlocks(readFileSync(join(docsDir, f), 'utf8'), f));
  const checked = blocks.filter((b) => !b.skipped);
  let diagnostics: DocDiagnostic[] = [];
  let tscOutput = '';

  beforeAll(() => {
    const dir = join(docsDir, '.tmp', 'code-blocks');
    writeCheckProject(dir, checked, repoRoot);
    try {
      execFileSync(
        join(repoRoot, 'node_modules', '.bin', 'tsc'),
        ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      );
    } catch (error) {
      tscOutput = String((error as { stdout?: string }).stdout ?? error);
      diagnostics = mapDiagnostics(tscOutput, checked);
      // An error tsc reports somewhere other than a block (a config problem) must not pass silently.
      if (diagnostics.length === 0) throw new Error(`tsc failed outside the docs' code blocks:\n${tscOutput}`);
    }
  }, 120_000);

  it('has code blocks to check, and skips only a few deliberate fragments', () => {
    expect(checked.length).toBeGreaterThan(20);
    expect(blocks.length - checked.length).toBeLessThanOrEqual(3);
  });

  it.each(files)('%s', (file) => {
    const errors = diagnostics.filter((d) => d.file === file).map((d) => `${d.file}:${d.line} ${d.message}`);
    expect(errors).toEqual([]);
  });
});
