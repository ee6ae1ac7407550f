// Test harness: a real loopback OTLP/HTTP receiver that authenticates like a
// private Cloud Run service (a valid ID token from the issuer for the audience,
// else 401), real SDK spans, the exporter's own export() as the app calls it,
// and a diag logger that keeps what the package says.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Issuer } from '@tracehop/fixture-gcp-fakes';

export const AUDIENCE = 'https://collector-abc123-ew.a.run.app';
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface OtlpReceiver {
  url: string;
  accepted: number;
  /** Why each refused request was refused. */
  refusals: string[];
  /** Every bearer token presented, valid or not. */
  tokens: string[];
  close(): Promise<void>;
}

/** Accepts an export only with a valid `Bearer` ID token in `header` (lower case). */
export async function startOtlpReceiver(issuer: Issuer, header = 'authorization'): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = { url: '', accepted: 0, refusals: [], tokens: [], close: async () => undefined };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const presented = request.headers[header];
      const token = typeof presented === 'string' && presented.startsWith('Bearer ') ? presented.slice(7) : undefined;
      if (token !== undefined) receiver.tokens.push(token);
      const verdict = token === undefined ? { ok: false as const, reason: `no bearer token in ${header}` } : issuer.verify(token, { audience: AUDIENCE });
      if (!verdict.ok) {
        receiver.refusals.push(verdict.reason);
        response.writeHead(401, { 'Content-Type': 'text/plain' }).end(verdict.reason);
        return;
      }
      receiver.accepted += 1;
      response.writeHead(200, { 'Content-Type': request.headers['content-type'] ?? 'application/json' }).end(
        request.headers['content-type'] === 'application/x-protobuf' ? '' : '{}',
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  receiver.close = async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return receiver;
}

/** Two real, ended SDK spans. */
export function makeSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('gcp-test');
  tracer.startActiveSpan('parent', (parent) => {
    tracer.startSpan('child').end();
    parent.end();
  });
  return memory.getFinishedSpans();
}

export function exportSpans(exporter: SpanExporter, spans = makeSpans()): Promise<ExportResult & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => exporter.export(spans, (result) => resolve({ ...result, ms: performance.now() - started })));
}

export interface DiagCapture {
  lines: Array<{ level: string; message: string }>;
  /** Lines of this level from @tracehop/gcp. */
  of(level: string): string[];
}

export function captureDiag(): DiagCapture {
  const lines: DiagCapture['lines'] = [];
  const keep = (level: string) => (...args: unknown[]) => void lines.push({ level, message: args.map(String).join(' ') });
  const logger: DiagLogger = { error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug'), verbose: keep('verbose') };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return { lines, of: (level) => lines.filter((line) => line.level === level && line.message.includes('@tracehop/gcp')).map((line) => line.message) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (or fails after `timeoutMs`). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

export function buildPackage(): void {
  execFileSync(process.execPath, [`${repoRoot}node_modules/typescript/bin/tsc`, '-b', 'packages/gcp/tsconfig.build.json'], { cwd: repoRoot, stdio: 'pipe' });
}
