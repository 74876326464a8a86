import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { ServiceError } from '../graphql/errors.js';
import { formatServiceError } from '../graphql/format-error.js';
import { STORAGE_RETRY_AFTER_SECONDS } from '../graphql/storage-unavailable.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { KnownOperations } from '../graphql/known-operations.js';
import type { Logger } from '../logger.js';
import { readJsonBody } from './body.js';
import type { PersistedOperationsGate } from './persisted-operations.js';
import { labelRequest, resolveRequestId } from './request-id.js';
import { GRAPHQL_PATH, LIVENESS_PATH, METRICS_PATH, READINESS_PATH, RECOVERY_PAGE_PATH } from './paths.js';

export interface HttpDependencies {
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Resolves when the store can serve; rejects otherwise. */
  readonly checkReadiness: () => Promise<void>;
  readonly createContext: (
    requestId: string,
    authorization: string | undefined,
    clientAddress: string | null,
  ) => GraphQLContext;
  /** The service's own operations, answered without Apollo's pipeline where that answers the same. */
  readonly knownOperations: KnownOperations;
  /** With PERSISTED_OPERATIONS_ONLY: admits a request body or throws operation_not_allowed. */
  readonly persistedOperations: PersistedOperationsGate | null;
  /** Prometheus exposition of this process's metrics. */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** The recovery page, rendered with a fresh CSP nonce each time. */
  readonly recoveryPage: () => { readonly html: string; readonly headers: Readonly<Record<string, string>> };
}

/**
 * A plain node:http server in front of Apollo: routing, request ids and body limits
 * live here, where every response (GraphQL or not) passes, and nothing else does.
 * `setApollo` is called once Apollo has started, before the server listens; Apollo's
 * drain plugin needs this server to exist first.
 */
