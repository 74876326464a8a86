import { MongoServerError, type Collection } from 'mongodb';
import {
  linkPurgeAt,
  type CodeAttemptDecision,
  type NewRecoveryLink,
  type RetentionPolicy,
} from '../recovery/index.js';

/**
 * One counted submission of a code: `_id` is the flow id, `#` and the attempt's number
 * (1 to RECOVERY_CODE_MAX_ATTEMPTS), so each number is taken once. In the claims
 * collection, beside the claims and decisions, which are unique inserts too. It has no
 * `identityId` field, so the audit trail never reads it, and it goes when its flow does.
 */
export interface CodeAttemptDocument {
  _id: string;
  at: Date;
  purgeAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * The MongoDB store's code attempt counter. Not an `$inc`: FerretDB's updates read then
 * write, so racing submissions could all read the same count and all be compared. A
 * unique insert is the one write FerretDB performs atomically, so of any number of
 * racing submissions exactly `maxAttempts` take a number. No transaction is needed: a
 * crash after an insert leaves that attempt counted, which fails closed.
 */
export class MongoCodeAttempts {
  constructor(
    private readonly attempts: Collection<CodeAttemptDocument>,
    private readonly retention: RetentionPolicy,
    /** The store's: turns "the database cannot be reached" into StoreUnavailableError, and counts the operation for close. */
    private readonly unlessUnreachable: <T>(operation: () => Promise<T>) => Promise<T>,
  ) {}

  countCodeAttempt(
    flow: Pick<NewRecoveryLink, 'flowId' | 'createdAt' | 'expiresAt'>,
    maxAttempts: number,
    at: Date,
  ): Promise<CodeAttemptDecision> {
    return this.unlessUnreachable(async () => {
      const purgeAt = linkPurgeAt(flow, this.retention);
      // At most `maxAttempts` inserts by `_id`; in the steady state (no race) the first
      // free number is met after as many duplicates as there were attempts before.
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          await this.attempts.insertOne({ _id: `${flow.flowId}#${attempt}`, at, purgeAt });
          return { counted: true, attempt };
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        }
      }
      return { counted: false };
    });
  }
}
