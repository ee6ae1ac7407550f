/** Sentry's trace context on an event (`contexts.trace`). */
export interface SentryTraceContext {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  op?: string;
  data?: Record<string, unknown>;
}

/** A child span inside a transaction event. */
export interface SentrySpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  op?: string;
  description?: string;
  data?: Record<string, unknown>;
}

/** The parts of a Sentry event (error or transaction) the tests read. */
export interface SentryEvent {
  type?: string;
  event_id?: string;
  transaction?: string;
  message?: string;
  contexts?: { trace?: SentryTraceContext };
  spans?: SentrySpan[];
  [key: string]: unknown;
}

/** One item of one envelope, as the ingest server decoded it. */
export interface SentryEnvelopeItem {
  /** The project id from `/api/<project>/envelope/`. */
  project: string;
  /** The envelope header: `event_id`, `sent_at`, `sdk`, and for traced events `trace` (the dynamic sampling context). */
  envelopeHeader: { event_id?: string; trace?: Record<string, string>; sdk?: { name?: string; version?: string }; [key: string]: unknown };
  itemHeader: { type: string; length?: number; [key: string]: unknown };
  /** The payload, JSON-decoded when it is JSON. */
  payload: unknown;
}

/** The loopback ingest server every Sentry-instrumented child process reports to. */
export interface SentryIngest {
  /** A DSN for the SDK: `http://<publicKey>@127.0.0.1:<port>/<projectId>`. */
  dsn(publicKey: string, projectId: string): string;
  items(): SentryEnvelopeItem[];
  transactions(): SentryEvent[];
  errorEvents(): SentryEvent[];
  /** Polls until at least one item matches (envelopes arrive asynchronously). */
  waitFor(predicate: (item: SentryEnvelopeItem) => boolean, timeoutMs?: number): Promise<SentryEnvelopeItem[]>;
  reset(): void;
  stop(): Promise<void>;
}