export function createHttpServer(dependencies: HttpDependencies) {
  let apollo: ApolloServer<GraphQLContext> | undefined;
  /** Responses not sent yet, with their request ids, so that a drain can still answer them (see drain). */
  const unsent = new Map<ServerResponse, string>();
  let draining = false;
  const server: Server = createServer((request, response) => {
    const requestId = resolveRequestId(request.headers['x-request-id']);
    response.setHeader('x-request-id', requestId);
    if (draining) response.setHeader('connection', 'close');
    unsent.set(response, requestId);
    response.once('close', () => unsent.delete(response));
    route(request, response, requestId).catch((error: unknown) => {
      dependencies.logger.error({ err: error, requestId }, 'unhandled error in the HTTP layer');
      if (!response.headersSent)
        sendError(response, requestId, new ServiceError('internal_server_error', 'An unexpected error occurred.'));
      else response.destroy();
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
    const url = splitTarget(request.url ?? '/');
    switch (url.pathname) {
      case GRAPHQL_PATH:
        return serveGraphQL(request, response, url, requestId);
      case RECOVERY_PAGE_PATH:
        return serveRecoveryPage(request, response, requestId);
      case METRICS_PATH: {
        const { contentType, body } = await dependencies.metrics();
        response.setHeader('content-type', contentType);
        response.end(body);
        return;
      }
      case LIVENESS_PATH:
        return sendJson(response, 200, { status: 'ok' });
      case READINESS_PATH:
        return dependencies.checkReadiness().then(
          () => sendJson(response, 200, { status: 'ok' }),
          (error: unknown) => {
            dependencies.logger.warn({ err: error, requestId }, 'readiness check failed');
            sendJson(response, 503, { status: 'unavailable' });
          },
        );
      default:
        return sendError(
          response,
          requestId,
          new ServiceError('route_not_found', `Nothing is served at ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}.`, {
            path: url.pathname,
          }),
        );
    }
  }

  function serveRecoveryPage(request: IncomingMessage, response: ServerResponse, requestId: string): void {
    // Only GET and HEAD: opening the page must never act on the link (scanners open it).
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return sendError(
        response,
        requestId,
        new ServiceError('method_not_allowed', `${request.method} is not supported here; open the page with GET.`, {
          method: request.method ?? null,
        }),
      );
    }
    const page = dependencies.recoveryPage();
    for (const [name, value] of Object.entries(page.headers)) response.setHeader(name, value);
    response.statusCode = 200;
    response.end(request.method === 'HEAD' ? undefined : page.html);
  }

  async function serveGraphQL(
    request: IncomingMessage,
    response: ServerResponse,
    url: RequestTarget,
    requestId: string,
  ): Promise<void> {
    if (apollo === undefined) throw new Error('GraphQL request before Apollo Server started');
    let body: unknown;
    const gate = dependencies.persistedOperations;
    try {
      if (request.method === 'POST') {
        body = await readJsonBody(request, dependencies.maxBodyBytes);
        if (gate !== null) body = Array.isArray(body) ? body.map(gate) : gate(body);
      } else if (gate !== null && /[?&](query|extensions)=/.test(url.search)) {
        // Operations in GET query strings are not persisted ones either.
        gate({});
      }
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      // The rest of an oversized body is not read: close instead of keeping the connection.
      if (error.id === 'payload_too_large') response.setHeader('connection', 'close');
      return sendError(response, requestId, error);
    }
    const context = () =>
      dependencies.createContext(requestId, request.headers.authorization, request.socket.remoteAddress ?? null);
    const known =
      request.method === 'POST'
        ? await dependencies.knownOperations.answer({ body, headers: request.headers, requestId, context })
        : null;
    const result = known ?? (await executeWithApollo(apollo, request, url, body, requestId, context));
    // Answered already by the drain (see drain): the late result has nowhere to go.
    if (response.headersSent) return;
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  }

  function executeWithApollo(
    apollo: ApolloServer<GraphQLContext>,
    request: IncomingMessage,
    url: RequestTarget,
    body: unknown,
    requestId: string,
    context: () => GraphQLContext,
  ) {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest = { method: request.method ?? 'GET', headers, search: url.search, body };
    labelRequest(httpGraphQLRequest, requestId);
    return apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context() });
  }

  return {
    server,
    setApollo(started: ApolloServer<GraphQLContext>) {
      apollo = started;
    },
    /**
     * From now on every response says `Connection: close`. The drain ends each keep-alive
     * connection once its last response is out; a client that does not know would send its
     * next request on that connection as it closes, and get no answer.
     */
    drain(answerWithinMilliseconds: number) {
      draining = true;
      for (const response of unsent.keys()) if (!response.headersSent) response.setHeader('connection', 'close');
      // A request still waiting when the drain is about to cut its connection gets a 503
      // instead of a reset: what keeps a request that long is the database.
      const timer = setTimeout(() => {
        for (const [response, requestId] of unsent) {
          if (response.headersSent) continue;
          response.setHeader('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
          sendError(response, requestId, stillWaiting);
        }
      }, answerWithinMilliseconds);
      timer.unref();
    },
  };
}

const stillWaiting = new ServiceError(
  'storage_unavailable',
  'The service is shutting down and its database did not answer in time; try again shortly.',
  { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS },
);

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  // Answered already by the drain, as for a readiness check that outlived it.
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.end(JSON.stringify(payload));
}

function sendError(response: ServerResponse, requestId: string, error: ServiceError): void {
  sendJson(response, error.status, { errors: [formatServiceError(error, requestId)] });
}

interface RequestTarget {
  readonly pathname: string;
  /** The query string with its "?", or "" (as URL.search gives it). */
  readonly search: string;
}

/** The path and query of a request target; cheaper than new URL() on every request. */
function splitTarget(target: string): RequestTarget {
  const query = target.indexOf('?');
  return query === -1
    ? { pathname: target, search: '' }
    : { pathname: target.slice(0, query), search: target.slice(query) };
}
