// Shared set-up for the end-to-end suites: services, GraphQL over real HTTP,
// and views over every service's spans and log lines.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { TreeSpan } from '@tracehop/doctor/testing';
import type { LogLine, ServiceTelemetry } from '@tracehop/fixture-bff';
import { fromReadableSpan } from './trace-tree.js';
import type { OtlpSpan } from '@tracehop/fixture-kotlin-backend';

export function useAsyncContext(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export interface GraphQLResponse {
  data?: { patient?: { id: string; summary: string; vitals?: string[] } } | null;
  errors?: { message: string }[];
}

export async function postGraphQL(url: string, query: string, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphQLResponse;
}

export function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

/** A fresh sampled traceparent, as an upstream (browser, load balancer) would send. */
export function newTraceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomHex(32);
  const parentId = randomHex(16);
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

export function allSpans(...services: ServiceTelemetry[]): TreeSpan[] {
  return services.flatMap((service) => service.spans().map(fromReadableSpan));
}

export function allLogs(...services: ServiceTelemetry[]): LogLine[] {
  return services.flatMap((service) => service.logs());
}

/** Polls until `ready()` holds (spans arrive from other processes asynchronously). */
export async function eventually(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const OTLP_KINDS = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' } as const;

/** A Java agent span (OTLP JSON) as a {@link TreeSpan}. */
export function fromOtlpSpan(span: OtlpSpan): TreeSpan {
  const tenant = span.attributes['tenant.id'];
  return {
    service: span.serviceName,
    name: span.name,
    kind: OTLP_KINDS[span.kind as keyof typeof OTLP_KINDS] ?? 'INTERNAL',
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    startMs: span.startTimeUnixNano === undefined ? undefined : Number(BigInt(span.startTimeUnixNano) / 1000n) / 1e3,
    durationMs:
      span.startTimeUnixNano === undefined || span.endTimeUnixNano === undefined
        ? undefined
        : Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6,
    status: span.status.code === 2 ? 'ERROR' : span.status.code === 1 ? 'OK' : 'UNSET',
    tenant: typeof tenant === 'string' ? tenant : undefined,
  };
}
