import {
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

/**
 * Every failure that means "the server could not be reached, or the connection was lost":
 * selection, network and closed-client errors, no answer or no free connection within
 * MONGODB_TIMEOUT (the outcome unknown, as after a broken connection), and errors the
 * driver labels as connection-level (a write whose connection broke surfaces as a bulk
 * write error whose cause is a network error).
 */
export function isConnectionLoss(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (
      current instanceof MongoServerSelectionError ||
      current instanceof MongoNetworkError ||
      // The driver does not export this class; its name is part of its API.
      current.name === 'MongoWaitQueueTimeoutError' ||
      current instanceof MongoTopologyClosedError ||
      current instanceof MongoClientClosedError ||
      (current instanceof MongoError &&
        (current.hasErrorLabel('ResetPool') || current.hasErrorLabel('PoolRequestedRetry')))
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}
