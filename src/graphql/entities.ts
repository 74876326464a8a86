import { isUnionType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { ServiceError } from '../errors/index.js';
import type { GraphQLContext } from './context.js';
import { UUIDScalar } from './scalars.js';

/**
 * A router's `_entities` request, checked as a whole before @apollo/subgraph resolves
 * any of its representations. Unchecked, @apollo/subgraph answers an unknown __typename
 * with a plain Error (a 500 and a stack in the log), and each representation repeats the
 * admin check, so an anonymous batch of thousands gets thousands of identical errors.
 */

export interface EntityLimits {
  /**
   * Representations accepted in one request, summed over every `_entities` field it
   * selects (aliases repeat the field); a field that would pass the sum fails with one error.
   */
  readonly maxRepresentations: number;
}

/** Replaces the subgraph schema's `_entities` resolver with one that checks the request first. */
export function guardEntities(schema: GraphQLSchema, limits: EntityLimits): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const entityUnion = schema.getType('_Entity');
  if (field?.resolve === undefined || !isUnionType(entityUnion)) {
    throw new Error('guardEntities needs a federation subgraph schema (Query._entities and _Entity)');
  }
  const entityTypes = new Set(entityUnion.getTypes().map((type) => type.name));
  const resolveEntities: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve;
  // Per request (a context is created per request): what its earlier fields already took.
  const taken = new WeakMap<GraphQLContext, number>();

  field.resolve = async (source, args: { representations: readonly unknown[] }, context: GraphQLContext, info) => {
    // Counted before the first await, so aliases resolved together count in document order.
    const { representations } = args;
    const before = taken.get(context) ?? 0;
    const total = before + representations.length;
    if (total <= limits.maxRepresentations) taken.set(context, total);
    // Every entity of this subgraph is admin data: one check, so an anonymous batch gets one error.
    await context.requireAdmin();
    if (total > limits.maxRepresentations) {
      throw new ServiceError(
        'invalid_input',
        `representations: at most ${limits.maxRepresentations} per request across all _entities fields, got ${total}`,
        { field: 'representations', limit: limits.maxRepresentations, received: total },
      );
    }
    const unknown = representations.findIndex((representation) => !entityTypes.has(typenameOf(representation)));
    if (unknown !== -1) {
      // A router only sends types the supergraph says this subgraph owns: this is a
      // misrouted or hand-written request, so the whole field fails once, as a client error.
      throw new ServiceError(
        'invalid_input',
        `representations[${unknown}]: __typename must name an entity of this subgraph (${[...entityTypes].join(', ')})`,
        { field: `representations[${unknown}].__typename`, entityTypes: [...entityTypes] },
      );
    }
    return resolveEntities(source, args, context, info);
  };
}

/**
 * The lower-case UUID of a representation, or null when its id is missing or not a UUID:
 * such a representation resolves to null on its own instead of reaching the store (where
 * MongoDB would fail the whole batch converting it to a BSON UUID).
 */
export function representationId(representation: { readonly id?: unknown }): string | null {
  try {
    return UUIDScalar.parseValue(representation.id);
  } catch {
    return null;
  }
}

function typenameOf(representation: unknown): string {
  if (typeof representation !== 'object' || representation === null) return '';
  const { __typename } = representation as { __typename?: unknown };
  return typeof __typename === 'string' ? __typename : '';
}
