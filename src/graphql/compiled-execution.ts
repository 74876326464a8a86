import type { ApolloServerOptions } from '@apollo/server';
import {
  GraphQLError,
  execute,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GraphQLContext } from './context.js';

type Gateway = NonNullable<ApolloServerOptions<GraphQLContext>['gateway']>;
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/**
 * The execution engine, swapped through the seam Apollo Server supports for it: the
 * gateway interface's executor. Apollo keeps everything else (parsing and validating once
 * per document text in its documentStore, resolving the operation, every plugin hook,
 * error normalisation and formatting, the HTTP answer); only `execute` changes.
 *
 * Operations run compiled by graphql-jit, one plan per parsed operation node: a WeakMap,
 * so every text that parses to the same document (Apollo caches DocumentNodes by the
 * text's hash) shares the plan, no caller's text becomes a key, and a plan lives as long
 * as Apollo keeps its document. graphql-js's `execute` answers instead wherever the two
 * could differ:
 * - variables graphql-jit refuses: it has then run nothing, and graphql-js coerces them
 *   again, either wording the refusal (the error formatter reads its message) or running
 *   the operation when it accepts what graphql-jit did not (a missing non-null variable
 *   that has a default). graphql-jit's coercion is trusted where it accepts: it checks the
 *   same built-in scalars, unknown input fields and nulls, and calls the same scalars'
 *   parseValue, and checking with graphql-js's getVariableValues first as well was a
 *   visible share of each request (bench/README.md, issue 17); the differential test
 *   (test/e2e/compiled-execution.property.test.ts) is what notices if that ever changes;
 * - requests for an inline trace, whose per-field timings need graphql-js running the
 *   resolvers Apollo wrapped for them (`apollo-federation-include-trace`);
 * - documents graphql-jit cannot compile, and requests without an operation to run.
 * test/e2e/compiled-execution.property.test.ts compares whole HTTP answers, engine on
 * and off.
 */
export function compiledExecution(schema: GraphQLSchema, options: { readonly enabled: boolean }): Gateway {
  const plans = new WeakMap<OperationDefinitionNode, CompiledQuery | null>();

  function planFor(document: DocumentNode, operation: OperationDefinitionNode): CompiledQuery | null {
    let plan = plans.get(operation);
    if (plan === undefined) {
      const compiled = compileQuery(schema, document, operation.name?.value, { disablingCapturingStackErrors: true });
      plan = isCompiledQuery(compiled) ? compiled : null;
      plans.set(operation, plan);
    }
    return plan;
  }

  const executor: Executor = async ({ document, operation, operationName, request, context }) => {
    const variables = request.variables ?? {};
    const tracing = request.http?.headers.get('apollo-federation-include-trace') != null;
    // No operation (an operation name the document lacks): graphql-js words that refusal.
    const resolved = operation as OperationDefinitionNode | undefined;
    const plan = options.enabled && !tracing && resolved !== undefined ? planFor(document, resolved) : null;
    if (plan !== null) {
      const result = (await plan.query(undefined, context, variables)) as ExecutionResult;
      // No data: graphql-jit refused the variables before running anything.
      if (result.data !== undefined)
        return result.errors === undefined ? result : { ...result, errors: result.errors.map(asGraphQLJsError) };
    }
    return execute({
      schema,
      document,
      contextValue: context,
      variableValues: variables,
      operationName: operationName ?? undefined,
    });
  };

  return {
    async load() {
      return { executor };
    },
    // Apollo subscribes before load() and takes the schema from the first (and here only) call.
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors inherit GraphQLError's prototype without being built by its
 * constructor: read-only fields, no `extensions` object when the cause has none. Apollo's
 * error normalisation and the error formatter expect graphql-js's own: the same error,
 * built as graphql-js's locatedError builds it (message, path, cause and the cause's
 * extensions), with the locations graphql-jit found for it.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    ...(error.originalError === undefined ? {} : { originalError: error.originalError }),
  });
  if (error.locations !== undefined) (rebuilt as { locations?: unknown }).locations = error.locations;
  return rebuilt;
}
