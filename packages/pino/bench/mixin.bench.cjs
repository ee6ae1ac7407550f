// Added cost per log line, side by side in one process: bare pino, pino +
// traceMixin (each format), and pino patched by @opentelemetry/instrumentation-pino.
// All write synchronously to /dev/null inside one active span.
// Run: npx tsc -b packages/pino/tsconfig.build.json && node packages/pino/bench/mixin.bench.cjs
const { context, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');

// Taken before the instrumentation is registered: this reference stays unpatched.
const barePino = require('pino');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');
registerInstrumentations({ instrumentations: [new PinoInstrumentation({ disableLogSending: true })] });
const patchedPino = require('pino');
const { traceMixin } = require('@tracehop/pino');

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider();
const devNull = () => barePino.destination({ dest: '/dev/null', sync: true });

const variants = {
  bare: barePino({}, devNull()),
  'traceMixin otel': barePino({ mixin: traceMixin() }, devNull()),
  'traceMixin gcp': barePino({ mixin: traceMixin({ format: 'gcp' }) }, devNull()),
  'traceMixin datadog': barePino({ mixin: traceMixin({ format: 'datadog' }) }, devNull()),
  'traceMixin otel + tenant': barePino({ mixin: traceMixin({ baggageKeys: ['tenant.id'] }) }, devNull()),
  'instrumentation-pino': patchedPino({}, devNull()),
};

const LINES = Number(process.env.LINES ?? 200_000);
const ROUNDS = 5;
const span = provider.getTracer('bench').startSpan('bench');
const results = {};
context.with(trace.setSpan(context.active(), span), () => {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, logger] of Object.entries(variants)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < LINES; i++) logger.info({ i }, 'a log line');
      const nsPerLine = Number(process.hrtime.bigint() - start) / LINES;
      if (round > 0) (results[name] ??= []).push(nsPerLine); // round 0 warms up
    }
  }
});
span.end();

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const bare = median(results.bare);
const instrumentationAdded = median(results['instrumentation-pino']) - bare;
for (const [name, values] of Object.entries(results)) {
  const ns = median(values);
  const added = ns - bare;
  const vsInstrumentation = name === 'bare' ? '' : `  added/instrumentation-pino's added: ${(added / instrumentationAdded).toFixed(2)}`;
  console.log(`${name.padEnd(26)} ${ns.toFixed(0).padStart(6)} ns/line  added ${added.toFixed(0).padStart(5)} ns${vsInstrumentation}`);
}
