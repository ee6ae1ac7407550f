import {
  propagation,
  ROOT_CONTEXT,
  type Baggage,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed, W3CBaggagePropagator } from '@opentelemetry/core';

const BAGGAGE_HEADER = 'baggage';

/** Reads a header value that is the carrier itself (a string or a list of strings). */
const valueGetter: TextMapGetter<string | string[]> = {
  keys: () => [BAGGAGE_HEADER],
  get: (value) => value,
};

/**
 * `W3CBaggagePropagator` that remembers its work, with the same output.
 *
 * Serializing baggage (encode every key and value, join) and parsing it
 * (split, trim, decode, build a `Baggage`) were the largest single part of
 * tracehop's own work on a gRPC hop (BENCHMARKS.md, "Where the instructions
 * go"), and both repeat per call for the same data: one request's baggage
 * goes out on each of its calls, and callers send the same header over and
 * over. `Baggage` is immutable, so:
 * - outbound, the header written for a `Baggage` instance is remembered per
 *   instance (a WeakMap: it lives as long as the baggage does);
 * - inbound, the `Baggage` parsed from the last header value is reused when
 *   the next call carries the same value (one entry: no growth, nothing a
 *   caller can fill).
 * The first time, the parent class does the work, so what is written and read
 * is exactly what `W3CBaggagePropagator` writes and reads, limits included.
 */
export class MemoizedBaggagePropagator extends W3CBaggagePropagator {
  /** The header each Baggage instance serializes to; '' when the parent writes none. */
  private readonly headers = new WeakMap<Baggage, string>();
  private lastHeader: string | undefined;
  private lastBaggage: Baggage | undefined;

  override inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    if (!baggage || isTracingSuppressed(context)) return;
    let header = this.headers.get(baggage);
    if (header === undefined) {
      let written = '';
      super.inject(propagation.setBaggage(ROOT_CONTEXT, baggage), undefined, {
        set: (_carrier, _key, value) => {
          written = value;
        },
      });
      header = written;
      this.headers.set(baggage, header);
    }
    if (header.length > 0) setter.set(carrier, BAGGAGE_HEADER, header);
  }

  override extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const value = getter.get(carrier, BAGGAGE_HEADER);
    if (!value) return context;
    const header = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
    // Several header lines: parsed by the parent every time (rare; it joins them).
    if (header === undefined) return super.extract(context, value, valueGetter);
    if (header !== this.lastHeader) {
      this.lastBaggage = propagation.getBaggage(super.extract(ROOT_CONTEXT, header, valueGetter));
      this.lastHeader = header;
    }
    return this.lastBaggage ? propagation.setBaggage(context, this.lastBaggage) : context;
  }
}
