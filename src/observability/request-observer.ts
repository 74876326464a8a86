import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { flatLineLogger, type Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

/** What one GraphQL request leaves in the logs and metrics. */
export interface RequestObservation {
  readonly requestId: string;
  readonly clientAddress: string | null;
  readonly fields: readonly string[];
  /** The closed-set metric label of `fields` (see operationLabel). */
  readonly label: string;
  readonly errors: readonly GraphQLFormattedError[];
  readonly seconds: number;
}

export type RecordRequest = (observation: RequestObservation) => void;

/**
 * One log line and one set of metrics per GraphQL request, named by its root fields and
 * outcome. It sees only names and error ids: variables (which hold tokens) are never read.
 * Apollo's pipeline calls it through requestObserver below.
 */
export function requestRecorder(metrics: Metrics, logger: Logger): RecordRequest {
  // The line's fields are the five below, never a caller's object.
  const lines = flatLineLogger(logger);
  return ({ requestId, clientAddress, fields, label, errors, seconds }) => {
    const outcome = errors.length > 0 ? errorIdOf(errors[0]!) : 'ok';
    metrics.requests.inc({ operation: label, outcome });
    metrics.requestDuration.observe({ operation: label }, seconds);
    if (outcome === 'storage_unavailable') metrics.storeErrors.inc();
    for (const field of fields) {
      if (field !== 'createRecoveryLink' && field !== 'redeemRecoveryLink') continue;
      if (outcome === 'ok') (field === 'createRecoveryLink' ? metrics.linksCreated : metrics.linksRedeemed).inc();
      else metrics.linkFailures.inc({ operation: field, error_id: outcome });
    }
    lines.info(
      {
        requestId,
        operation: fields.length > 0 ? fields.join(',') : 'unknown',
        outcome,
        durationMs: Math.round(seconds * 1000),
        clientAddress,
      },
      'graphql request',
    );
  };
}

/** Records every request Apollo answers. */
export function requestObserver(record: RecordRequest): ApolloServerPlugin<GraphQLContext> {
  // The names and label of an operation, worked out once per parsed operation: Apollo
  // keeps one DocumentNode per text, so every request of a kind reads the same entry,
  // and an entry lives only as long as Apollo keeps its document.
  const named = new WeakMap<OperationDefinitionNode, { fields: string[]; label: string }>();
  const namesOf = (operation: OperationDefinitionNode | undefined, schema: GraphQLSchema) => {
    if (operation === undefined) return { fields: [], label: operationLabel([], schema) };
    let names = named.get(operation);
    if (names === undefined) {
      const fields = rootFields(operation);
      names = { fields, label: operationLabel(fields, schema) };
      named.set(operation, names);
    }
    return names;
  };
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue, operation, response, schema }) {
          const { fields, label } = namesOf(operation, schema);
          record({
            requestId: contextValue.requestId,
            clientAddress: contextValue.clientAddress,
            fields,
            label,
            errors: response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [],
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
          });
        },
      };
    },
  };
}

function rootFields(operation: OperationDefinitionNode | undefined): string[] {
  return (
    operation?.selectionSet.selections.flatMap((selection) =>
      selection.kind === 'Field' ? [selection.name.value] : [],
    ) ?? []
  );
}

function errorIdOf(error: GraphQLFormattedError): string {
  return (error.extensions?.error as { id?: string } | undefined)?.id ?? 'unknown';
}

/**
 * The metric label for a request's root fields, from a closed set so that no caller can
 * add series: a root field of the schema when there is one (aliases repeat it), else
 * `multiple` for several, else `other` (introspection, unknown fields, no operation).
 */
function operationLabel(fields: readonly string[], schema: GraphQLSchema): string {
  const distinct = new Set(fields);
  if (distinct.size > 1) return [...distinct].every((field) => isRootField(schema, field)) ? 'multiple' : 'other';
  const [field] = distinct;
  return field !== undefined && isRootField(schema, field) ? field : 'other';
}

function isRootField(schema: GraphQLSchema, field: string): boolean {
  return field in (schema.getQueryType()?.getFields() ?? {}) || field in (schema.getMutationType()?.getFields() ?? {});
}
