// The extractor: which fenced blocks are snippets, and where they start.
import { expect, test } from 'vitest';
import { extractSnippets, moduleSource, snippetName } from '../src/snippets.js';

const markdown = [
  '# Title', // 1
  '```ts', // 2
  'const a = 1;', // 3
  '```', // 4
  '```sh', // 5
  'pnpm install', // 6
  '```', // 7
  '````ts run', // 8
  '```', // 9: shorter than the opening fence, so still code
  'const b = 2;', // 10
  '````', // 11
  '```typescript', // 12
  'const c = 3;', // 13
  '```', // 14
].join('\n');

test('finds ts and typescript blocks with the Markdown line of their first code line; `run` marks runnable ones', () => {
  expect(extractSnippets('docs/X.md', markdown)).toEqual([
    { file: 'docs/X.md', line: 3, run: false, code: 'const a = 1;' },
    { file: 'docs/X.md', line: 9, run: true, code: '```\nconst b = 2;' },
    { file: 'docs/X.md', line: 13, run: false, code: 'const c = 3;' },
  ]);
});

test('a block that is never closed is an error, not a silently skipped snippet', () => {
  expect(() => extractSnippets('X.md', '```ts\nconst a = 1;\n')).toThrow('X.md:1: a fenced block that is never closed');
});

test('a snippet becomes a module with its lines unchanged, named after its file and line', () => {
  const [snippet] = extractSnippets('packages/a/README.md', '```ts\nconst a = 1;\n```');
  expect(moduleSource(snippet!)).toBe('const a = 1;\nexport {};\n');
  expect(snippetName(snippet!)).toBe('packages-a-README.md-2');
});
