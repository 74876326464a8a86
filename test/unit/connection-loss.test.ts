import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isConnectionLoss } from '../../src/stores/mongo-store.js';

describe('what counts as losing the database (503 storage_unavailable)', () => {
  it('counts unreachable servers, broken and timed-out connections, and a closed client', () => {
    expect(isConnectionLoss(new MongoNetworkError('connection reset'))).toBe(true);
    expect(isConnectionLoss(new MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isConnectionLoss(new MongoTopologyClosedError())).toBe(true);
    expect(isConnectionLoss(new MongoServerSelectionError('no server', {} as never))).toBe(true);
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
