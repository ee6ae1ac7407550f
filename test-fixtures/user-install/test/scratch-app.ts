// A scratch app outside the workspace, as a user has one: its own folder under
// the OS temp dir, its own package.json, `npm install` from the registry (npm's
// own cache only) plus the tracehop tarballs, and `node <entry>` to run it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
const templates = new URL('../apps/', import.meta.url);

/** One line an app printed: a pino log line, `{ span }`, `{ ready }`, or `{ text }` when not JSON. */
export type AppLine = Record<string, unknown>;

/**
 * The environment without what pnpm (which runs vitest) exports to scripts:
 * its `npm_config_*` would configure the user's npm, and `NODE_OPTIONS` could
 * carry a loader. The app gets what a shell would give it.
 */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|VITEST|TINYPOOL)/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Copies apps/<template> and apps/shared into `dir` and adds `tarballs` (name -> .tgz) to its dependencies. */
export function createScratchApp(template: string, dir: string, tarballs: Record<string, string>): string {
  cpSync(new URL(template, templates), dir, { recursive: true });
  cpSync(new URL('shared/', templates), dir, { recursive: true });
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies: Record<string, string> };
  for (const [name, tarball] of Object.entries(tarballs)) manifest.dependencies[name] = `file:${tarball}`;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** `npm install` as a user runs it; peers come from the app's own dependencies. */
export async function npmInstall(dir: string): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env: userEnvironment(),
    timeout: 150_000,
  });
}

export interface RunningApp {
  /** Every line printed so far. */
  readonly lines: AppLine[];
  /** Resolves with the first non-undefined `pick(line)`, waiting for lines still to come. */
  waitFor<T>(pick: (line: AppLine) => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `node <entry>` in `dir` on this test's Node, reading its stdout as JSON lines. */
export function startApp(dir: string, entry: string, env: Record<string, string> = {}): RunningApp {
  const child: ChildProcess = spawn(process.execPath, [entry], { cwd: dir, env: userEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: AppLine[] = [];
  let stderr = '';
  let exited: string | undefined;
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as AppLine);
    } catch {
      lines.push({ text });
    }
  });
  child.on('exit', (code, signal) => (exited = `exited (${signal ?? code})`));

  return {
    lines,
    async waitFor(pick, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const line of lines) {
          const picked = pick(line);
          if (picked !== undefined) return picked;
        }
        if (exited || Date.now() > deadline) {
          throw new Error(`${entry}: no ${what} (${exited ?? 'timed out'})\nstdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
