import type { GraphQLFormattedError } from 'graphql';
import { flatLineLogger, type Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

/** What one GraphQL request leaves in the logs and metrics. */
export interface RequestObservation {
  readonly requestId: string;
  readonly clientAddress: string | null;
  readonly fields: readonly string[];
  /** The closed-set metric label of `fields` (operationLabel in src/graphql/plugins/request-observer.ts). */
  readonly label: string;
  readonly errors: readonly GraphQLFormattedError[];
  readonly seconds: number;
}

export type RecordRequest = (observation: RequestObservation) => void;

/**
 * One log line and one set of metrics per GraphQL request, named by its root fields and
 * outcome. It sees only names and error ids: variables (which hold tokens) are never read.
 * Apollo's pipeline calls it through requestObserver (src/graphql/plugins/request-observer.ts).
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

function errorIdOf(error: GraphQLFormattedError): string {
  return (error.extensions?.error as { id?: string } | undefined)?.id ?? 'unknown';
}
