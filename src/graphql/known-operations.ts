import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  BREAK,
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import Negotiator from 'negotiator';
import { labelErrors } from '../http/request-id.js';
import { compileKnownOperation, replaySchema, type ExecuteKnown } from './direct-execution.js';
import { operationLabel, rootFields, type RecordRequest } from '../observability/request-observer.js';
import type { GraphQLContext } from './context.js';
import { storageUnavailableHead } from './storage-unavailable.js';

/**
 * The service's own operations (operations/*.graphql, the persisted ones), answered
 * without Apollo Server's request pipeline: each document was parsed and validated once,
 * at start, so a request costs what graphql-js's execute costs plus the answer. Apollo's
 * pipeline (plugins, hashing the text, its document cache, response assembly) was about a
 * fifth of the service's CPU per link created (bench/README.md, "Where the time goes").
 *
 * It answers exactly as Apollo does, or not at all: any request it cannot answer exactly
 * so goes to Apollo untouched, and it decides that before any resolver runs (a mutation
 * must never run twice). What it reproduces, and what it leaves to Apollo:
 * - the same graphql-js `execute` with the same arguments Apollo gives it, or for the
 *   simplest documents what it would do, without its general machinery (direct-execution.ts);
 * - errors: Apollo's normalisation (code INTERNAL_SERVER_ERROR by default, `extensions.http`
 *   applied to the response), then the service's formatError, labelled with the request id
 *   first as labelOperationErrors does; storageUnavailableHead as its plugin does;
 * - content type by Apollo's own negotiation of Accept; status 200 unless an error sets one;
 *   the body as Apollo writes it (`errors`, `data`, `extensions`, then a newline);
 * - the request's log line and metrics, through the same recorder as Apollo's plugin;
 * - left to Apollo: any document not known here, batches, persisted-query extensions,
 *   operation names that do not match, variables that do not coerce (graphql-js rejects
 *   them before running anything), an Accept header Apollo would refuse, inline trace
 *   requests, and every request once the server is stopping.
 * test/e2e/known-operations.test.ts compares both paths request by request.
 */

export interface KnownOperationsOptions {
  readonly schema: GraphQLSchema;
  /** Document texts to answer here, byte for byte as clients send them. */
  readonly documents: Iterable<string>;
  /** Apollo's own settings, so that a document is known only if Apollo would accept it. */
  readonly parseOptions: ParseOptions;
  readonly validationRules: readonly ValidationRule[];
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly record: RecordRequest;
}

export interface KnownOperationRequest {
  /** The parsed JSON body of a POST. */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly context: () => GraphQLContext;
}

export interface KnownOperations {
  /** The response, as Apollo's executeHTTPGraphQLRequest would give it; null: ask Apollo. */
  answer(request: KnownOperationRequest): Promise<HTTPGraphQLResponse | null>;
  /** From now on every request goes to Apollo, which answers them while it stops. */
  stop(): void;
}

interface Plan {
  readonly execute: ExecuteKnown;
  readonly operationName: string | undefined;
  readonly fields: readonly string[];
  readonly label: string;
}

/** Apollo Server's MEDIA_TYPES, in the order it negotiates them. */
const APPLICATION_JSON = 'application/json; charset=utf-8';
const SINGLE_RESULT_MEDIA_TYPES = [
  APPLICATION_JSON,
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];
/** Distinct Accept values remembered; clients send a handful, a hostile one many. */
const MAX_REMEMBERED_ACCEPT = 64;

