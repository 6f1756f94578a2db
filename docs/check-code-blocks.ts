/**
 * The docs' promise that every TypeScript example compiles. `extractCodeBlocks` pulls each
 * ```ts block out of a Markdown file with the line it starts on; `writeCheckProject` writes them as
 * modules into a scratch project whose `node_modules` links the workspace packages, so they
 * resolve exactly as they do for a user who installed them (through each package's exports map and
 * built `.d.ts`); `mapDiagnostics` points tsc's errors back at the Markdown line.
 *
 * A block preceded by `<!-- docs-check: skip -->` is left out: only for deliberate fragments.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CodeBlock {
  /** The Markdown file, relative to the docs folder. */
  file: string;
  /** 1-based line of the block's first code line. */
  line: number;
  code: string;
  skipped: boolean;
}

export const SKIP_MARKER = '<!-- docs-check: skip -->';
const FENCE = /^(\s*)(```|~~~)\s*([\w-]*)/;
const CHECKED = new Set(['ts', 'typescript']);

/**
 * @example
 * extractCodeBlocks('Intro\n```ts\nconst a = 1;\n```\n', 'intro.md'); // [{ file: 'intro.md', line: 3, code: 'const a = 1;', skipped: false }]
 */
export function extractCodeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(fence!)) end++;
    if (CHECKED.has(lang!.toLowerCase())) {
      let prev = i - 1;
      while (prev >= 0 && lines[prev]!.trim() === '') prev--;
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l))
        .join('\n');
      blocks.push({ file, line: i + 2, code, skipped: prev >= 0 && lines[prev]!.trim() === SKIP_MARKER });
    }
    i = end;
  }
  return blocks;
}

/** Every Markdown file under `dir` (relative paths), skipping scratch and dependency folders. */
export function markdownFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path, base));
    else if (entry.name.endsWith('.md')) out.push(relative(base, path));
  }
  return out.sort();
}

function link(target: string, path: string): void {
  if (!existsSync(path)) symlinkSync(target, path, 'dir');
}

/**
 * Writes the blocks as `block-N.ts` modules plus a strict tsconfig into `dir`, and links
 * `@touchpoint/*` (and the packages' own optional peers such as `ioredis`) into its
 * `node_modules`. Returns the file name of each block, in order.
 */
export function writeCheckProject(dir: string, blocks: readonly CodeBlock[], repoRoot: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules', '@touchpoint'), { recursive: true });
  const packagesDir = join(repoRoot, 'packages');
  for (const pkg of readdirSync(packagesDir)) {
    link(join(packagesDir, pkg), join(dir, 'node_modules', '@touchpoint', pkg));
  }
  // What a user installs beside a package to use its optional parts (Redis, NATS clients).
  for (const pkg of readdirSync(packagesDir)) {
    const modules = join(packagesDir, pkg, 'node_modules');
    if (!existsSync(modules)) continue;
    for (const name of readdirSync(modules)) {
      if (name.startsWith('.') || name === '@touchpoint') continue;
      if (name.startsWith('@')) {
        mkdirSync(join(dir, 'node_modules', name), { recursive: true });
        for (const sub of readdirSync(join(modules, name))) {
          link(join(modules, name, sub), join(dir, 'node_modules', name, sub));
        }
      } else link(join(modules, name), join(dir, 'node_modules', name));
    }
  }
  const names = blocks.map((b, i) => {
    const name = `block-${i}.ts`;
    // Every block is its own module, even one without imports.
    writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
    return name;
  });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(repoRoot, 'node_modules', '@types')],
        },
        files: names,
      },
      null,
      2,
    ),
  );
  return names;
}

export interface DocDiagnostic {
  file: string;
  line: number;
  message: string;
}

/** Maps `block-N.ts(line,col): error …` lines of tsc's output back to Markdown files and lines. */
export function mapDiagnostics(output: string, blocks: readonly CodeBlock[]): DocDiagnostic[] {
  const out: DocDiagnostic[] = [];
  for (const line of output.split('\n')) {
    const m = /block-(\d+)\.ts\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
    if (!m) continue;
    const block = blocks[Number(m[1])];
    if (!block) continue;
    out.push({ file: block.file, line: block.line + Number(m[2]) - 1, message: m[4]! });
  }
  return out;
}
