import {
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoDriverError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isConnectionLoss } from '../../src/stores/mongo/errors.js';

describe('what counts as losing the database (503 storage_unavailable)', () => {
  it('counts unreachable servers, broken and timed-out connections, and a closed client', () => {
    expect(isConnectionLoss(new MongoNetworkError('connection reset'))).toBe(true);
    expect(isConnectionLoss(new MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isConnectionLoss(new MongoTopologyClosedError())).toBe(true);
    expect(isConnectionLoss(new MongoServerSelectionError('no server', {} as never))).toBe(true);
    // Requests cut off by closing the client: drained requests never are, but the sweeper may be.
    expect(isConnectionLoss(new MongoClientClosedError())).toBe(true);
  });

  it('counts waiting for a free connection past MONGODB_TIMEOUT, while the others wait on a frozen server', () => {
    // The driver does not export the class, so this is the error as its pool raises it.
    const waited = new MongoDriverError('Timed out while checking out a connection from connection pool');
    Object.defineProperty(waited, 'name', { value: 'MongoWaitQueueTimeoutError' });
    expect(isConnectionLoss(waited)).toBe(true);
  });

  it('counts a write error whose cause is a broken connection, as a bulk insert reports it', () => {
    const broken = new MongoBulkWriteError({ message: 'write failed', code: 0, writeErrors: [] }, {
      insertedCount: 0,
      matchedCount: 0,
      modifiedCount: 0,
      deletedCount: 0,
      upsertedCount: 0,
      insertedIds: {},
      upsertedIds: {},
    } as never);
    Object.defineProperty(broken, 'cause', { value: new MongoNetworkError('connection closed') });
    expect(isConnectionLoss(broken)).toBe(true);
  });

  it('does not count what the server answered: duplicate keys and other server errors', () => {
    expect(isConnectionLoss(new MongoServerError({ code: 11000, errmsg: 'duplicate key' }))).toBe(false);
    expect(isConnectionLoss(new MongoServerError({ code: 2, errmsg: 'bad value' }))).toBe(false);
    expect(isConnectionLoss(new Error('anything else'))).toBe(false);
  });
});