export function knownOperations(options: KnownOperationsOptions): KnownOperations {
  const { schema, formatError, record } = options;
  const plans = new Map<string, Plan>();
  const replay = replaySchema(schema);
  for (const text of options.documents) {
    const plan = planFor(text, options, replay);
    if (plan !== null) plans.set(text, plan);
  }
  const contentTypes = new Map<string, string | null>();
  /** The headers of an answer without errors, one map per content type, shared: nobody writes to them. */
  const successHeaders = new Map(
    SINGLE_RESULT_MEDIA_TYPES.map((type) => [type, new HeaderMap([['content-type', type]])]),
  );
  let stopped = false;

  function contentTypeFor(accept: string | undefined): string | null {
    // As chooseContentTypeForSingleResultResponse in @apollo/server.
    if (!accept) return APPLICATION_JSON;
    let contentType = contentTypes.get(accept);
    if (contentType === undefined) {
      contentType = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_MEDIA_TYPES) ?? null;
      if (contentTypes.size < MAX_REMEMBERED_ACCEPT) contentTypes.set(accept, contentType);
    }
    return contentType;
  }

  return {
    stop() {
      stopped = true;
    },
    async answer({ body, headers, requestId, context }) {
      if (stopped || !isRecord(body) || typeof body.query !== 'string') return null;
      const plan = plans.get(body.query);
      if (plan === undefined) return null;
      const { variables, operationName, extensions } = body;
      if (variables != null && !isRecord(variables)) return null;
      if (extensions != null && !(isRecord(extensions) && Object.keys(extensions).length === 0)) return null;
      if (operationName != null && operationName !== plan.operationName) return null;
      if (headers['apollo-federation-include-trace'] !== undefined) return null;
      const contentType = contentTypeFor(headers.accept);
      if (contentType === null) return null;

      const started = process.hrtime.bigint();
      const contextValue = context();
      const result = await plan.execute({
        contextValue,
        variableValues: variables ?? undefined,
        operationName: typeof operationName === 'string' ? operationName : undefined,
      });
      // No data: graphql-js refused the variables and ran nothing; Apollo words that answer.
      if (result.data === undefined) return null;

      let head = { status: undefined as number | undefined, headers: successHeaders.get(contentType)! };
      let errors: GraphQLFormattedError[] | undefined;
      if (result.errors !== undefined) {
        head = { status: undefined, headers: new HeaderMap() };
        labelErrors(result.errors, requestId);
        errors = result.errors.map((error) => formatAsApollo(error, head, formatError));
        const unavailable = storageUnavailableHead(errors, head.status);
        if (unavailable !== null) {
          head.status = unavailable.status;
          head.headers.set('retry-after', unavailable.retryAfter);
        }
      }
      if (!head.headers.has('content-type')) head.headers.set('content-type', contentType);
      record({
        requestId,
        clientAddress: contextValue.clientAddress,
        fields: plan.fields,
        label: plan.label,
        errors: errors ?? [],
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
      return {
        status: head.status,
        headers: head.headers,
        body: {
          kind: 'complete',
          string: `${JSON.stringify({ errors, data: result.data, extensions: result.extensions })}\n`,
        },
      };
    },
  };
}

/** A plan for a document Apollo would accept as it stands, with one operation; else null. */
function planFor(text: string, options: KnownOperationsOptions, replay: GraphQLSchema): Plan | null {
  let document: DocumentNode;
  try {
    document = parse(text, options.parseOptions);
  } catch {
    return null;
  }
  const rules = [...specifiedRules, ...options.validationRules];
  if (validate(options.schema, document, rules).length > 0 || introspects(document)) return null;
  const operation = getOperationAST(document);
  if (operation == null || operation.operation === 'subscription') return null;
  const fields = rootFields(operation);
  return {
    execute: compileKnownOperation(options.schema, replay, document),
    operationName: operation.name?.value,
    fields,
    label: operationLabel(fields, options.schema),
  };
}

/** Apollo adds a validation rule against introspection when it is off: leave such documents to it. */
function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(field) {
      if (field.name.value.startsWith('__') && field.name.value !== '__typename') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Apollo Server's normalizeAndFormatErrors for one error of an execution: the code
 * defaults to INTERNAL_SERVER_ERROR, `extensions.http` (a rate-limited 429 and its
 * Retry-After) goes to the response instead of the body, then formatError; a formatter
 * that throws gives Apollo's masked error.
 */
function formatAsApollo(
  error: GraphQLError,
  head: { status: number | undefined; headers: HeaderMap },
  formatError: KnownOperationsOptions['formatError'],
): GraphQLFormattedError {
  const extensions: Record<string, unknown> = {
    ...error.extensions,
    code: error.extensions.code ?? ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
  };
  const http = extensions.http;
  if (isHttpHead(http)) {
    if (http.status) head.status = http.status;
    for (const [name, value] of http.headers ?? []) head.headers.set(name, value);
    delete extensions.http;
  }
  try {
    return formatError({ ...error.toJSON(), extensions }, error);
  } catch {
    return { message: 'Internal server error', extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } };
  }
}

function isHttpHead(value: unknown): value is { status?: number; headers?: Map<string, string> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (!('status' in value) || typeof value.status === 'number') &&
    (!('headers' in value) || value.headers instanceof Map)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
