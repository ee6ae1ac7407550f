// The orchestrator side: forks worker processes with an IPC channel and
// sends them requests. Workers get --expose-gc (heap growth after GC) and,
// with BENCH_CPU_PROF=1, a named CPU profile in bench/loopback/profiles/.
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchEnv } from '../../lib/env.mjs';

const workersDir = new URL('../workers/', import.meta.url);
const profileDir = fileURLToPath(new URL('../profiles/', import.meta.url));
const live = new Set();

/**
 * Starts `bench/loopback/workers/<script>` with `args` and resolves once it said it is ready.
 * @returns {Promise<Worker>}
 */
export function startWorker(script, args, { label, cpuProf = false } = {}) {
  const execArgv = ['--expose-gc', ...(benchEnv('WORKER_FLAGS')?.split(' ').filter(Boolean) ?? [])];
  if (cpuProf) {
    mkdirSync(profileDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label ?? script}.cpuprofile`);
  }
  const child = fork(new URL(script, workersDir), args, {
    execArgv,
    // Workers print nothing on success; their warnings and errors go to our stderr.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    const onEarlyExit = (code) => reject(new Error(`${label ?? script} exited with ${code} before it was ready`));
    child.once('exit', onEarlyExit);
    child.once('message', (message) => {
      child.off('exit', onEarlyExit);
      if (!message.ready) return reject(new Error(`${label ?? script}: unexpected first message`));
      resolve(new Worker(child, label ?? script, message));
    });
  });
}

class Worker {
  #nextId = 0;
  #pending = new Map();

  constructor(child, label, info) {
    this.child = child;
    this.label = label;
    this.info = info;
    child.on('message', (message) => this.#settle(message));
    child.on('exit', (code) => {
      for (const { reject } of this.#pending.values()) reject(new Error(`${label} exited with ${code}`));
      this.#pending.clear();
    });
  }

  request(command, args) {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.send({ id, command, args });
    });
  }

  /** Asks the worker to exit and waits for it (a CPU profile is written on exit). */
  stop() {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ command: 'exit' });
    });
  }

  #settle(message) {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(`${this.label}: ${message.error}`));
  }
}

/** Stops every worker still running (scenario end, or an error). */
export async function stopAll() {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.send({ command: 'exit' });
        }),
    ),
  );
}
