// Finds the TypeScript snippets of the Markdown files a user reads and turns
// each into a module file: what the readme-snippets test type-checks (and, for
// the runnable ones, runs). The Markdown stays plain: a snippet is any fenced
// block whose info string starts with `ts`; `ts run` marks one that runs as is.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** One fenced ```ts block. */
export interface Snippet {
  /** The Markdown file, relative to the repository root, with `/` separators. */
  readonly file: string;
  /** 1-based line of the first line of code (the line after the opening fence). */
  readonly line: number;
  /** Whether the info string says `run`: the snippet is run as well as type-checked. */
  readonly run: boolean;
  readonly code: string;
}

/**
 * Folders whose Markdown is not for users: the private test fixtures document
 * workspace-only packages, the rest is build output or installed code.
 */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'target', 'test-fixtures', '.git', '.snippets']);

/** Every `*.md` under `root` a user reads, sorted, relative with `/`. */
export function userMarkdownFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name));
      } else if (entry.name.endsWith('.md')) {
        found.push(relative(root, join(dir, entry.name)).split(sep).join('/'));
      }
    }
  };
  walk(root);
  return found.sort();
}

// CommonMark fences: three or more backticks, indented at most three spaces; the
// closing fence is at least as long as the opening one.
const FENCE = /^ {0,3}(`{3,})\s*([^`]*)$/;

/** The ```ts blocks of one Markdown text. Throws on a block that is never closed. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, ticks, info] = open;
    const end = lines.findIndex((text, j) => j > i && new RegExp(`^ {0,3}\`{${ticks!.length},}\\s*$`).test(text));
    if (end < 0) throw new Error(`${file}:${i + 1}: a fenced block that is never closed`);
    const words = info!.trim().split(/\s+/);
    if (words[0] === 'ts' || words[0] === 'typescript') {
      snippets.push({ file, line: i + 2, run: words.includes('run'), code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return snippets;
}

/** Every snippet of every Markdown file a user reads under `root`. */
export function findSnippets(root: string): Snippet[] {
  return userMarkdownFiles(root).flatMap((file) => extractSnippets(file, readFileSync(join(root, file), 'utf8')));
}

/** A file name that says where the snippet comes from: `packages-envelop-README.md-17`. */
export function snippetName(snippet: Snippet): string {
  return `${snippet.file.replace(/[/\\]/g, '-')}-${snippet.line}`;
}

/**
 * The snippet as a module. `export {}` makes even a snippet without imports a
 * module, so two snippets' top-level names never collide; the code keeps its
 * lines, so a diagnostic's line maps back to the Markdown by an offset.
 */
export function moduleSource(snippet: Snippet): string {
  return `${snippet.code}\nexport {};\n`;
}
