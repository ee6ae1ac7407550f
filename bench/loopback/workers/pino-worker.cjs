// pino writing to /dev/null (sync destination) inside an active SDK span,
// one process per variant: instrumentation-pino patches `pino` at require
// time, so it cannot share a process with the unpatched variants.
//   bare                 pino, no mixin
//   otel | gcp | datadog pino({ mixin: traceMixin({ format }) })
//   inline               no mixin; the call site passes the same three fields (diagnostic:
//                        what serializing three more fields costs, the true floor)
//   floor                a mixin returning three constant trace fields: what any
//                        mixin-based correlation pays to pino before reading a span
//   peer                 @opentelemetry/instrumentation-pino, log correlation only (disableLogSending)
//   otel-tenant          traceMixin({ baggageKeys: ['tenant.id'] }), the tenant in the span's baggage
//   peer-defaults        @opentelemetry/instrumentation-pino with its defaults (also sends logs to the no-op Logs API)
'use strict';
const { startSdk } = require('../../lib/sdk.cjs');
const { serve, heapUsedAfterGc } = require('../harness/worker.cjs');

const variant = process.argv[2];
const FORMATS = ['otel', 'gcp', 'datadog'];
const sdk = startSdk();
if (variant === 'peer' || variant === 'peer-defaults') {
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');
  registerInstrumentations({ instrumentations: [new PinoInstrumentation(variant === 'peer' ? { disableLogSending: true } : {})] });
}

const pino = require('pino');
const api = require('@opentelemetry/api');
const { traceMixin } = require('@tracehop/pino');

// A fresh object per line, as pino's default merge writes call-site fields into
// it. Literals, not the caller's constants: V8 clones a literal's boilerplate,
// the cheapest object a mixin can return.
function constantTraceFields() {
  return { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' };
}

function loggerOptions() {
  if (FORMATS.includes(variant)) return { mixin: traceMixin({ format: variant }) };
  if (variant === 'otel-tenant') return { mixin: traceMixin({ baggageKeys: ['tenant.id'] }) };
  if (variant === 'floor') return { mixin: constantTraceFields };
  if (['bare', 'inline', 'peer', 'peer-defaults'].includes(variant)) return {};
  throw new Error(`unknown variant ${variant}`);
}

const logger = pino(loggerOptions(), pino.destination({ dest: '/dev/null', sync: true }));
const span = sdk.provider.getTracer('bench').startSpan('request');
const spanOnly = api.trace.setSpan(api.context.active(), span);
// Only `otel-tenant` has the tenant in baggage; the other variants' context holds the span alone.
const spanContext = variant === 'otel-tenant' ? api.propagation.setBaggage(spanOnly, api.propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } })) : spanOnly;
const BATCH = 1000;

const TRACE_FIELDS = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' };
const logLine =
  variant === 'inline'
    ? (i) => logger.info({ patient: 'p-0042', attempt: i, ...TRACE_FIELDS }, 'observation stored')
    : (i) => logger.info({ patient: 'p-0042', attempt: i }, 'observation stored');

/** Logs for `seconds`, checking the clock every BATCH lines; a typical line with two fields. */
function burst({ seconds }) {
  return api.context.with(spanContext, () => {
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(Math.round(seconds * 1e9));
    let ops = 0;
    do {
      for (let i = 0; i < BATCH; i++) logLine(i);
      ops += BATCH;
    } while (process.hrtime.bigint() < deadline);
    return { ops, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  });
}

/** The trace fields one line really carries, so the table shows each variant did its job. */
function traceFieldsOfOneLine() {
  const lines = [];
  const probe = pino(loggerOptions(), { write: (line) => lines.push(JSON.parse(line)) });
  api.context.with(spanContext, () => probe.info(variant === 'inline' ? { ...TRACE_FIELDS } : {}, 'probe'));
  const line = lines[0];
  const keys = ['trace_id', 'span_id', 'trace_flags', 'logging.googleapis.com/trace', 'logging.googleapis.com/spanId', 'logging.googleapis.com/trace_sampled', 'dd', 'tenant.id'];
  return keys.filter((key) => key in line).join(', ') || 'none';
}

serve({ run: burst, snapshot: () => ({ heapBytes: heapUsedAfterGc() }) }, { fields: traceFieldsOfOneLine() });
