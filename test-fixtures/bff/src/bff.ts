// The BFF: GraphQL Yoga with tracehop's plugin, the tenant taken from the
// authenticated request (never from a client header), resolvers calling the
// backend over gRPC through tracehop's client interceptor.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { TextMapPropagator } from '@opentelemetry/api';
import { useTraceContext, type TraceContextOptions } from '@tracehop/envelop';
import { loadEcho, type EchoMessage } from '@tracehop/fixture-proto';
import { createClientInterceptor } from '@tracehop/grpc';
import { tenantFromAuth } from '@tracehop/tenant';
import { createSchema, createYoga } from 'graphql-yoga';
import type { ServiceTelemetry } from './telemetry.js';

const { Echo } = loadEcho(grpc);

/** The fixture's identity provider: bearer token -> authenticated tenant. */
export const TOKENS: Readonly<Record<string, { tenantId: string }>> = {
  'token-hospital-a': { tenantId: 'hospital_a' },
  'token-hospital-b': { tenantId: 'hospital_b' },
};

interface BffContext {
  principal?: { tenantId: string };
}

export interface BffOptions {
  telemetry: ServiceTelemetry;
  /** The gRPC backend (Node or Kotlin) every resolver calls. */
  backendAddress: string;
  /** Ask the backend to forward each call here (a second hop). */
  forwardTo?: string;
  /** Passed to `useTraceContext`: which inbound baggage the public edge accepts (default none); a key list or predicate too. */
  acceptBaggage?: NonNullable<TraceContextOptions['trust']>['acceptBaggage'];
  /** Passed to `useTraceContext`: how inbound headers are read (e.g. `createPropagator({ cloudTraceContext: true })`). */
  propagator?: TextMapPropagator;
  /** Passed to `useTraceContext`: whether the caller's trace context is continued (default: the plugin's, `true`). */
  trustTraceContext?: boolean;
  /** Passed to `useTraceContext`: which client-chosen operation names are recorded (default: the plugin's, the first 100 distinct). */
  operationNames?: TraceContextOptions['operationNames'];
  /** More options for the BFF's gRPC client interceptor (e.g. `forwardBaggage`); the fixture sets `tracerProvider` and `target`. */
  clientOptions?: NonNullable<Parameters<typeof createClientInterceptor>[0]>;
}

export interface Bff {
  readonly url: string;
  stop(): Promise<void>;
}

const typeDefs = /* GraphQL */ `
  type Query {
    patient(id: ID!): Patient!
  }
  type Patient {
    id: ID!
    "What the backend handler saw of the trace (JSON), so tests can assert on it."
    summary: String!
    vitals: [String!]!
  }
  type Subscription {
    vitals(id: ID!, count: Int!): String!
  }
`;

export async function startBff(options: BffOptions): Promise<Bff> {
  const { telemetry, backendAddress, forwardTo, acceptBaggage, propagator, trustTraceContext, clientOptions, operationNames } = options;
  const { logger, provider } = telemetry;
  const backend = new Echo(backendAddress, grpc.credentials.createInsecure(), {
    interceptors: [createClientInterceptor({ ...clientOptions, tracerProvider: provider, target: backendAddress })],
  });
  const say = (request: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) =>
      backend.say({ value: JSON.stringify({ ...request, forwardTo }) }, (error, reply) => (error ? reject(error) : resolve(reply!.value))),
    );
  const readVitals = () =>
    new Promise<string[]>((resolve, reject) => {
      const values: string[] = [];
      const call = backend.stream({ value: '{}' });
      call.on('data', (message: EchoMessage) => values.push(message.value));
      call.on('error', reject);
      call.on('end', () => resolve(values));
    });

  const schema = createSchema<BffContext>({
    typeDefs,
    resolvers: {
      Query: {
        patient: (_root, { id }: { id: string }) => {
          logger.info({ patientId: id }, 'resolving patient');
          return { id };
        },
      },
      Patient: {
        summary: ({ id }: { id: string }) => say({ patientId: id, fail: id === 'p-fail' }),
        vitals: () => readVitals(),
      },
      Subscription: {
        vitals: {
          async *subscribe(_root, { id, count }: { id: string; count: number }) {
            for (let i = 0; i < count; i++) {
              logger.info({ patientId: id, tick: i }, 'vitals tick');
              yield { vitals: await say({ patientId: id, tick: i }) };
            }
          },
        },
      },
    },
  });

  const yoga = createYoga<BffContext>({
    schema,
    logging: false,
    context: ({ request }) => {
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      return { principal: TOKENS[token] };
    },
    plugins: [
      useTraceContext({
        tracerProvider: provider,
        trust: {
          ...(acceptBaggage === undefined ? {} : { acceptBaggage }),
          ...(trustTraceContext === undefined ? {} : { trustTraceContext }),
        },
        ...(propagator === undefined ? {} : { propagator }),
        ...(operationNames === undefined ? {} : { operationNames }),
        enrich: tenantFromAuth<BffContext>((ctx) => ctx.principal?.tenantId),
      }),
    ],
  });

  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      backend.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
