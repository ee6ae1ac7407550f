// One running collector: spawned from the built binary with layered config
// files and an environment, ready once its health_check extension answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { collectorBinary } from './binary.js';

/** Options for {@link startCollector}. */
export interface CollectorOptions {
  /** Config files, merged in order (later files override maps, replace lists). */
  configs: string[];
  /** Environment for the `${env:…}` references in the configs. */
  env: Record<string, string>;
  /** Port of the health_check extension on 127.0.0.1 (readiness). */
  healthPort: number;
  /**
   * How long to wait for readiness (the binary itself is ready in < 100 ms).
   * @default 15000
   */
  readyTimeoutMs?: number;
}

/** A collector process that can be stopped, killed and started again with the same settings. */
export interface RunningCollector {
  /** Everything the collector logged (stderr), for failure messages. */
  logs(): string;
  /** SIGTERM and wait: the collector drains its pipelines first. */
  stop(): Promise<void>;
  /** SIGKILL and wait: what a crashed or evicted instance looks like. */
  kill(): Promise<void>;
  /** Start again with the same binary, configs, env and ports; resolves when ready. */
  restart(): Promise<void>;
  /** Resident memory of the process in bytes (from /proc), or 0 when not running. */
  rssBytes(): Promise<number>;
}

export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const binary = collectorBinary();
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';

  const launch = async () => {
    const args = options.configs.flatMap((file) => ['--config', `file:${file}`]);
    child = spawn(binary, args, { env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await waitReady(options.healthPort, options.readyTimeoutMs ?? 15_000, exited, () => output);
  };
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  await launch();
  return {
    logs: () => output,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGKILL');
      await launch();
    },
    rssBytes: () => rssOf(child.pid),
  };
}

async function waitReady(port: number, timeoutMs: number, exited: Promise<number | null>, logs: () => string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`collector exited (code ${exitCode}) before it was ready:\n${logs()}`);
    if (await healthy(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`collector not ready within ${timeoutMs} ms:\n${logs()}`);
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function rssOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
