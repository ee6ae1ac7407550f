// Where received spans wait for the verdicts, with a hard cap: a service that
// floods the receiver costs a counter, never unbounded memory.
import { DEFAULTS } from './defaults.js';
import type { TreeSpan } from './types.js';

/** Options for {@link SpanStore}. */
export interface SpanStoreOptions {
  /**
   * Most spans kept of the probes' own traces, and again most kept of all other
   * traces (needed to spot a new trace started for a probe). Beyond, spans are counted and dropped.
   * @default 50000
   */
  maxSpans?: number;
}

/** Bounded span store; spans of traces the doctor is watching are kept first. */
export class SpanStore {
  private readonly watched = new Set<string>();
  private readonly own: TreeSpan[] = [];
  private readonly other: TreeSpan[] = [];
  private readonly max: number;
  dropped = 0;
  malformed = 0;
  received = 0;
  /** Epoch ms of the last span that arrived. */
  lastArrivalMs = 0;

  constructor(options: SpanStoreOptions = {}) {
    this.max = Math.max(1, options.maxSpans ?? DEFAULTS.maxSpans);
  }

  /** Spans of this trace are kept ahead of the rest. */
  watch(traceId: string): void {
    this.watched.add(traceId);
  }

  /** Keeps `spans` (stamped with their arrival time) within the cap. */
  add(spans: TreeSpan[]): void {
    const now = Date.now();
    for (const span of spans) {
      this.received++;
      span.receivedMs = now;
      const bucket = this.watched.has(span.traceId) ? this.own : this.other;
      if (bucket.length < this.max) bucket.push(span);
      else this.dropped++;
    }
    if (spans.length > 0) this.lastArrivalMs = now;
  }

  all(): TreeSpan[] {
    return [...this.own, ...this.other];
  }
}
