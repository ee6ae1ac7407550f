import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { checkOptions } from '@tracehop/core/internal';
import { getTenant } from './tenant-baggage.js';
import { TENANT_ATTRIBUTE } from './tenant-id.js';

/**
 * Puts the tenant on every span started under it: the `tenant.id` attribute,
 * read from the parent context's baggage, only when it is a valid tenant ID.
 * Nothing else in baggage ever becomes an attribute.
 *
 * `new BasicTracerProvider({ spanProcessors: [new TenantSpanProcessor(), exportingProcessor] })`
 *
 * Why not `BaggageSpanProcessor` from `@opentelemetry/baggage-span-processor`:
 * its predicate sees only the key, so it would copy a garbled or spoofed value
 * (`tenant.id=St Mary's`) verbatim. This is the same idea with the value checked.
 */
export class TenantSpanProcessor implements SpanProcessor {
  /** Takes no options: `tenant.id`, checked against the pattern, is all it copies. An option throws a `TypeError`. */
  constructor(options?: Record<string, never>) {
    checkOptions('TenantSpanProcessor', options, {});
  }

  onStart(span: Span, parentContext: Context): void {
    const tenantId = getTenant(parentContext);
    if (tenantId !== undefined) span.setAttribute(TENANT_ATTRIBUTE, tenantId);
  }

  onEnding(_span: Span): void {
    // Nothing to add at end: the tenant is known when the span starts.
  }

  onEnd(_span: ReadableSpan): void {
    // Stateless: nothing buffered, nothing to export.
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
