// Interop with @opentelemetry/instrumentation-grpc running in its own
// CommonJS process, in both directions, and side by side in one process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { assertBuilt } from './built-package.js';
import { createClient, createTelemetry, observingHandlers, sayAsync, startServer, useAsyncContext, type Observation } from './harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
useAsyncContext();
const telemetry = createTelemetry();

interface PeerSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  scope: string;
}

/** A running otel-peer.cjs with its output parsed line by line. */
class Peer {
  readonly spans: PeerSpan[] = [];
  readonly handlerCalls: { traceId?: string; traceparents: string[] }[] = [];
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['otel-peer.cjs', ...args], { cwd: fixtures });
    let stderr = '';
    this.child.stderr.on('data', (chunk) => (stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        if (code) console.error(stderr);
        resolve(code);
      }),
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line.startsWith('SPAN ')) this.spans.push(JSON.parse(line.slice(5)) as PeerSpan);
      if (line.startsWith('HANDLER ')) this.handlerCalls.push(JSON.parse(line.slice(8)));
      this.lines.push(line);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async waitFor(predicate: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`peer never printed the expected line; got:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  stop(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}

beforeAll(() => {
  assertBuilt(fileURLToPath(new URL('..', import.meta.url)));
  assertBuilt(fileURLToPath(new URL('../../core', import.meta.url)));
});
beforeEach(() => telemetry.exporter.reset());

test('instrumentation-grpc client -> tracehop server: the server span continues the peer trace', async () => {
  const seen: Observation[] = [];
  const server = await startServer(observingHandlers(seen), { tracerProvider: telemetry.provider });
  try {
    const peer = new Peer(['client', server.address]);
    await peer.waitFor((line) => line.startsWith('REPLY '));
    expect(await peer.exited).toBe(0);
    const peerClient = peer.spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(peerClient?.scope).toBe('@opentelemetry/instrumentation-grpc');
    const serverSpan = telemetry.span('tracehop.fixture.Echo/Say', SpanKind.SERVER);
    expect(serverSpan.spanContext().traceId).toBe(peerClient!.traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(peerClient!.spanId);
    expect(seen[0]!.traceId).toBe(peerClient!.traceId);
  } finally {
    await server.stop();
  }
});

test('tracehop client -> instrumentation-grpc server: the peer server span is a child of ours', async () => {
  const peer = new Peer(['server']);
  const port = (await peer.waitFor((line) => line.startsWith('LISTENING '))).split(' ')[1];
  const client = createClient(`127.0.0.1:${port}`, { tracerProvider: telemetry.provider });
  try {
    const parent = telemetry.provider.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () => sayAsync(client, 'hi'));
    parent.end();
    await peer.waitFor((line) => line.startsWith('SPAN '));
  } finally {
    client.close();
    await peer.stop();
  }
  const clientSpan = telemetry.span('tracehop.fixture.Echo/Say', SpanKind.CLIENT);
  const peerServer = peer.spans.find((s) => s.kind === SpanKind.SERVER);
  expect(peerServer?.scope).toBe('@opentelemetry/instrumentation-grpc');
  expect(peerServer?.traceId).toBe(clientSpan.spanContext().traceId);
  expect(peerServer?.parentSpanId).toBe(clientSpan.spanContext().spanId);
  expect(peer.handlerCalls[0]!.traceparents).toHaveLength(1);
});

test('side by side in one process: one CLIENT span, one SERVER span, one traceparent', async () => {
  const peer = new Peer(['both']);
  await peer.waitFor((line) => line.startsWith('REPLY '));
  expect(await peer.exited).toBe(0);
  const grpcSpans = peer.spans.filter((s) => s.name.endsWith('tracehop.fixture.Echo/Say'));
  expect(grpcSpans.filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(1);
  expect(grpcSpans.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1);
  const [clientSpan, serverSpan] = [SpanKind.CLIENT, SpanKind.SERVER].map((kind) => grpcSpans.find((s) => s.kind === kind)!);
  expect(serverSpan!.parentSpanId).toBe(clientSpan!.spanId);
  expect(peer.handlerCalls).toHaveLength(1);
  expect(peer.handlerCalls[0]!.traceparents).toEqual([`00-${clientSpan!.traceId}-${clientSpan!.spanId}-01`]);
  expect(peer.handlerCalls[0]!.traceId).toBe(clientSpan!.traceId);
});

afterAll(() => telemetry.provider.shutdown());
