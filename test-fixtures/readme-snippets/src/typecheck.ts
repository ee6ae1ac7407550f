// Type-checks files with the TypeScript a user would run (`tsc`, this
// package's pinned version) in one program, and maps each diagnostic back to
// the file it belongs to.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** A user's strict settings. `module` decides how imports resolve (and which errors a CommonJS app sees). */
export interface CompilerSettings {
  module: 'nodenext' | 'node16' | 'commonjs';
  /** Global declarations every file sees (the names a README leaves to the reader). */
  declarations?: string[];
}

/** One `tsc` diagnostic: `file(line,col): error TSnnnn: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/**
 * Runs `tsc --noEmit` over `files` (absolute) with a tsconfig written into
 * `dir`, which must sit where the packages resolve from (a `node_modules`
 * above it). Returns the diagnostics, per absolute file path.
 */
export async function typecheck(dir: string, name: string, files: string[], settings: CompilerSettings): Promise<Diagnostic[]> {
  const project = join(dir, `tsconfig.${name}.json`);
  writeFileSync(
    project,
    JSON.stringify({
      compilerOptions: {
        module: settings.module,
        // What tsc picks for each module mode when a user leaves it out.
        ...(settings.module === 'commonjs' ? {} : { moduleResolution: settings.module }),
        target: 'es2022',
        lib: ['es2022'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        types: ['node'],
      },
      files: [...(settings.declarations ?? []), ...files],
    }),
  );
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: dir, maxBuffer: 16 << 20 }).catch(
    (error: { stdout?: string; stderr?: string; code?: number }) => {
      if (!error.stdout) throw new Error(`tsc failed without diagnostics (exit ${error.code}): ${error.stderr}`);
      return { stdout: error.stdout };
    },
  );
  return parseDiagnostics(dir, result.stdout);
}

const LINE = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/;

/** Parses `tsc --pretty false` output; a continuation line belongs to the diagnostic above it. */
export function parseDiagnostics(dir: string, output: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const text of output.split('\n')) {
    const match = LINE.exec(text);
    if (match) diagnostics.push({ file: resolve(dir, match[1]!), line: Number(match[2]), code: match[3]!, message: match[4]! });
    else if (text.trim() && diagnostics.length > 0) diagnostics[diagnostics.length - 1]!.message += `\n${text}`;
  }
  return diagnostics;
}
