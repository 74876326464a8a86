import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { Kind, parse, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { guardEntities } from './entities.js';
import { resolvers } from './resolvers/index.js';
import { guardServiceSdl } from './service-sdl.js';
import { SCHEMA_FILE } from '../build-files.js';
import { DEFAULT_MAX_ENTITY_REPRESENTATIONS } from '../config/defaults.js';

export interface SchemaOptions {
  /** ENTITIES_MAX_REPRESENTATIONS (the graphql section's maxEntityRepresentations). */
  readonly maxEntityRepresentations?: number;
  /** AUTH_ADMIN_SCOPE: the scope the admin fields' @requiresScopes name in the served SDL. */
  readonly adminScope?: string;
  /** `_service { sdl }` only for admins and the router (production's policy). */
  readonly serviceSdlForAdminsOnly?: boolean;
}

/** A Federation 2 subgraph schema: adds _service, _entities and the federation directives. */
export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const typeDefs = parse(readFileSync(SCHEMA_FILE, 'utf8'));
  const schema = buildSubgraphSchema({
    typeDefs: options.adminScope === undefined ? typeDefs : withAdminScope(typeDefs, options.adminScope),
    // Our resolver map is typed by codegen; @apollo/subgraph types contexts as unknown.
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  guardEntities(schema, { maxRepresentations: options.maxEntityRepresentations ?? DEFAULT_MAX_ENTITY_REPRESENTATIONS });
  if (options.serviceSdlForAdminsOnly === true) guardServiceSdl(schema);
  return schema;
}

/**
 * schema.graphql names the default AUTH_ADMIN_SCOPE (`recovery:write`) in every
 * @requiresScopes; the schema this service serves, and so the SDL a router composes from
 * `_service`, names the configured one instead. Every admin field takes exactly that one
 * scope, so the directive's argument is replaced whole.
 */
function withAdminScope(typeDefs: DocumentNode, scope: string): DocumentNode {
  return visit(typeDefs, {
    Directive(node) {
      if (node.name.value !== 'requiresScopes') return undefined;
      const scopes = {
        kind: Kind.LIST,
        values: [{ kind: Kind.LIST, values: [{ kind: Kind.STRING, value: scope }] }],
      } as const;
      return {
        ...node,
        arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'scopes' }, value: scopes }],
      };
    },
  });
}
