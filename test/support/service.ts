import {
  createSessionIssuer,
  createTokenHasher,
  generateRecoveryCode,
  generateToken,
  parseDuration,
  RecoveryService,
  type RecoveryServiceDependencies,
  type RequestOrigin,
} from '../../src/recovery/index.js';
import { MemoryRecoveryStore } from '../../src/stores/index.js';

export const TEST_SIGNING_KEY = 'test-signing-key-of-at-least-32-characters';

/** A RecoveryService on the embedded store with a fixed clock, for unit tests. */
export function testRecoveryService(overrides: Partial<RecoveryServiceDependencies> = {}): RecoveryService {
  return new RecoveryService({
    store: new MemoryRecoveryStore(),
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    newFlowId: () => '00000000-0000-4000-8000-000000000000',
    generateToken,
    generateCode: generateRecoveryCode,
    hashToken: createTokenHasher('x'.repeat(32)),
    issueSession: createSessionIssuer({
      signingKey: TEST_SIGNING_KEY,
      issuer: () => 'https://id.example.com',
      maxAge: parseDuration('15m'),
    }),
    linkBaseUrl: () => new URL('https://id.example.com/recovery'),
    defaultLifespan: parseDuration('1h'),
    maxLifespan: parseDuration('720h'),
    codeLifespan: parseDuration('15m'),
    codeMaxAttempts: 5,
    keepOlderLinks: false,
    // Generous: the limits have tests of their own.
    createLimitPerIdentity: { limit: 1_000, windowMilliseconds: 3_600_000, text: '1000/1h' },
    redeemLimitPerClient: { limit: 1_000, windowMilliseconds: 60_000, text: '1000/1m' },
    returnToAllowlist: [],
    ...overrides,
  });
}

/** A request origin as an admin's request from loopback would have. */
export function testOrigin(requestId: string): RequestOrigin {
  return { requestId, actor: 'api_key:key_test', clientAddress: '127.0.0.1' };
}
