// One pino variant under instruction counting: `node pino.cjs <variant> <lines>`.
// The variants of bench/loopback/workers/pino-worker.cjs (same logger, same
// line, /dev/null, sync destination, inside an active SDK span), one process
// each: instrumentation-pino patches pino at require time.
'use strict';
const { startSdk } = require('../../lib/sdk.cjs');

const [variant, linesArg] = process.argv.slice(2);
const LINES = Number(linesArg);
const FORMATS = ['otel', 'gcp', 'datadog'];
const VARIANTS = ['bare', 'inline', 'floor', 'floor-gcp', 'floor-datadog', ...FORMATS, 'otel-tenant', 'peer', 'peer-defaults'];
if (!VARIANTS.includes(variant) || !(LINES > 0)) throw new Error(`usage: pino.cjs <${VARIANTS.join('|')}> <lines>`);

const sdk = startSdk();
if (variant === 'peer' || variant === 'peer-defaults') {
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');
  registerInstrumentations({ instrumentations: [new PinoInstrumentation(variant === 'peer' ? { disableLogSending: true } : {})] });
}
const pino = require('pino');
const api = require('@opentelemetry/api');
const { traceMixin } = require('@tracehop/pino');

const TRACE_FIELDS = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' };
// A fresh object per line, as pino's default merge writes call-site fields into it.
const constantTraceFields = () => ({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' });

// The same floor in the other formats' key names and shapes (Cloud Logging's
// three keys; Datadog's nested decimal IDs): what the format itself costs.
const constantGcpFields = () => ({
  'logging.googleapis.com/trace': '4bf92f3577b34da6a3ce929d0e0e4736',
  'logging.googleapis.com/spanId': '00f067aa0ba902b7',
  'logging.googleapis.com/trace_sampled': true,
});
const constantDatadogFields = () => ({ dd: { trace_id: '11803532876627986230', span_id: '67667974448284343' } });

function loggerOptions() {
  if (FORMATS.includes(variant)) return { mixin: traceMixin({ format: variant }) };
  if (variant === 'otel-tenant') return { mixin: traceMixin({ baggageKeys: ['tenant.id'] }) };
  if (variant === 'floor') return { mixin: constantTraceFields };
  if (variant === 'floor-gcp') return { mixin: constantGcpFields };
  if (variant === 'floor-datadog') return { mixin: constantDatadogFields };
  return {};
}

const logger = pino(loggerOptions(), pino.destination({ dest: '/dev/null', sync: true }));
const span = sdk.provider.getTracer('bench').startSpan('request');
const spanOnly = api.trace.setSpan(api.context.active(), span);
// Only `otel-tenant` has the tenant in baggage; the other variants' context holds the span alone.
const active = variant === 'otel-tenant' ? api.propagation.setBaggage(spanOnly, api.propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } })) : spanOnly;
const logLine =
  variant === 'inline'
    ? (i) => logger.info({ patient: 'p-0042', attempt: i, ...TRACE_FIELDS }, 'observation stored')
    : (i) => logger.info({ patient: 'p-0042', attempt: i }, 'observation stored');

/** The keys one line really carries, so the table shows each variant did its job. */
function traceFieldsOfOneLine() {
  const lines = [];
  const probe = pino(loggerOptions(), { write: (line) => lines.push(JSON.parse(line)) });
  api.context.with(active, () => probe.info(variant === 'inline' ? { ...TRACE_FIELDS } : {}, 'probe'));
  const keys = ['trace_id', 'span_id', 'trace_flags', 'logging.googleapis.com/trace', 'logging.googleapis.com/spanId', 'logging.googleapis.com/trace_sampled', 'dd', 'tenant.id'];
  return keys.filter((key) => key in lines[0]).join(', ') || 'none';
}

api.context.with(active, () => {
  for (let i = 0; i < LINES; i++) logLine(i);
});
console.log(JSON.stringify({ ops: LINES, fields: traceFieldsOfOneLine() }));
