// Test harness: real pino writing to an in-memory destination, the real OTel
// SDK (BasicTracerProvider + in-memory exporter), AsyncLocalStorage context.
import { context, trace, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { pino, type LoggerOptions } from 'pino';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The golden vector: Datadog decimals 9532127138774266268 / 13235353014750950193. */
export const GOLDEN_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const GOLDEN_SPAN_ID = 'b7ad6b7169203331';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export { useAsyncContext, withBaggage } from '@tracehop/testkit';

/** A provider whose every span carries the golden IDs, so lines can be compared byte for byte. */
export function goldenProvider(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    idGenerator: { generateTraceId: () => GOLDEN_TRACE_ID, generateSpanId: () => GOLDEN_SPAN_ID },
  });
  return { provider, exporter };
}

export interface CapturedLogger {
  logger: pino.Logger;
  /** Raw lines exactly as pino wrote them, without the trailing newline. */
  raw: string[];
  lines(): Array<Record<string, unknown>>;
}

/** pino with no pid/hostname/time, so golden lines are stable; writes into memory. */
export function captureLogger(options: LoggerOptions = {}): CapturedLogger {
  const raw: string[] = [];
  const destination = { write: (chunk: string) => void raw.push(chunk.replace(/\n$/, '')) };
  const logger = pino({ base: undefined, timestamp: false, ...options }, destination);
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Runs `fn` inside a started (and then ended) SDK span. */
export function inSpan<T>(provider: BasicTracerProvider, fn: () => T, parent: Context = context.active()): T {
  const span = provider.getTracer('test').startSpan('work', undefined, parent);
  try {
    return context.with(trace.setSpan(parent, span), fn);
  } finally {
    span.end();
  }
}

/** Builds the package (and core) the way the root `pnpm test` does; incremental, so cheap when fresh. */
export function buildPackage(): void {
  execFileSync(process.execPath, [`${repoRoot}node_modules/typescript/bin/tsc`, '-b', 'packages/pino/tsconfig.build.json'], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
}
