// Runs one Sentry-instrumented service (src/gateway.ts, src/backend.ts) in its
// own Node process, from TypeScript sources like the rest of the suite, and
// waits for its `LISTENING <address>` line. Sentry registers process-wide
// globals, so each service needs its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildService {
  /** What the service printed after `LISTENING `: a URL or `host:port`. */
  readonly address: string;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** SIGTERM (the service flushes Sentry, then exits); SIGKILL after 5 s. */
  stop(): Promise<void>;
}

const fixtureDir = fileURLToPath(new URL('..', import.meta.url));

export async function startChildService(entry: 'gateway' | 'backend', env: Record<string, string>): Promise<ChildService> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=tracehop-source', '--import', 'tsx', `src/${entry}.ts`], {
    cwd: fixtureDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^LISTENING (\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited before listening:\n${output}`));
    });
  });
  return {
    address,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
