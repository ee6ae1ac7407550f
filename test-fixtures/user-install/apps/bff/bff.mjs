// A GraphQL BFF as a user writes it with the published packages, as ESM: the
// tenant comes from the authenticated request, never from a client header,
// and every resolver calls the backend over gRPC.
import { createServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { useTraceContext } from '@tracehop/envelop';
import { createClientInterceptor } from '@tracehop/grpc';
import { traceMixin } from '@tracehop/pino';
import { TenantSpanProcessor, tenantFromAuth } from '@tracehop/tenant';
import { createSchema, createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import harness from './harness.cjs';

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
