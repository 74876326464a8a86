import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

/**
 * One log line and one set of metrics per GraphQL request, named by its root fields and
 * outcome. It sees only names and error ids: variables (which hold tokens) are never read.
 */
export function requestObserver(metrics: Metrics, logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue, operation, response, schema }) {
          const fields =
            operation?.selectionSet.selections.flatMap((selection) =>
              selection.kind === 'Field' ? [selection.name.value] : [],
            ) ?? [];
          const name = fields.length > 0 ? fields.join(',') : 'unknown';
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const errorIds = errors.map(
            (error) => (error.extensions?.error as { id?: string } | undefined)?.id ?? 'unknown',
          );
          const outcome = errorIds[0] ?? 'ok';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;

          const label = operationLabel(fields, schema);
          metrics.requests.inc({ operation: label, outcome });
          metrics.requestDuration.observe({ operation: label }, seconds);
          if (outcome === 'storage_unavailable') metrics.storeErrors.inc();
          for (const field of fields) {
            if (field !== 'createRecoveryLink' && field !== 'redeemRecoveryLink') continue;
            if (outcome === 'ok') (field === 'createRecoveryLink' ? metrics.linksCreated : metrics.linksRedeemed).inc();
            else metrics.linkFailures.inc({ operation: field, error_id: outcome });
          }
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: name,
              outcome,
              durationMs: Math.round(seconds * 1000),
              clientAddress: contextValue.clientAddress,
            },
            'graphql request',
          );
        },
      };
    },
  };
}

/**
 * The metric label for a request's root fields, from a closed set so that no caller can
 * add series: a root field of the schema when there is one (aliases repeat it), else
 * `multiple` for several, else `other` (introspection, unknown fields, no operation).
 */
export function operationLabel(fields: readonly string[], schema: GraphQLSchema): string {
  const distinct = new Set(fields);
  if (distinct.size > 1) return [...distinct].every((field) => isRootField(schema, field)) ? 'multiple' : 'other';
  const [field] = distinct;
  return field !== undefined && isRootField(schema, field) ? field : 'other';
}

function isRootField(schema: GraphQLSchema, field: string): boolean {
  return field in (schema.getQueryType()?.getFields() ?? {}) || field in (schema.getMutationType()?.getFields() ?? {});
}
