import {
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { StoreUnavailableError } from '../../recovery/index.js';

/** How the MongoDB store reads the server's failures: connection loss, duplicate keys, missing features. */

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

/** The server's code for a unique-key violation: the answer of every exactly-once insert. */
const DUPLICATE_KEY = 11000;
/** The server's code for a feature it lacks (FerretDB v1 and TTL indexes). */
const NOT_IMPLEMENTED = 238;

/** A single write that lost to an existing `_id`. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

export function isNotImplemented(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === NOT_IMPLEMENTED;
}

/** The indexes of the documents a bulk insert lost to duplicate keys; null for any other failure. */
export function duplicateKeyErrors(error: unknown): number[] | null {
  if (!(error instanceof MongoBulkWriteError) || isConnectionLoss(error)) return null;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0 || writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) return null;
  return writeErrors.map((writeError) => writeError.index);
}

/**
 * Turns "the database cannot be reached" into the domain's StoreUnavailableError, and
 * counts the operation as in flight until it settles, so that closing can wait for it.
 */
export type UnlessUnreachable = <T>(operation: () => Promise<T>) => Promise<T>;

/** The store's one UnlessUnreachable, over the set of operations under way that close waits for. */
export function unlessUnreachableTracking(inFlight: Set<Promise<unknown>>): UnlessUnreachable {
  return async <T>(operation: () => Promise<T>): Promise<T> => {
    const running = operation();
    inFlight.add(running);
    try {
      return await running;
    } catch (error) {
      throw isConnectionLoss(error) ? new StoreUnavailableError(error) : error;
    } finally {
      inFlight.delete(running);
    }
  };
}
