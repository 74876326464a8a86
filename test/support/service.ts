import {
  createSessionIssuer,
  createTokenHasher,
  generateToken,
  parseDuration,
  RecoveryService,
  type RecoveryServiceDependencies,
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
    hashToken: createTokenHasher('x'.repeat(32)),
    issueSession: createSessionIssuer({
      signingKey: TEST_SIGNING_KEY,
      issuer: () => 'https://id.example.com',
      maxAge: parseDuration('15m'),
    }),
    linkBaseUrl: () => new URL('https://id.example.com/recovery'),
    defaultLifespan: parseDuration('1h'),
    maxLifespan: parseDuration('720h'),
    keepOlderLinks: false,
    ...overrides,
  });
}
