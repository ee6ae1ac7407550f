// Verdicts on what the spans carry: the tenant (present, the authenticated
// one, never the one the client claimed) and nothing the client put in
// baggage or vendor headers.
import type { Break, ProbeSent, TreeSpan } from './types.js';

/** Options for the attribute checks. */
export interface AttributeCheckOptions {
  /** The tenant the probe's credentials authenticate as; enables the missing/mismatch checks. */
  expectTenant?: string | undefined;
}

/** True when any attribute value (or nested value) contains `needle`. */
export function valuesContain(value: unknown, needle: string, depth = 0): boolean {
  if (depth > 8) return false;
  if (typeof value === 'string') return value.includes(needle);
  if (Array.isArray(value)) return value.some((v) => valuesContain(v, needle, depth + 1));
  if (typeof value === 'object' && value !== null) return Object.values(value).some((v) => valuesContain(v, needle, depth + 1));
  return false;
}

/** Groups per service so that a service with 40 spans gives one break, not 40. */
function perService(spans: TreeSpan[], make: (service: string, spans: TreeSpan[]) => Break): Break[] {
  const groups = new Map<string, TreeSpan[]>();
  for (const span of spans) groups.set(span.service, [...(groups.get(span.service) ?? []), span]);
  return [...groups].map(([service, group]) => make(service, group));
}

const names = (spans: TreeSpan[]) => spans.slice(0, 3).map((s) => `'${s.name}'`).join(', ') + (spans.length > 3 ? ', …' : '');

/** Tenant, baggage and vendor-header verdicts for one probe's spans. */
export function analyzeAttributes(probe: ProbeSent, spans: TreeSpan[], all: TreeSpan[], options: AttributeCheckOptions): Break[] {
  const breaks: Break[] = [];
  // Calls in and out are where the tenant must be: SERVER and CLIENT spans.
  const hopSpans = spans.filter((s) => s.kind === 'SERVER' || s.kind === 'CLIENT');
  const spoofed = hopSpans.filter((s) => s.tenant === probe.spoofedTenant);
  breaks.push(
    ...perService(spoofed, (service, group) => ({
      kind: 'tenant-from-client',
      service,
      spanId: group[0]!.spanId,
      message: `${service} recorded tenant '${probe.spoofedTenant}', which only the client claimed (baggage / tenant header), on ${names(group)}: the tenant must come from the authenticated request`,
    })),
  );
  const expected = options.expectTenant;
  if (expected !== undefined) {
    const missing = hopSpans.filter((s) => s.tenant === undefined);
    const other = hopSpans.filter((s) => s.tenant !== undefined && s.tenant !== expected && s.tenant !== probe.spoofedTenant);
    breaks.push(
      ...perService(missing, (service, group) => ({
        kind: 'tenant-missing',
        service,
        spanId: group[0]!.spanId,
        message: `${service} has no tenant.id on ${group.length} span(s) (${names(group)})`,
      })),
      ...perService(other, (service, group) => ({
        kind: 'tenant-mismatch',
        service,
        spanId: group[0]!.spanId,
        message: `${service} recorded tenant '${group[0]!.tenant}' on ${names(group)}, not the authenticated '${expected}'`,
      })),
    );
  }
  const leaked = spans.filter((s) => valuesContain(s.attributes, probe.marker));
  breaks.push(
    ...perService(leaked, (service, group) => ({
      kind: 'baggage-leak',
      service,
      spanId: group[0]!.spanId,
      message: `${service} recorded the probe's client-set baggage member on ${names(group)}: baggage from outside the trust boundary was accepted`,
    })),
  );
  // The Sentry trace ID may show up as a continued trace or as an attribute value.
  const vendor = all.filter((s) => s.traceId === probe.vendorTraceId || valuesContain(s.attributes, probe.vendorTraceId));
  breaks.push(
    ...perService(vendor, (service, group) => ({
      kind: 'vendor-header-leak',
      service,
      spanId: group[0]!.spanId,
      message: `${service} picked up the probe's client-set sentry-trace header (${probe.vendorTraceId}) on ${names(group)}: vendor headers from outside the trust boundary must be dropped`,
    })),
  );
  return breaks;
}
