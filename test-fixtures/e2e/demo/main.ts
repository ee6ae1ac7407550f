// pnpm demo [-- --kotlin]
//
// Starts the BFF (Yoga + tracehop) and a gRPC backend (Node by default, the
// Kotlin one under the OpenTelemetry Java agent with --kotlin), sends a few
// GraphQL requests for two hospitals (one fails inside the backend), and prints
// each request's trace as a tree followed by every service's log lines that
// carry its trace ID. Every service exports its spans over OTLP to tracehop
// doctor's receiver (and to OTEL_EXPORTER_OTLP_ENDPOINT too when set); the
// tree is drawn by doctor's printer.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { renderTrace } from '@tracehop/doctor';
import { createServiceTelemetry, startBff, startNodeBackend } from '@tracehop/fixture-bff';
import { jvmFixtureAvailable, startKotlinServer, type KotlinServer } from '@tracehop/fixture-kotlin-backend';
import { newTraceparent, postGraphQL } from '../test/harness.js';
import { receiveSpans } from './received-spans.js';

interface DemoLine {
  service: string;
  level: string;
  message: string;
  traceId: string | null | undefined;
  spanId: string | null | undefined;
  tenant: string | null | undefined;
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
  const bffTelemetry = createServiceTelemetry('bff', { spanProcessors: [received.processor()] });
  const nodeTelemetry = createServiceTelemetry('node-backend', { spanProcessors: [received.processor()] });

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

      const spans = await received.settled(incoming.traceId, kotlin ? 'kotlin-backend' : 'node-backend');
      console.log('   trace:');
      for (const line of renderTrace(spans)) console.log(`     ${line}`);

      console.log(`\n   log lines with trace_id ${incoming.traceId}:`);
      for (const line of logLines(bffTelemetry.logs(), nodeTelemetry.logs(), kotlin).filter((l) => l.traceId === incoming.traceId)) {
        console.log(`     [${line.service}] ${line.level.padEnd(5)} ${line.message}  span_id=${line.spanId} tenant=${line.tenant ?? '-'}`);
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
  const fromPino = (line: Record<string, unknown>): DemoLine => ({
    service: String(line.service),
    level: LEVELS[Number(line.level)] ?? String(line.level),
    message: String(line.msg),
    traceId: line.trace_id as string | undefined,
    spanId: line.span_id as string | undefined,
    tenant: line['tenant.id'] as string | undefined,
  });
  const fromKotlin = kotlin?.logs().map((line): DemoLine => ({
    service: line.service,
    level: line.level,
    message: line.message,
    traceId: line.trace_id,
    spanId: line.span_id,
    tenant: line.tenant_id,
  }));
  return [...bff.map(fromPino), ...node.map(fromPino), ...(fromKotlin ?? [])];
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
