// Shared by the kotlin-coroutines*.test.ts suites: the steps the grpc-kotlin
// service reports, the one assertion every step must pass, and the Kotlin
// spans of one trace.
import type { KotlinObservation, KotlinServer, KotlinStep, OtlpSpan } from '@tracehop/fixture-kotlin-backend';
import { expect } from 'vitest';
import type { GraphQLResponse } from './harness.js';

/** The coroutine service's Say steps, in the order it takes them. */
export const SAY_STEPS = ['entry', 'pool', 'io', 'fanout', 'fanout-pool', 'application-scope', 'manual'] as const;
/** The steps that call the Node backend (each one CLIENT span in Kotlin). */
export const DOWNSTREAM_STEPS = ['fanout', 'fanout-pool', 'application-scope', 'manual'] as const;
export const ZERO_TRACE_ID = '0'.repeat(32);

/** What a step must have seen: the request's trace, the Kotlin SERVER span, the authenticated tenant, its patient. */
export interface ExpectedContext {
  traceId: string;
  spanId: string;
  tenant: string | null;
  patientId: string | null;
}

/** Fails (with the step's name) unless [step] saw exactly [expected]. */
export function expectStepSaw(step: KotlinStep, expected: ExpectedContext): void {
  expect({ traceId: step.traceId, spanId: step.spanId, tenant: step.tenant, patientId: step.patientId }, `step ${step.step} on ${step.thread}`).toEqual(
    expected,
  );
}

/** The Kotlin reply a `summary` field carries (GraphQL errors fail here, with the message). */
export function kotlinSummary(response: GraphQLResponse): KotlinObservation {
  expect(response.errors).toBeUndefined();
  return JSON.parse(response.data!.patient!.summary) as KotlinObservation;
}

/** The steps by name. */
export function stepsByName(observation: KotlinObservation): Record<string, KotlinStep> {
  return Object.fromEntries((observation.steps ?? []).map((step) => [step.step, step]));
}

/** Waits for one Say: its SERVER span and its CLIENT spans in the same trace (one per downstream step by default). */
export async function saySpans(
  kotlin: KotlinServer,
  traceId: string,
  clientCount: number = DOWNSTREAM_STEPS.length,
): Promise<{ server: OtlpSpan; clients: OtlpSpan[] }> {
  const [server] = await kotlin.waitForSpans((s) => s.traceId === traceId && s.kind === 2 && s.name === 'tracehop.fixture.Echo/Say');
  const clients = await kotlin.waitForSpans((s) => s.traceId === traceId && s.kind === 3, 10_000, clientCount);
  return { server: server!, clients };
}
