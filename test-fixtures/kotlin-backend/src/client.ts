// Runs the Kotlin Echo client once under the agent and returns what it saw and sent.
import { JvmProcess, type JvmOptions } from './jvm-process.js';
import type { KotlinLogLine } from './logs.js';
import type { OtlpSpan } from './otlp.js';

/** Options for {@link runKotlinClient}. */
export interface KotlinClientOptions extends JvmOptions {
  /** Baggage made current around the call (W3C-encoded by the agent). */
  baggage?: Record<string, string>;
  /** `Say` (default), `Stream`, `Collect` or `Chat`. */
  method?: 'Say' | 'Stream' | 'Collect' | 'Chat' | (string & {});
  /** Request `value`: a string is sent as is, anything else as JSON. */
  payload?: unknown;
  /**
   * `blocking` (grpc-java `ClientCalls`, baggage made current with `makeCurrent()`) or
   * `coroutine` (`runBlocking(baggage.asContextElement())`, the call on `Dispatchers.IO`
   * through grpc-kotlin's `ClientCalls`; Say and Stream only).
   * @default 'blocking'
   */
  api?: 'blocking' | 'coroutine';
  /** Whole-run limit (startup, call, flush), default 60 s. */
  timeoutMs?: number;
}

/** What one client run produced. */
export interface KotlinClientResult {
  /** The reply value, parsed as JSON when it is JSON (an array for Stream and Chat); undefined on error. */
  reply: unknown;
  /** The gRPC status when the call failed (`ERROR` line), e.g. `{ code: 'INTERNAL', description: '…' }`. */
  error?: { code: string; description: string | null };
  /** Every span the client JVM exported (flushed before exit). */
  spans: OtlpSpan[];
  /** The client's Cloud Logging entries (stdout). */
  logs: KotlinLogLine[];
  exitCode: number | null;
}

/**
 * Spawns `kotlin-backend.jar client --target <target>`, waits for it to exit (so
 * the agent has flushed its CLIENT span) and returns the reply and spans.
 * Rejects when the process neither replied nor reported a gRPC error.
 */
export async function runKotlinClient(target: string, options: KotlinClientOptions = {}): Promise<KotlinClientResult> {
  const command = ['client', '--target', target, '--method', options.method ?? 'Say'];
  if (options.api !== undefined) command.push('--api', options.api);
  const baggage = Object.entries(options.baggage ?? {});
  for (const [key, value] of baggage) {
    // The CLI form is k=v,k2=v2: a comma or '=' in a key would silently become other entries.
    if (key === '' || /[,=]/.test(key) || value.includes(',')) {
      throw new TypeError(`baggage entry ${JSON.stringify(key)}=${JSON.stringify(value)} cannot be passed as k=v,k2=v2`);
    }
  }
  if (baggage.length > 0) command.push('--baggage', baggage.map(([k, v]) => `${k}=${v}`).join(','));
  if (options.payload !== undefined) {
    command.push('--payload', typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload));
  }
  const jvm = new JvmProcess(command, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void jvm.stop(1_000);
      reject(new Error(`Kotlin client did not finish within ${timeoutMs} ms.\n${jvm.diagnostics()}`));
    }, timeoutMs);
  });
  let exitCode: number | null;
  try {
    exitCode = await Promise.race([jvm.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
  const replyLine = jvm.appLines.find((line) => line.startsWith('REPLY '));
  const errorLine = jvm.appLines.find((line) => line.startsWith('ERROR '));
  if (replyLine === undefined && errorLine === undefined) {
    throw new Error(`Kotlin client exited (code ${exitCode}) without a reply.\n${jvm.diagnostics()}`);
  }
  const result: KotlinClientResult = {
    reply: replyLine === undefined ? undefined : JSON.parse(replyLine.slice('REPLY '.length)),
    spans: [...jvm.spans],
    logs: [...jvm.logs],
    exitCode,
  };
  if (errorLine !== undefined) result.error = JSON.parse(errorLine.slice('ERROR '.length)) as KotlinClientResult['error'];
  return result;
}
