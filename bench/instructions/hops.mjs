// What run.mjs counts: per hop, the workload file, the two operation counts,
// the variants (with the floor and peer each is compared with) and how a
// run's check line reads.

const perOp = (value, ops) => (ops ? (value / ops).toFixed(2) : '—');

/** The GraphQL variants measured both in process and over HTTP, labelled alike. */
const GRAPHQL_FLOOR = { 'minimal-span': { label: 'minimal one-span plugin (the floor)' } };
const GRAPHQL_PEER = { 'envelop-otel': { label: '@envelop/opentelemetry, resolvers: false (peer)' } };
const GRAPHQL_TRACEHOP = { trace: { label: 'tracehop useTraceContext', peer: 'envelop-otel' } };
const graphqlCheck = (check) => `${perOp(check.spans, check.ops)} spans/request${check.inCallerTrace === undefined ? '' : `, ${check.inCallerTrace} in the caller's trace`}`;

export const HOPS = {
  graphql: {
    name: 'graphql',
    title: 'GraphQL Yoga in process (`yoga.fetch`, WardOverview, 11 resolvers, 16 in flight)',
    file: './workloads/graphql.mjs',
    unit: 'request',
    ops: [1000, 2000],
    bare: 'bare',
    floor: 'minimal-span',
    variants: {
      bare: { label: 'bare Yoga, no OpenTelemetry' },
      ...GRAPHQL_FLOOR,
      'minimal-continuing-span': { label: "minimal plugin doing the hop's job: continues the caller's traceparent, SERVER span named from the operation (diagnostic floor)" },
      'minimal-continuing-phases': { label: '… and active while Yoga parses, validates and builds the context, as useTraceContext keeps it (diagnostic floor)' },
      ...GRAPHQL_PEER,
      ...GRAPHQL_TRACEHOP,
      'envelop-otel-resolvers': { label: '@envelop/opentelemetry, resolvers: true (peer)', floor: null },
      'trace-resolvers': { label: 'tracehop useTraceContext, resolverSpans: true', peer: 'envelop-otel-resolvers', floor: null },
    },
    check: graphqlCheck,
  },
  'graphql-http': {
    name: 'graphql-http',
    title: 'GraphQL Yoga over HTTP (node:http server on 127.0.0.1, keep-alive client in the same process, WardOverview, 16 in flight)',
    file: './workloads/graphql-http.cjs',
    unit: 'request',
    ops: [1000, 2000],
    bare: 'bare',
    floor: 'minimal-span',
    variants: {
      bare: { label: 'bare Yoga on node:http, no OpenTelemetry' },
      ...GRAPHQL_FLOOR,
      ...GRAPHQL_PEER,
      'envelop-otel-http': { label: "@envelop/opentelemetry + instrumentation-http (server side), which the peer needs to continue the caller's trace (peer)" },
      ...GRAPHQL_TRACEHOP,
    },
    check: graphqlCheck,
  },
  grpc: {
    name: 'grpc',
    title: 'gRPC unary, client and server in one process, no sockets (real grpc-js Client, interceptors, metadata ⇄ HTTP/2 headers, protobuf, Server#addService handler; a wire instead of http2)',
    file: './workloads/grpc.cjs',
    unit: 'call',
    ops: [5000, 10000],
    bare: 'bare',
    floor: 'constant-headers',
    variants: {
      bare: { label: 'bare grpc-js' },
      'context-only': { label: 'AsyncLocalStorage context manager only (diagnostic)' },
      'empty-interceptors': { label: '+ pass-through client and server interceptors (diagnostic)' },
      'constant-headers': { label: '+ traceparent and baggage as constants, fixed context around the handler (the floor)' },
      propagation: { label: 'tracehop propagation only, no SDK' },
      'sdk-only': { label: 'SDK registered, no instrumentation (diagnostic)', floor: null },
      'propagation-sdk': { label: 'tracehop propagation only (recordSpans: false), SDK registered', floor: null },
      'propagation-sdk-tracehop-propagator': { label: "tracehop propagation only, SDK registered with tracehop's createPropagator() as the global propagator", floor: null },
      spans: { label: 'tracehop client + server spans, SDK', peer: 'peer', floor: null },
      'spans-tracehop-propagator': { label: "tracehop client + server spans, SDK registered with tracehop's createPropagator()", peer: 'peer', floor: null },
      peer: { label: 'instrumentation-grpc, same SDK (peer)', floor: null },
    },
    check: (check) => `${check.continued}/${check.served} handlers saw the caller's trace, ${perOp(check.spans, check.ops)} spans/call`,
  },
  pino: {
    name: 'pino',
    title: 'pino line to /dev/null (sync) inside an active SDK span',
    file: './workloads/pino.cjs',
    unit: 'line',
    ops: [40000, 120000],
    bare: 'bare',
    floor: 'floor',
    variants: {
      bare: { label: 'pino, no trace fields' },
      floor: { label: 'mixin returning three constant fields (the floor)' },
      'floor-gcp': { label: "the floor in Cloud Logging's three keys (diagnostic floor for gcp)" },
      'floor-datadog': { label: "the floor in Datadog's nested dd object (diagnostic floor for datadog)" },
      otel: { label: 'tracehop traceMixin, otel', peer: 'peer' },
      gcp: { label: 'tracehop traceMixin, gcp', peer: 'peer' },
      datadog: { label: 'tracehop traceMixin, datadog', peer: 'peer' },
      'otel-tenant': { label: "tracehop traceMixin, otel + the tenant from baggage (baggageKeys: ['tenant.id'])", floor: null },
      peer: { label: 'instrumentation-pino, disableLogSending (peer)' },
    },
    check: (check) => check.fields,
  },
  e2e: {
    name: 'e2e',
    title: "End to end in one process: Yoga BFF (`yoga.fetch`) → 2 gRPC calls over the in-process wire → Echo handler; 4 pino lines per request",
    file: './workloads/e2e.cjs',
    unit: 'request',
    ops: [400, 1200],
    bare: 'off',
    floor: 'floors',
    variants: {
      off: { label: 'no OpenTelemetry' },
      floors: { label: 'every hop at its floor (minimal span, constant headers, constant mixin)' },
      on: { label: 'tracehop everywhere', peer: 'peers' },
      'on-propagation': { label: "tracehop everywhere, gRPC interceptors with recordSpans: false (the floors' 1 span per request)" },
      peers: { label: '@envelop/opentelemetry + instrumentation-grpc + instrumentation-pino' },
    },
    check: (check) => `${perOp(check.spans, check.ops)} spans/request; backend saw a trace in ${check.traced}/${2 * check.ops} calls, the caller's in ${check.continued}`,
  },
  export: {
    name: 'export',
    title: 'Exporting with an ID token: GraphQL in process, useTraceContext, BatchSpanProcessor + OTLP/HTTP exporter to a loopback collector',
    file: './workloads/graphql.mjs',
    unit: 'request',
    ops: [400, 1200],
    bare: 'export-static',
    needsExportPeers: true,
    variants: {
      'export-static': { label: 'headers: a static Authorization header' },
      'export-idtoken': { label: 'headers: googleIdTokenHeaders (@tracehop/gcp), loopback metadata server' },
    },
    check: (check) => `${check.spans} spans exported, ${check.exportFailedSpans} failed`,
  },
};
