/** The shape trace fields take in a log line; each matches what one log backend links to traces. */
export type TraceLogFormat = 'otel' | 'gcp' | 'datadog';

/**
 * A pino `mixin`: called once per line written at an enabled level, returns
 * the fields to merge into that line. Declared structurally so this package
 * needs no type (or runtime) import from `pino`.
 */
export type PinoMixin = (mergeObject: object, level: number, logger: unknown) => object;

/**
 * A mixin you already have, typed against your own logger (the `never` lets a
 * `(obj, level, logger: Logger) => object` be passed without a cast).
 */
export type UserMixin = (mergeObject: object, level: number, logger: never) => object;

/** Field names for the `otel` format. */
export interface OtelLogKeys {
  /** @default 'trace_id' */
  traceId?: string;
  /** @default 'span_id' */
  spanId?: string;
  /** @default 'trace_flags' */
  traceFlags?: string;
}

/** Options every format takes. */
export interface CommonMixinOptions {
  /**
   * Baggage entries that become log fields. Nothing else in baggage ever
   * reaches a log line. An array uses the baggage key as the field name
   * (`['tenant.id']` → `"tenant.id":"t_a"`, the same name as the span attribute);
   * an object maps baggage key → field name (`{ 'tenant.id': 'tenant_id' }`).
   * Baggage fields are written outside a span too.
   * @default [] (no baggage in logs)
   */
  baggageKeys?: readonly string[] | Readonly<Record<string, string>>;
  /**
   * Baggage values longer than this are left out of the line, whole (a cut
   * value would look like a real, different ID). Baggage comes from callers.
   * @default 128
   */
  maxBaggageValueLength?: number;
  /**
   * Your own mixin, if the logger already had one. Its fields are merged over
   * ours; fields passed at the call site win over both (pino's default merge).
   * @default undefined
   */
  mixin?: UserMixin;
}

/** `trace_id`, `span_id`, `trace_flags`: what OTel log bridges and `@google-cloud/pino-logging-gcp-config` expect. */
export interface OtelFormatOptions extends CommonMixinOptions {
  /** @default 'otel' */
  format?: 'otel';
  /**
   * Field names (e.g. to match a log pipeline that wants `traceId`).
   * @default { traceId: 'trace_id', spanId: 'span_id', traceFlags: 'trace_flags' }
   */
  logKeys?: OtelLogKeys;
}

/** Cloud Logging's `logging.googleapis.com/{trace,spanId,trace_sampled}`. */
export interface GcpFormatOptions extends CommonMixinOptions {
  format: 'gcp';
  /**
   * Write `logging.googleapis.com/trace` as `projects/<projectId>/traces/<trace>`
   * (the legacy form) instead of the bare trace ID, which Cloud Logging now
   * prefers and links to the trace and to Cloud Run's request log alike.
   * @default undefined (bare trace ID)
   */
  projectId?: string;
}

/** A `dd` object with decimal `trace_id`/`span_id`, plus Datadog's unified service tags. */
export interface DatadogFormatOptions extends CommonMixinOptions {
  format: 'datadog';
  /** `dd.service`. @default undefined (omitted) */
  service?: string;
  /** `dd.env`. @default undefined (omitted) */
  env?: string;
  /** `dd.version`. @default undefined (omitted) */
  version?: string;
}

/**
 * Options for {@link traceMixin}, keyed on `format`: each format takes only
 * the options that mean something for its backend.
 */
export type TraceMixinOptions = OtelFormatOptions | GcpFormatOptions | DatadogFormatOptions;

/**
 * What {@link gcpLoggerOptions} returns: spread it into `pino({...})`.
 * Declared structurally (assignable to pino's `LoggerOptions`).
 */
export interface GcpLoggerOptions {
  messageKey: 'message';
  formatters: { level(label: string, number: number): { severity: string; level: number } };
  timestamp: () => string;
  mixin: PinoMixin;
}
