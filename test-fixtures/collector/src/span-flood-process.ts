// A span flood in a process of its own: encoding megabytes of OTLP per second
// would otherwise take the event loop of the test process, where the fixture
// services answer their requests, and slow them for reasons that have nothing
// to do with exporting. Same options and results as startSpanFlood.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SpanFlood, SpanFloodOptions, SpanFloodResult } from './span-flood.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** A flood in its own process; `pid` to pin it to a CPU. */
export type SpanFloodProcess = SpanFlood & { readonly pid: number; progressAsync(): Promise<SpanFloodResult> };

/** Starts the flood in a child process; resolves once it runs. */
export async function startSpanFloodProcess(options: SpanFloodOptions): Promise<SpanFloodProcess> {
  const child = fork(fileURLToPath(new URL('./span-flood-child.ts', import.meta.url)), [JSON.stringify(options)], {
    cwd: packageDir,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const ask = <K extends 'progress' | 'result'>(message: 'progress' | 'stop', key: K) =>
    new Promise<SpanFloodResult>((resolve, reject) => {
      const onMessage = (reply: unknown) => {
        const value = (reply as Partial<Record<K, SpanFloodResult>>)[key];
        if (!value) return;
        child.off('message', onMessage);
        resolve(value);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`span flood process exited (${code}) before answering`)));
      child.send(message);
    });
  let last: SpanFloodResult = { requests: 0, spansOffered: 0, spansAccepted: 0, skipped: 0, statuses: {}, elapsedMs: 0 };
  return {
    pid: child.pid!,
    progress: () => last,
    progressAsync: async () => (last = await ask('progress', 'progress')),
    stop: async () => (last = await ask('stop', 'result')),
  };
}
