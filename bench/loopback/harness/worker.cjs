// The worker side of a benchmark process: answers the orchestrator's
// requests over the IPC channel, runs closed loops, reports its heap.
// CommonJS, so workers that must `require` before anything else (peer
// instrumentations) can use it as well as ESM workers.
'use strict';

/**
 * Answers `{ id, command, args }` messages with `{ id, ok, result | error }`.
 * `exit` is built in, so every worker ends the same way (and writes its
 * --cpu-prof profile).
 */
function serve(handlers, readyInfo = {}) {
  process.on('message', async (message) => {
    if (message.command === 'exit') process.exit(0);
    const handler = handlers[message.command];
    try {
      if (!handler) throw new Error(`unknown command ${message.command}`);
      process.send({ id: message.id, ok: true, result: await handler(message.args ?? {}) });
    } catch (error) {
      process.send({ id: message.id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  // The orchestrator died: do not linger as an orphan holding a port.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, pid: process.pid, ...readyInfo });
}

/** Heap in use after a full GC (workers run with --expose-gc), so growth means retention. */
function heapUsedAfterGc() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap after GC and CPU time used so far (user + system, µs). CPU per
 * operation is what a variant costs the process even when the machine is
 * noisy: other tenants' load changes wall-clock throughput much more than it
 * changes the CPU time our process spends per call.
 */
function resourceSnapshot() {
  const heapBytes = heapUsedAfterGc();
  const { user, system } = process.cpuUsage();
  return { heapBytes, cpuMicros: user + system };
}

/**
 * Keeps `concurrency` operations in flight for `seconds` and counts those
 * that completed before the deadline. `issue(done)` starts one operation and
 * must call `done(error?)` asynchronously, once.
 */
function closedLoop(issue, { concurrency, seconds }) {
  return new Promise((resolve) => {
    let completed = 0;
    let failed = 0;
    let inFlight = 0;
    let stopped = false;
    let firstError;
    let result;
    const started = process.hrtime.bigint();

    setTimeout(() => {
      stopped = true;
      result = { ops: completed, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
      if (inFlight === 0) finish();
    }, seconds * 1000);

    // Drained: in-flight operations finish before the next variant runs.
    function finish() {
      resolve({ ...result, failed, firstError });
    }
    function done(error) {
      inFlight--;
      if (error) {
        failed++;
        firstError ??= String(error?.message ?? error);
      } else if (!stopped) {
        completed++;
      }
      if (!stopped) launch();
      else if (inFlight === 0) finish();
    }
    function launch() {
      inFlight++;
      issue(done);
    }
    for (let i = 0; i < concurrency; i++) launch();
  });
}

module.exports = { serve, heapUsedAfterGc, resourceSnapshot, closedLoop };
