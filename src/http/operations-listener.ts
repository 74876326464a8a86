import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { RequestTrace } from '../observability/tracing.js';
import { LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from '../net/paths.js';
import { resolveRequestId } from './request-id.js';

/**
 * /metrics and the health checks: what an operator's scraper and orchestrator read. On
 * the main port by default; with METRICS_PORT, also on a listener of their own that public
 * clients need never reach (and that a flood of their connections cannot fill), and then
 * /metrics leaves the main port.
 */
export interface OperationsDependencies {
  readonly logger: Logger;
  /** Resolves when the store can serve; rejects otherwise. */
  readonly checkReadiness: () => Promise<void>;
  /** Prometheus exposition of this process's metrics. */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** The server span a response belongs to (tracing's `requestTrace`); null or absent when off. */
  readonly requestTrace?: ((response: ServerResponse) => RequestTrace | undefined) | null;
}

/** Answers `pathname` if it is one of the operational paths; false leaves it to the caller. */
export type OperationsRoute = (
  pathname: string,
  response: ServerResponse,
  requestId: string,
  options?: { readonly metrics: boolean },
) => Promise<boolean>;

export function operationsRoute(dependencies: OperationsDependencies): OperationsRoute {
  return async (pathname, response, requestId, options = { metrics: true }) => {
    switch (pathname) {
      case METRICS_PATH: {
        if (!options.metrics) return false;
        const { contentType, body } = await dependencies.metrics();
        response.setHeader('content-type', contentType);
        response.end(body);
        return true;
      }
      case LIVENESS_PATH:
        sendStatus(response, 200, 'ok');
        return true;
      case READINESS_PATH:
        await dependencies.checkReadiness().then(
          () => sendStatus(response, 200, 'ok'),
          (error: unknown) => {
            dependencies.logger.warn({ err: error, requestId }, 'readiness check failed');
            // Not a GraphQL body: the trace id goes beside `status`, its one field.
            const traceId = dependencies.requestTrace?.(response)?.traceId;
            sendStatus(response, 503, 'unavailable', traceId);
          },
        );
        return true;
      default:
        return false;
    }
  };
}

/** The METRICS_PORT listener: the operational paths and a 404 for anything else. */
export function createOperationsServer(route: OperationsRoute, logger: Logger): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    route(pathname, response, resolveRequestId(request.headers['x-request-id'])).then(
      (answered) => {
        if (!answered) sendStatus(response, 404, 'not_found');
      },
      (error: unknown) => {
        logger.error({ err: error }, 'unhandled error on the metrics listener');
        if (!response.headersSent) sendStatus(response, 500, 'error');
        else response.destroy();
      },
    );
  });
}

function sendStatus(response: ServerResponse, status: number, text: string, traceId?: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.end(JSON.stringify(traceId === undefined ? { status: text } : { status: text, traceId }));
}
