// Issue 23.2: one sentence says what throws, in the same words in every file
// that says it; each claim in it has its test (see SECURITY.md §6).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SENTENCE =
  'What throws: a factory given options that cannot work, when it is called (a `TypeError` naming the option), and `setTenant` given an invalid tenant ID; nothing else throws, whatever a request carries.';

/** Prose as a reader sees it: no Markdown emphasis, no JSDoc gutters, one space between words. */
function prose(text: string): string {
  return text
    .replace(/^\s*\*\s?/gm, '')
    .replace(/\*\*/g, '')
    .replace(/\s+/g, ' ');
}

const packages = ['core', 'grpc', 'envelop', 'pino', 'tenant', 'gcp'];
const sayers = ['SECURITY.md', ...packages.map((name) => `packages/${name}/README.md`), 'packages/tenant/src/tenant-baggage.ts'];

test.each(sayers)('%s says what throws in the one sentence', (file) => {
  const text = prose(readFileSync(join(root, file), 'utf8'));
  expect(text.split(SENTENCE).length - 1, file).toBe(1);
});

test('any other file that says "What throws" says it in the same words', () => {
  const candidates = [
    'README.md',
    ...packages.flatMap((name) => readdirSync(join(root, 'packages', name, 'src'), { recursive: true }).map((file) => `packages/${name}/src/${String(file)}`)),
  ];
  for (const file of candidates.filter((file) => /\.(md|ts)$/.test(file))) {
    const text = prose(readFileSync(join(root, file), 'utf8'));
    for (const match of text.matchAll(/What throws:/g)) {
      expect(text.slice(match.index, match.index + SENTENCE.length), file).toBe(SENTENCE);
    }
  }
});

// Built from parts, so that a grep of the repository for the old claims finds nothing, this file included.
const stale = new RegExp(['only (tracehop )?(API|calls?) that ', 'throws?|only ', 'throwing API|extract', 'Inbound'].join(''));

test('no README still says setTenant alone throws, or names a function core does not have', () => {
  const files = ['SECURITY.md', 'README.md', ...packages.map((name) => `packages/${name}/README.md`)];
  for (const file of files) expect(prose(readFileSync(join(root, file), 'utf8')), file).not.toMatch(stale);
});
