import { trace, TraceFlags, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { createPropagator, neverThrow, type TrustPolicy } from '@tracehop/core';
import { anyOf, checkOptions, isFunction, isRatio, isString } from '@tracehop/core/internal';

/** Options for {@link cloudRunEdge}. */
export interface CloudRunEdgeOptions {
  /**
   * This service's own sampling decision for a request, from its trace ID,
   * replacing the front end's flags (which say `00` for nearly every request:
   * the front end samples ~0.1 requests/s per instance for itself). A number
   * is a ratio of trace IDs, decided from the trace ID's low 56 bits so every
   * service deciding with the same ratio agrees.
   * @default 1 (record every request; let tail sampling in the collector decide what is kept)
   */
  sample?: number | ((traceId: string) => boolean);
  /**
   * The `tracehop.link.reason` of the link from the request's first span to
   * the front end's span.
   * @default 'cloud_run_front_end'
   */
  linkReason?: string;
}

/** What to spread into an inbound hop's options: `useTraceContext({ ...cloudRunEdge(), enrich })`. */
export interface CloudRunEdge {
  /** Reads `traceparent`, else `X-Cloud-Trace-Context`, and applies this service's sampling decision. Writes W3C. */
  readonly propagator: TextMapPropagator;
  /** Continue the front end's trace ID, link its span, accept no baggage from the client. */
  readonly trust: TrustPolicy;
}

export const cloudRunEdgeChecks = { sample: anyOf(isRatio, isFunction('(traceId) => boolean')), linkReason: isString() };

/**
 * The trust preset for a service behind Cloud Run's front end (the Google
 * Front End), which puts a `traceparent` (and `X-Cloud-Trace-Context`, span ID
 * in decimal) on every request, with its own span as the parent.
 *
 * - **Keeps the trace ID**, so log lines written with it (`@tracehop/pino`'s
 *   `gcp` format) join Cloud Run's request log and the trace.
 * - **Makes its own sampling decision** (`sample`) instead of inheriting the
 *   front end's `00`, which a `ParentBased` sampler would follow and record
 *   nothing for a tail sampler to choose from.
 * - **Links the front end's span** from the request's first span (it exists
 *   only in Cloud Trace, and only when the front end sampled it).
 * - **Drops client baggage**: the front end passes whatever the client sent.
 *
 * The trace ID itself may be the client's: the front end keeps a caller's
 * `traceparent` trace ID. It is only a correlation key here; never an identity.
 */
export function cloudRunEdge(options: CloudRunEdgeOptions = {}): CloudRunEdge {
  checkOptions('cloudRunEdge', options, cloudRunEdgeChecks);
  const sample = samplerOf(options.sample ?? 1);
  return {
    propagator: new OwnSamplingPropagator(createPropagator({ cloudTraceContext: true }), sample),
    trust: { trustTraceContext: true, acceptBaggage: false, linkTrustedAs: options.linkReason ?? 'cloud_run_front_end' },
  };
}

function samplerOf(sample: number | ((traceId: string) => boolean)): (traceId: string) => boolean {
  if (typeof sample === 'function') return sample;
  if (sample === 1) return () => true;
  // W3C Level 2: the right-most 7 bytes of a trace ID are the random part.
  const bound = BigInt(Math.floor(sample * 2 ** 56));
  return (traceId) => BigInt(`0x${traceId.slice(18)}`) < bound;
}

const SAMPLE_THREW = "the cloudRunEdge sample function threw; the front end's sampled flag stands";

/** Extracts with `inner`, then sets the sampled flag from this service's own decision. */
class OwnSamplingPropagator implements TextMapPropagator {
  constructor(
    private readonly inner: TextMapPropagator,
    private readonly sample: (traceId: string) => boolean,
  ) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.inner.extract(context, carrier, getter);
    const remote = trace.getSpanContext(extracted);
    if (!remote || remote === trace.getSpanContext(context)) return extracted;
    const sampled = neverThrow(this.sample, undefined, SAMPLE_THREW, remote.traceId);
    if (sampled === undefined) return extracted;
    const traceFlags = sampled ? remote.traceFlags | TraceFlags.SAMPLED : remote.traceFlags & ~TraceFlags.SAMPLED;
    return traceFlags === remote.traceFlags ? extracted : trace.setSpanContext(extracted, { ...remote, traceFlags });
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
