// pnpm demo [-- --kotlin]
//
// Starts the BFF (Yoga + tracehop) and a gRPC backend (Node by default, the
// Kotlin one under the OpenTelemetry Java agent with --kotlin), sends a few
// GraphQL requests for two hospitals (one fails inside the backend), and prints
// each request's trace as a tree followed by every service's log lines that
// carry its trace ID. Every service exports its spans over OTLP to tracehop
// doctor's receiver (and to OTEL_EXPORTER_OTLP_ENDPOINT too when set); the
// tree is drawn by doctor's printer. With --kotlin every service logs in Cloud
// Logging's structured shape (the Node ones through @tracehop/pino's
// gcpLoggerOptions, Kotlin through logback + logstash-logback-encoder): the
// demo lists the span IDs and prints each Kotlin line in full, so its
// logging.googleapis.com/spanId can be matched to its span.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { renderTrace } from '@tracehop/doctor/testing';
import { createServiceTelemetry, startBff, startNodeBackend } from '@tracehop/fixture-bff';
import {
  GCP_SPAN_ID_KEY,
  jvmFixtureAvailable,
  spanIdOf,
  startKotlinServer,
  traceIdOf,
  type KotlinServer,
} from '@tracehop/fixture-kotlin-backend';
import type { TreeSpan } from '@tracehop/doctor/testing';
import { newTraceparent, postGraphQL } from '../test/harness.js';
import { receiveSpans } from './received-spans.js';

interface DemoLine {
  service: string;
  level: string;
  message: string;
  traceId: string | null | undefined;
  spanId: string | null | undefined;
  tenant: string | null | undefined;
  /** The line as the service wrote it (Kotlin lines in --kotlin mode), printed under the summary. */
  raw?: string;
}

const useKotlin = process.argv.includes('--kotlin');
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

const REQUESTS = [
  { tenant: 'hospital_a', token: 'token-hospital-a', query: '{ patient(id: "p-1") { id summary vitals } }' },
  { tenant: 'hospital_b', token: 'token-hospital-b', query: '{ patient(id: "p-2") { id summary } }' },
  { tenant: 'hospital_b', token: 'token-hospital-b', query: '{ patient(id: "p-fail") { id summary } }' },
];

async function main(): Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const received = await receiveSpans();
  // With --kotlin, the Node services log Cloud Logging entries too: one shape for every line of a trace.
  const logs = useKotlin ? { gcpLogs: {} } : {};
  const bffTelemetry = createServiceTelemetry('bff', { spanProcessors: [received.processor()], ...logs });
  const nodeTelemetry = createServiceTelemetry('node-backend', { spanProcessors: [received.processor()], ...logs });

  let kotlin: KotlinServer | undefined;
  if (useKotlin) {
    ensureKotlinBuilt();
    console.log('starting the Kotlin backend under the OpenTelemetry Java agent…');
    kotlin = await startKotlinServer({ systemProperties: received.agentProperties() });
  }
  const nodeBackend = await startNodeBackend(nodeTelemetry);
  const backendAddress = kotlin?.address ?? nodeBackend.address;
  const bff = await startBff({ telemetry: bffTelemetry, backendAddress });
  console.log(`BFF ${bff.url} -> ${kotlin ? 'Kotlin' : 'Node'} backend ${backendAddress}\n`);

  try {
    for (const [i, request] of REQUESTS.entries()) {
      const incoming = newTraceparent();
      const response = await postGraphQL(bff.url, request.query, {
        traceparent: incoming.header,
        authorization: `Bearer ${request.token}`,
        baggage: 'tenant.id=spoofed-by-client', // dropped at the edge: the tenant comes from auth
      });
      const outcome = response.errors ? `error: ${response.errors.map((e) => e.message).join('; ')}` : 'ok';
      console.log(`━━ request ${i + 1}  tenant=${request.tenant}  ${request.query}`);
      console.log(`   incoming traceparent ${incoming.header}  →  ${outcome}\n`);

      const linesOfTrace = () => logLines(bffTelemetry.logs(), nodeTelemetry.logs(), kotlin).filter((l) => l.traceId === incoming.traceId);
      // Wait for the spans the lines name too: a second Kotlin SERVER span (vitals) can be exported a batch later.
      const spans = await received.settled(incoming.traceId, kotlin ? 'kotlin-backend' : 'node-backend', () => linesOfTrace().map((l) => l.spanId));
      console.log('   trace:');
      for (const line of renderTrace(spans)) console.log(`     ${line}`);
      if (kotlin) {
        console.log('\n   span IDs:');
        for (const span of spans) console.log(`     ${span.spanId}  [${span.service}] ${span.name} (${span.kind})`);
      }

      const heading = kotlin
        ? `log lines with logging.googleapis.com/trace ${incoming.traceId} (Kotlin ones in full below their summary)`
        : `log lines with trace_id ${incoming.traceId}`;
      console.log(`\n   ${heading}:`);
      for (const line of linesOfTrace()) {
        console.log(`     [${line.service}] ${line.level.padEnd(5)} ${line.message}  span_id=${line.spanId}${spanName(spans, line.spanId)} tenant=${line.tenant ?? '-'}`);
        if (line.raw) console.log(`       ${line.raw}`);
      }
      console.log('');
    }
  } finally {
    await bff.stop();
    await nodeBackend.stop();
    await kotlin?.stop();
    // Flushes the OTLP exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    await Promise.all([bffTelemetry.shutdown(), nodeTelemetry.shutdown()]);
    await received.close();
  }
}

function logLines(bff: Record<string, unknown>[], node: Record<string, unknown>[], kotlin: KotlinServer | undefined): DemoLine[] {
  // pino's `otel` format (trace_id, msg) or `gcp` format (Cloud Logging's fields, severity, message).
  const fromPino = (line: Record<string, unknown>): DemoLine => ({
    service: String(line.service),
    level: typeof line.severity === 'string' ? line.severity : (LEVELS[Number(line.level)] ?? String(line.level)),
    message: String(line.msg ?? line.message),
    traceId: (line.trace_id as string | undefined) ?? traceIdOf(line),
    spanId: (line.span_id as string | undefined) ?? spanIdOf(line),
    tenant: line['tenant.id'] as string | undefined,
  });
  const fromKotlin = kotlin?.logs().map((line): DemoLine => ({
    service: line.service ?? 'kotlin-backend',
    level: line.severity,
    message: line.message,
    traceId: traceIdOf(line),
    spanId: line[GCP_SPAN_ID_KEY],
    tenant: line['tenant.id'],
    raw: JSON.stringify(line),
  }));
  return [...bff.map(fromPino), ...node.map(fromPino), ...(fromKotlin ?? [])];
}

/** ` (= [service] name KIND)` for the span a line names, when it is one of the trace's spans. */
function spanName(spans: TreeSpan[], spanId: string | null | undefined): string {
  const span = spans.find((s) => s.spanId === spanId);
  return span ? ` (= [${span.service}] ${span.name} ${span.kind})` : '';
}

function ensureKotlinBuilt(): void {
  if (jvmFixtureAvailable()) return;
  console.log('building the Kotlin backend (Maven, first time only)…');
  const script = fileURLToPath(new URL('../../kotlin-backend/build.sh', import.meta.url));
  const result = spawnSync('bash', [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the Kotlin backend did not build; it needs a JDK 17 and Maven');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
