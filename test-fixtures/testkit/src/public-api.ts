// A package exports what its README's API section documents, and nothing
// else: the names in the first column of the tables under `## API` (one
// table per entry point: `### `@tracehop/core/internal`` for a subpath)
// against the names each entry's source exports, types included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { expect, test } from 'vitest';

/** The names a module exports: `export { a, type B } from …`, `export function f`, `export const c`… */
export function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) throw new Error(`${file}: export * hides what is exported`);
      for (const element of statement.exportClause.elements) names.push(element.name.text);
      continue;
    }
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) for (const declaration of statement.declarationList.declarations) names.push(declaration.name.getText(source));
    else if ('name' in statement && statement.name) names.push((statement.name as ts.Identifier).text);
  }
  return names.sort();
}

/**
 * The names the README's API section documents, by entry point: `.` for the
 * table right under `## API`, the subpath for a table under a `### `pkg/sub``
 * heading. A name is a backticked identifier at the start of a first-column
 * cell entry: `` `setTenant(ctx, id)` `` documents `setTenant`.
 */
export function documentedNames(readme: string): Map<string, string[]> {
  const section = /^## API\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1];
  if (section === undefined) throw new Error('the README has no "## API" section');
  const byEntry = new Map<string, string[]>();
  let entry = '.';
  for (const line of section.split('\n')) {
    const heading = /^### `@[^/`]+\/[^/`]+\/([^`]+)`/.exec(line);
    if (heading) entry = `./${heading[1]}`;
    const cell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (!cell || /^\s*:?-+/.test(cell)) continue;
    for (const match of cell.matchAll(/`([A-Za-z_$][\w$]*)[^`]*`/g)) byEntry.set(entry, [...(byEntry.get(entry) ?? []), match[1]!]);
  }
  // The header row's first cell ("export") is not backticked, so it never counts.
  for (const [key, names] of byEntry) byEntry.set(key, [...new Set(names)].sort());
  return byEntry;
}

/** Registers the test that a package's exports equal its README's API section, entry point by entry point. */
export function testPublicApi(packageDir: string, entries: Readonly<Record<string, string>> = { '.': 'src/index.ts' }): void {
  test(`the exports of ${Object.keys(entries).join(', ')} are exactly what README.md's API section documents`, () => {
    const documented = documentedNames(readFileSync(join(packageDir, 'README.md'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const published = Object.keys(manifest.exports).filter((key) => key !== './package.json');
    expect(Object.keys(entries).sort(), 'the entry points package.json exports').toEqual(published.sort());
    expect([...documented.keys()].sort()).toEqual(Object.keys(entries).sort());
    for (const [entry, file] of Object.entries(entries)) {
      expect(exportedNames(join(packageDir, file)), `${entry} (${file}) against README.md`).toEqual(documented.get(entry));
    }
  });
}
