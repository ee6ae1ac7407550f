// What a TypeScript user writes against the published declarations. The test
// type-checks it with this app's tsconfig.json (module nodenext, strict) as it
// is, and again copied to types.cts: a CommonJS TypeScript file that
// require()s the ESM-only packages (TypeScript >= 5.8 under nodenext). The
// annotations check that tracehop's types fit the app's own grpc-js, Yoga,
// pino and SDK types, not only tracehop's.
import type { Interceptor, ServerInterceptor } from '@grpc/grpc-js';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { useTraceContext } from '@tracehop/envelop';
import { createClientInterceptor, createServerInterceptor } from '@tracehop/grpc';
import { traceMixin } from '@tracehop/pino';
import { TenantSpanProcessor, tenantFromAuth } from '@tracehop/tenant';
import { createSchema, createYoga } from 'graphql-yoga';
import type { LoggerOptions } from 'pino';

interface AppContext {
  tenantId?: string;
}

export const yoga = createYoga<AppContext>({
  schema: createSchema<AppContext>({
    typeDefs: 'type Query { tenant: String }',
    resolvers: { Query: { tenant: (_root, _args, context) => context.tenantId } },
  }),
  plugins: [useTraceContext({ enrich: tenantFromAuth<AppContext>((context) => context.tenantId) })],
});
export const clientInterceptor: Interceptor = createClientInterceptor();
export const serverInterceptor: ServerInterceptor = createServerInterceptor();
export const loggerOptions: LoggerOptions = { mixin: traceMixin({ baggageKeys: ['tenant.id'] }) };
export const processor: SpanProcessor = new TenantSpanProcessor();
