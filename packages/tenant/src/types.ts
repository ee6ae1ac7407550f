import type { Context } from '@opentelemetry/api';

/**
 * The GraphQL plugin's enrichment hook: called once per operation after the
 * GraphQL context is built, returns the OpenTelemetry context the operation runs in.
 */
export type ContextEnricher<GraphQLContext = unknown> = (otelContext: Context, graphqlContext: GraphQLContext) => Context;

/** Reads the authenticated tenant ID from the request, or `undefined` for none. */
export type TenantIdSource<GraphQLContext = unknown> = (graphqlContext: GraphQLContext) => string | undefined | null;
