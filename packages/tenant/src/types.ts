/** Reads the authenticated tenant ID from the request, or `undefined` for none. */
export type TenantIdSource<GraphQLContext = unknown> = (graphqlContext: GraphQLContext) => string | undefined | null;
