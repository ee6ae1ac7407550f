// One probe request: a GraphQL POST carrying a fresh traceparent, a marker
// baggage member, a spoofed tenant and a Sentry header, none of which a
// healthy stack may believe or forward.
import { randomBytes } from 'node:crypto';
import { MARKER_KEY } from './defaults.js';
import type { ProbeSent } from './types.js';

/** What the probes send. */
export interface ProbeRequest {
  url: string;
  query: string;
  /** Extra request headers (e.g. authorization). */
  headers: Record<string, string>;
  /** Header a broken stack might take the tenant from; the probe fills it with a spoofed tenant. */
  tenantHeader: string;
  /** Per-request timeout. */
  timeoutMs: number;
}

/** Thrown when the URL cannot be reached at all (exit code 2). */
export class ConnectionError extends Error {}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The IDs and marker values of one probe, before it is sent. */
export function newProbe(index: number): Omit<ProbeSent, 'startedMs' | 'endedMs'> {
  return {
    index,
    traceId: hex(16),
    parentSpanId: hex(8),
    marker: `p${index}-${hex(4)}`,
    spoofedTenant: `doctor-spoof-${hex(3)}`,
    vendorTraceId: hex(16),
  };
}

/** The headers one probe sends (user headers first; the probe's own win). */
function probeHeaders(probe: Omit<ProbeSent, 'startedMs' | 'endedMs'>, request: ProbeRequest): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...request.headers,
    traceparent: `00-${probe.traceId}-${probe.parentSpanId}-01`,
    baggage: `${MARKER_KEY}=${probe.marker},tenant.id=${probe.spoofedTenant}`,
    'sentry-trace': `${probe.vendorTraceId}-${hex(8)}-1`,
    [request.tenantHeader]: probe.spoofedTenant,
  };
}

/** Sends one probe. A refused or unreachable URL throws {@link ConnectionError}; an HTTP error status does not. */
export async function sendProbe(probe: Omit<ProbeSent, 'startedMs' | 'endedMs'>, request: ProbeRequest): Promise<ProbeSent> {
  const startedMs = Date.now();
  let httpStatus: number | undefined;
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: probeHeaders(probe, request),
      body: JSON.stringify({ query: request.query }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    httpStatus = response.status;
    await response.arrayBuffer();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new ConnectionError(`cannot reach ${request.url}: ${reason}`);
  }
  return { ...probe, startedMs, endedMs: Date.now(), httpStatus };
}
