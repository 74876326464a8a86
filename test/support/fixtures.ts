import { randomUUID } from 'node:crypto';
import type { Identity, NewRecoveryLink } from '../../src/recovery/index.js';

/** Test data shared by the store contract, the unit and the end-to-end tests. */

/** An active identity with a fresh id, every field set; override what a test is about. */
export function identityFixture(overrides: Partial<Identity> = {}): Identity {
  return {
    id: randomUUID(),
    state: 'active',
    schemaId: 'default',
    traits: { email: 'ada@example.com', name: { first: 'Ada' } },
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
    updatedAt: new Date('2025-02-03T04:05:06.789Z'),
    ...overrides,
  };
}

/** A link as a creation stores it, valid 2026-01-01 00:00 to 01:00 UTC, for a fresh identity id. */
export function linkFixture(overrides: Partial<NewRecoveryLink> = {}): NewRecoveryLink {
  return {
    flowId: randomUUID(),
    identityId: randomUUID(),
    method: 'link',
    tokenHash: randomUUID(),
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    expiresAt: new Date('2026-01-01T01:00:00.000Z'),
    requestId: 'req-contract',
    actor: 'api_key:key_1',
    clientAddress: '127.0.0.1',
    returnTo: null,
    ...overrides,
  };
}
