import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Resolver types from schema.graphql, the single source of the API. The output is
 * committed; `npm run codegen:check` (run in CI) fails when it is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/graphql/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        immutableTypes: true,
        contextType: '../context.js#GraphQLContext',
        enumsAsTypes: true,
        enumValues: { IdentityState: { ACTIVE: 'active', INACTIVE: 'inactive' } },
        mappers: {
          Identity: '../../recovery/index.js#Identity as IdentityModel',
          RecoveryLink: '../../recovery/index.js#CreatedRecoveryLink as RecoveryLinkModel',
          RecoveryRedemption: '../../recovery/index.js#Redemption as RecoveryRedemptionModel',
        },
        scalars: {
          UUID: 'string',
          Duration: '../../recovery/index.js#Duration',
          DateTime: { input: 'Date', output: 'Date' },
          JSONObject: 'Readonly<Record<string, unknown>>',
        },
        strictScalars: true,
      },
    },
  },
};

export default config;
