import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import {
  ServiceError,
  formatServiceError,
  mayHoldUnlabelledErrors,
  storageUnavailable,
  tooManyConnections,
  waitOf,
  withRequestId,
  withTraceId,
  type ErrorId,
} from '../errors/index.js';
import type { Logger } from '../logger.js';
import { RequestAbortedError, readJsonBody } from './body.js';
import type { ClientAddressResolver } from './client-address.js';
import { checkPersistedQueryHash, checkPersistedQueryHashInSearch } from './persisted-query-hash.js';
import { searchWithNamedDocument, withNamedDocument, type PersistedDocuments } from './persisted-operations.js';
import { ROUTER_AUTHORIZATION_HEADER, routerStatus, type RouterCheck } from './router-secret.js';
import { resolveRequestId } from './request-id.js';
import { GRAPHQL_PATH, LIVENESS_PATH, RECOVERY_PAGE_PATH } from '../net/paths.js';
import { limitConnections, serverOptions, type ConnectionLimits } from './connection-limits.js';
import type { OperationsRoute } from './operations-listener.js';
import type { RequestTrace } from '../observability/tracing.js';

/** What the HTTP layer needs of the wiring; `Context` is the GraphQL context Apollo runs with. */
export interface HttpDependencies<Context extends BaseContext = BaseContext> {
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  readonly connections: ConnectionLimits;
  /** /metrics and the health checks (see operations-listener.ts). */
  readonly operations: OperationsRoute;
  /** False when METRICS_PORT gives /metrics a listener of its own. */
  readonly metricsOnMainPort: boolean;
  /** Counts a request refused at the edge (its error id) or abandoned by its client. */
  readonly clientError: (errorId: ErrorId | 'request_aborted') => void;
  readonly createContext: (
    requestId: string,
    authorization: string | undefined,
    clientAddress: string | null,
    viaRouter: boolean,
  ) => Context;
  /** The client's address from the peer and, behind trusted proxies, their headers. */
  readonly clientAddress: ClientAddressResolver;
  /** With ROUTER_SECRET: whether a request carries it; null when none is configured. */
  readonly routerCheck: RouterCheck | null;
  /** The documents a `documentId` or persisted query id may name. */
  readonly persistedDocuments: PersistedDocuments;
  /** PERSISTED_OPERATIONS_ONLY: an unknown id is refused here rather than left to Apollo. */
  readonly persistedOperationsOnly: boolean;
  /** The recovery page, rendered with a fresh CSP nonce each time. */
  readonly recoveryPage: () => { readonly html: string; readonly headers: Readonly<Record<string, string>> };
  /** Runs each request inside its trace's server span (src/observability/tracing.ts). */
  readonly traceRequests: (listener: RequestListener) => RequestListener;
  /** The server span a response belongs to (tracing's `requestTrace`); null when tracing is off. */
  readonly requestTrace: ((response: ServerResponse) => RequestTrace | undefined) | null;
  /**
   * Runs Apollo with the request's Host at hand for the landing page (withRequestHost in
   * src/graphql/sandbox-landing-page.ts); null when the landing page does not read it.
   */
  readonly withLandingPageHost: (<T>(host: string | undefined, run: () => T) => T) | null;
}

/**
 * A plain node:http server in front of Apollo: routing, request ids and body limits
 * live here, where every response (GraphQL or not) passes, and nothing else does.
 * `setApollo` is called once Apollo has started, before the server listens; Apollo's
 * drain plugin needs this server to exist first.
 */
