// Verdicts on what the spans carry: the tenant (present, the authenticated
// one, never the one the client claimed) and nothing the client put in
// baggage or vendor headers.
import { MAX_ATTRIBUTE_DEPTH } from './defaults.js';
import { listAt } from './list-at.js';
import type { ProbeSpans } from './probe-spans.js';
import type { Break, BreakKind, TreeSpan } from './types.js';

/** True when any attribute value (or nested value) contains `needle`. */
export function valuesContain(value: unknown, needle: string, depth = 0): boolean {
  if (depth > MAX_ATTRIBUTE_DEPTH) return false;
  if (typeof value === 'string') return value.includes(needle);
  if (Array.isArray(value)) return value.some((v) => valuesContain(v, needle, depth + 1));
  if (typeof value === 'object' && value !== null) return Object.values(value).some((v) => valuesContain(v, needle, depth + 1));
  return false;
}

const names = (spans: TreeSpan[]) => spans.slice(0, 3).map((s) => `'${s.name}'`).join(', ') + (spans.length > 3 ? ', …' : '');

/** One break per service, so that a service with 40 spans gives one break, not 40. */
function perService(kind: BreakKind, spans: TreeSpan[], say: (service: string, spans: TreeSpan[]) => string): Break[] {
  const groups = new Map<string, TreeSpan[]>();
  for (const span of spans) listAt(groups, span.service).push(span);
  return [...groups].map(([service, group]) => ({ kind, service, spanId: group[0]!.spanId, message: say(service, group) }));
}

/**
 * Tenant, baggage and vendor-header verdicts for one probe's spans;
 * `expectTenant` (the tenant the probe's credentials authenticate as) enables the missing/mismatch checks.
 */
export function judgeAttributes({ probe, traced, vendor }: ProbeSpans, expectTenant: string | undefined): Break[] {
  // Calls in and out are where the tenant must be: SERVER and CLIENT spans.
  const hopSpans = traced.filter((s) => s.kind === 'SERVER' || s.kind === 'CLIENT');
  const spoofed = probe.spoofedTenant;
  const breaks = perService(
    'tenant-from-client',
    hopSpans.filter((s) => s.tenant === spoofed),
    (service, group) =>
      `${service} recorded tenant '${spoofed}', which only the client claimed (baggage / tenant header), on ${names(group)}: ` +
      'the tenant must come from the authenticated request',
  );
  if (expectTenant !== undefined) {
    breaks.push(
      ...perService(
        'tenant-missing',
        hopSpans.filter((s) => s.tenant === undefined),
        (service, group) => `${service} has no tenant.id on ${group.length} span(s) (${names(group)})`,
      ),
      ...perService(
        'tenant-mismatch',
        hopSpans.filter((s) => s.tenant !== undefined && s.tenant !== expectTenant && s.tenant !== spoofed),
        (service, group) => `${service} recorded tenant '${group[0]!.tenant}' on ${names(group)}, not the authenticated '${expectTenant}'`,
      ),
    );
  }
  breaks.push(
    ...perService(
      'baggage-leak',
      traced.filter((s) => valuesContain(s.attributes, probe.marker)),
      (service, group) =>
        `${service} recorded the probe's client-set baggage member on ${names(group)}: ` +
        'baggage from outside the trust boundary was accepted',
    ),
    // The Sentry trace ID may show up as a continued trace or as an attribute value.
    ...perService(
      'vendor-header-leak',
      [...vendor, ...traced.filter((s) => valuesContain(s.attributes, probe.vendorTraceId))],
      (service, group) =>
        `${service} picked up the probe's client-set sentry-trace header (${probe.vendorTraceId}) on ${names(group)}: ` +
        'vendor headers from outside the trust boundary must be dropped',
    ),
  );
  return breaks;
}

/** What only the client sends, and is carried on in baggage once a service lets it in. */
const FROM_CLIENT_BAGGAGE = {
  'baggage-leak': "the probe's baggage member",
  'tenant-from-client': 'the tenant the client claimed in baggage',
} as const;

/**
 * Client baggage recorded only behind the entry still came in through the entry: W3C baggage travels on
 * by itself through every instrumented hop. The entry is named (`behind` its downstream services).
 */
export function judgeEdge(entryService: string | undefined, breaks: Break[], downstream: (service: string) => boolean): Break[] {
  if (entryService === undefined || breaks.some((b) => b.kind === 'hop-skipped')) return [];
  const found: Break[] = [];
  for (const [kind, what] of Object.entries(FROM_CLIENT_BAGGAGE) as Array<[BreakKind, string]>) {
    const seen = breaks.filter((b) => b.kind === kind);
    if (seen.length === 0 || seen.some((b) => b.service === entryService) || !seen.every((b) => downstream(b.service))) continue;
    const services = seen.map((b) => b.service).join(', ');
    const message =
      `${entryService} let ${what} in from outside the trust boundary: ${services} recorded it downstream, and only the client sent it ` +
      '(the edge must drop inbound baggage from untrusted callers)';
    found.push({ kind, service: entryService, message });
  }
  return found;
}
