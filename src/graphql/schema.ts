import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { DEFAULT_MAX_ENTITY_REPRESENTATIONS, guardEntities } from './entities.js';
import { resolvers } from './resolvers/index.js';

/** schema.graphql at the repository root is the single source of the API. */
const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

export interface SchemaOptions {
  /** ENTITIES_MAX_REPRESENTATIONS. */
  readonly maxEntityRepresentations?: number;
}

/** A Federation 2 subgraph schema: adds _service, _entities and the federation directives. */
export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(SCHEMA_PATH, 'utf8')),
    // Our resolver map is typed by codegen; @apollo/subgraph types contexts as unknown.
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  guardEntities(schema, { maxRepresentations: options.maxEntityRepresentations ?? DEFAULT_MAX_ENTITY_REPRESENTATIONS });
  return schema;
}
