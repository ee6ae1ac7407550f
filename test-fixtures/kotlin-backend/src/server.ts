// Starts the Kotlin Echo server under the agent and exposes what it emits.
import { JvmProcess, type JvmOptions } from './jvm-process.js';
import type { KotlinLogLine } from './logs.js';
import type { OtlpSpan } from './otlp.js';

/** A running Kotlin server. */
export interface KotlinServer {
  port: number;
  /** `127.0.0.1:<port>`, a grpc-js target. */
  address: string;
  /** Spans exported so far (the agent exports ~100 ms after a span ends). */
  spans(): OtlpSpan[];
  /** Cloud Logging entries the JVM wrote on stdout so far. */
  logs(): KotlinLogLine[];
  /** Spans matching [predicate], once at least [minCount] have been exported. */
  waitForSpans(predicate: (span: OtlpSpan) => boolean, timeoutMs?: number, minCount?: number): Promise<OtlpSpan[]>;
  /** Stops the JVM with SIGTERM (flushing its spans) and waits for it to exit. */
  stop(): Promise<void>;
  /** Recent raw output, for failure messages. */
  diagnostics(): string;
  /** Every stderr line that is not a span batch (agent and JVM warnings, stack traces), so far. */
  rawStderr(): string[];
}

/** Options for {@link startKotlinServer}. */
export interface KotlinServerOptions extends JvmOptions {
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** How long to wait for `LISTENING` (JVM + agent startup), default 60 s. */
  startupTimeoutMs?: number;
  /**
   * Which Echo implementation serves: `plain` (grpc-java stubs, all four methods) or
   * `coroutine` (grpc-kotlin suspending handlers and Flow: Say and Stream, replies with `steps`).
   * @default 'plain'
   */
  implementation?: 'plain' | 'coroutine';
}

/**
 * Spawns `java -javaagent:… -jar kotlin-backend.jar server` bound to loopback and
 * resolves once it prints `LISTENING <port>`. Throws (telling to run build.sh)
 * when the fixture is not built.
 */
export async function startKotlinServer(options: KotlinServerOptions = {}): Promise<KotlinServer> {
  // The server exits when its stdin closes: if this process dies, no JVM is left behind.
  const command = ['server', '--port', String(options.port ?? 0), '--exit-on-stdin-eof', 'true'];
  if (options.implementation !== undefined) command.push('--implementation', options.implementation);
  const jvm = new JvmProcess(command, {
    ...options,
    stdinPipe: true,
  });
  let port: number;
  try {
    const line = await jvm.waitForLine((l) => l.startsWith('LISTENING '), options.startupTimeoutMs ?? 60_000);
    port = Number(line.slice('LISTENING '.length));
  } catch (error) {
    await jvm.stop(2_000);
    throw error;
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    spans: () => [...jvm.spans],
    logs: () => [...jvm.logs],
    waitForSpans: (predicate, timeoutMs, minCount) => jvm.waitForSpans(predicate, timeoutMs, minCount),
    stop: () => jvm.stop(),
    diagnostics: () => jvm.diagnostics(),
    rawStderr: () => [...jvm.rawStderr],
  };
}
