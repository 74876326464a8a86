import type { CodegenConfig } from '@graphql-codegen/cli';
import { ENUM_VALUES } from './src/graphql/enum-values.js';

/**
 * Resolver types from schema.graphql, the single source of the API. The output is
 * committed; `npm run codegen:check` (run in CI) fails when it is stale.
 */
const config: CodegenConfig = {
  schema: ['schema.graphql', 'tools/codegen/federation.graphql'],
  generates: {
    'src/graphql/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        // Adds __resolveReference to the resolver types of @key entities.
        federation: true,
        immutableTypes: true,
        contextType: '../context.js#GraphQLContext',
        enumsAsTypes: true,
        enumValues: ENUM_VALUES,
        mappers: {
          Identity: '../unknown-identity.js#IdentityParent as IdentityModel',
          RecoveryLink: '../../recovery/index.js#CreatedRecoveryLink as RecoveryLinkModel',
          RecoveryCode: '../../recovery/index.js#CreatedRecoveryCode as RecoveryCodeModel',
          RecoveryRedemption: '../../recovery/index.js#Redemption as RecoveryRedemptionModel',
          RecoveryEvent: '../../recovery/index.js#RecoveryEvent as RecoveryEventModel',
        },
        scalars: {
          UUID: 'string',
          Duration: '../../recovery/index.js#Duration',
          DateTime: { input: 'Date', output: 'Date' },
          JSONObject: 'Readonly<Record<string, unknown>>',
          // Federation's own scalars: only ever strings, and never resolved by this service.
          federation__FieldSet: 'string',
          link__Import: 'string',
          federation__Scope: 'string',
        },
        strictScalars: true,
      },
    },
    // Typed document nodes for frontends: import { CreateRecoveryLinkDocument } and get
    // typed variables and results with any client that understands TypedDocumentNode.
    'operations/generated/graphql.ts': {
      documents: 'operations/*.graphql',
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          UUID: 'string',
          Duration: 'string',
          DateTime: 'string',
          JSONObject: 'Record<string, unknown>',
          federation__FieldSet: 'string',
          link__Import: 'string',
          federation__Scope: 'string',
        },
        strictScalars: true,
      },
    },
  },
};

export default config;
