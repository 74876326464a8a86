import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { RecordRequest } from '../../observability/request-recorder.js';
import type { GraphQLContext } from '../context.js';

/**
 * Records every request Apollo answers (src/observability/request-recorder.ts writes its
 * line and metrics), named by its root fields as the operation's document gives them.
 */
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