export function createHttpServer<Context extends BaseContext>(dependencies: HttpDependencies<Context>) {
  let apollo: ApolloServer<Context> | undefined;
  /** Responses not sent yet, with their request ids, so that a drain can still answer them (see drain). */
  const unsent = new Map<ServerResponse, string>();
  let draining = false;
  const handle: RequestListener = (request, response) => {
    const requestId = resolveRequestId(request.headers['x-request-id']);
    response.setHeader('x-request-id', requestId);
    // GraphQL answers carry link tokens and session JWTs: no cache anywhere may keep one.
    response.setHeader('cache-control', 'no-store');
    if (draining) response.setHeader('connection', 'close');
    unsent.set(response, requestId);
    response.once('close', () => unsent.delete(response));
    if (isOverCap(request.socket)) return answerOverCap(request, response, requestId);
    route(request, response, requestId).catch((error: unknown) => {
      if (error instanceof RequestAbortedError) {
        dependencies.clientError('request_aborted');
        dependencies.logger.info({ requestId, reason: error.message }, 'client went away mid-request');
        response.destroy();
        return;
      }
      dependencies.logger.error({ err: error, requestId }, 'unhandled error in the HTTP layer');
      if (!response.headersSent)
        sendError(response, requestId, new ServiceError('internal_server_error', 'An unexpected error occurred.'));
      else response.destroy();
    });
  };
  const server: Server = createServer(serverOptions(), dependencies.traceRequests(handle));
  const isOverCap = limitConnections(server, dependencies.connections);

  /** An answer to the client's own mistake, counted as such in /metrics. */
  function refuse(response: ServerResponse, requestId: string, error: ServiceError): void {
    dependencies.clientError(error.id);
    sendError(response, requestId, error);
  }

  /**
   * Every error this layer answers itself, with one info line (no stack: a client can cause
   * each of these at will). Traced, the body's `extensions.traceId` and the line's ids are
   * the request's server span, also when the drain's timer answers outside its context.
   */
  function sendError(response: ServerResponse, requestId: string, error: ServiceError): void {
    if (response.headersSent) return;
    // The one rule of src/errors/retry-after.ts: an error that asks the client to wait says how long.
    const wait = waitOf({ code: error.status, details: error.details });
    if (wait !== undefined) response.setHeader('retry-after', String(wait));
    const trace = dependencies.requestTrace?.(response);
    dependencies.logger.info(
      {
        requestId,
        errorId: error.id,
        status: error.status,
        ...(trace === undefined ? {} : { trace_id: trace.traceId, span_id: trace.spanId }),
      },
      'request answered by the HTTP layer',
    );
    sendJson(response, error.status, { errors: [withTraceId(formatServiceError(error, requestId), trace?.traceId)] });
  }

  async function route(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
    const url = splitTarget(request.url ?? '/');
    const options = { metrics: dependencies.metricsOnMainPort };
    if (await dependencies.operations(url.pathname, response, requestId, options)) return;
    switch (url.pathname) {
      case GRAPHQL_PATH:
        return serveGraphQL(request, response, url, requestId);
      case RECOVERY_PAGE_PATH:
        return serveRecoveryPage(request, response, requestId);
      default:
        return refuse(
          response,
          requestId,
          new ServiceError('route_not_found', `Nothing is served at ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}.`, {
            path: url.pathname,
          }),
        );
    }
  }

  /**
   * A connection past HTTP_MAX_CONNECTIONS: liveness still answers (the process is busy,
   * not broken), anything else gets a fast 503; either way the connection then closes.
   */
  function answerOverCap(request: IncomingMessage, response: ServerResponse, requestId: string): void {
    response.setHeader('connection', 'close');
    if (splitTarget(request.url ?? '/').pathname === LIVENESS_PATH) return sendJson(response, 200, { status: 'ok' });
    sendError(response, requestId, tooManyConnections());
  }

  function serveRecoveryPage(request: IncomingMessage, response: ServerResponse, requestId: string): void {
    // Only GET and HEAD: opening the page must never act on the link (scanners open it).
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return refuse(
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
    const { routerCheck } = dependencies;
    const viaRouter = routerCheck !== null && routerCheck(request.headers[ROUTER_AUTHORIZATION_HEADER]);
    if (routerCheck !== null && !viaRouter) {
      // Router-only mode: nothing of GraphQL runs, not even parsing, for anyone else.
      return sendError(
        response,
        requestId,
        new ServiceError('router_secret_required', 'This subgraph answers only its router; send requests there.'),
      );
    }
    let body: unknown;
    let search = url.search;
    const { persistedDocuments, persistedOperationsOnly } = dependencies;
    const named = (one: unknown) => withNamedDocument(one, persistedDocuments, persistedOperationsOnly && !viaRouter);
    try {
      if (request.method === 'POST') {
        body = await readJsonBody(request, dependencies.maxBodyBytes);
        checkPersistedQueryHash(body);
        body = Array.isArray(body) ? body.map(named) : named(body);
      } else {
        checkPersistedQueryHashInSearch(search);
        search = searchWithNamedDocument(search, persistedDocuments, persistedOperationsOnly && !viaRouter);
      }
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      // The rest of an oversized body is not read: close instead of keeping the connection.
      if (error.id === 'payload_too_large') response.setHeader('connection', 'close');
      return refuse(response, requestId, error);
    }
    const clientAddress = dependencies.clientAddress(request.socket.remoteAddress, request.headers);
    const context = () =>
      dependencies.createContext(requestId, request.headers.authorization, clientAddress, viaRouter);
    const result = await executeWithApollo(apollo, request, search, body, context);
    // Answered already by the drain (see drain): the late result has nowhere to go.
    if (response.headersSent) return;
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.statusCode = viaRouter ? routerStatus(result.status ?? 200) : (result.status ?? 200);
    if (result.body.kind === 'complete') {
      // An error Apollo answered outside an operation was formatted without its request.
      const { string } = result.body;
      const unlabelled = result.status !== undefined && result.status >= 400 && mayHoldUnlabelledErrors(string);
      // No operation, so no request line of the observer plugin's: this one instead.
      if (unlabelled)
        dependencies.logger.info(
          { requestId, status: result.status },
          'request answered by Apollo before any operation',
        );
      response.end(unlabelled ? withRequestId(string, requestId) : string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  }

  function executeWithApollo(
    apollo: ApolloServer<Context>,
    request: IncomingMessage,
    search: string,
    body: unknown,
    context: () => Context,
  ) {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest = { method: request.method ?? 'GET', headers, search, body };
    const execute = () => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context() });
    // Apollo renders its landing page only for a GET. Running every POST inside an
    // AsyncLocalStorage as well turned on its promise hooks for every promise of every
    // operation (bench/README.md, issue 17); once a GET has run in one, they stay on.
    const { withLandingPageHost } = dependencies;
    return withLandingPageHost !== null && request.method === 'GET'
      ? withLandingPageHost(request.headers.host, execute)
      : execute();
  }

  return {
    server,
    setApollo(started: ApolloServer<Context>) {
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
          sendError(response, requestId, stillWaiting);
        }
      }, answerWithinMilliseconds);
      timer.unref();
    },
  };
}

const stillWaiting = storageUnavailable(
  'The service is shutting down and its database did not answer in time; try again shortly.',
);

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  // Answered already by the drain, as for a readiness check that outlived it.
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.end(JSON.stringify(payload));
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
