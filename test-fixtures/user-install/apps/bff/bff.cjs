// The same BFF as bff.mjs, as CommonJS: every tracehop package is loaded with
// require() (require(esm), Node >= 20.19).
'use strict';
const { createServer } = require('node:http');
const grpc = require('@grpc/grpc-js');
const { SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { useTraceContext } = require('@tracehop/envelop');
const { createClientInterceptor } = require('@tracehop/grpc');
const { traceMixin } = require('@tracehop/pino');
const { TenantSpanProcessor, tenantFromAuth } = require('@tracehop/tenant');
const { createSchema, createYoga } = require('graphql-yoga');
const { pino } = require('pino');
const harness = require('./harness.cjs');

new NodeTracerProvider({
  spanProcessors: [new TenantSpanProcessor(), new SimpleSpanProcessor(new harness.JsonLinesSpanExporter())],
}).register();
const logger = pino({ base: { service: 'bff' }, mixin: traceMixin({ baggageKeys: ['tenant.id'] }) });

const Patients = grpc.makeGenericClientConstructor(harness.patientsService, 'Patients');
const backend = new Patients(process.env.BACKEND_ADDRESS, grpc.credentials.createInsecure(), {
  interceptors: [createClientInterceptor()],
});
const getPatient = (id) =>
  new Promise((resolve, reject) => backend.getPatient({ id }, (error, reply) => (error ? reject(error) : resolve(reply))));

/** The app's identity provider: bearer token -> authenticated tenant. */
const TENANT_BY_TOKEN = { 'token-hospital-a': 'hospital_a' };

const yoga = createYoga({
  logging: false,
  schema: createSchema({
    typeDefs: 'type Query { patient(id: ID!): Patient! } type Patient { id: ID! ward: String! }',
    resolvers: {
      Query: {
        patient: (_root, { id }) => {
          logger.info({ patientId: id }, 'resolving patient');
          return getPatient(id);
        },
      },
    },
  }),
  context: ({ request }) => ({ tenantId: TENANT_BY_TOKEN[(request.headers.get('authorization') ?? '').replace(/^Bearer /, '')] }),
  plugins: [useTraceContext({ enrich: tenantFromAuth((graphqlContext) => graphqlContext.tenantId) })],
});

const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => harness.announce({ url: `http://127.0.0.1:${server.address().port}/graphql` }));
