import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { GraphQLContext } from './context.js';

/**
 * In production, `_service { sdl }` answers only the router (ROUTER_SECRET) and admins.
 * The SDL lists every field and argument, introspection is off there for the same
 * reason, and composing a supergraph needs it only from the router's side (rover
 * `subgraph introspect` with the router secret or an admin credential as a header).
 */
export function guardServiceSdl(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._service;
  if (field?.resolve === undefined)
    throw new Error('guardServiceSdl needs a federation subgraph schema (Query._service)');
  const resolveService: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve;
  field.resolve = async (source, args, context: GraphQLContext, info) => {
    if (!context.viaRouter) await context.requireAdmin();
    return resolveService(source, args, context, info);
  };
}
