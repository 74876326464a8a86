import { describe, expect, it } from 'vitest';
import { createApiKeyRegistry, createAuthenticator, type JwtVerifier } from '../../src/auth/index.js';

const KEY_A = 'a-very-long-admin-api-key-number-one-0001';
const KEY_B = 'a-very-long-admin-api-key-number-two-00002';

describe('the API key registry', () => {
  it('names a known key by an id derived from its hash, never by the key', () => {
    const registry = createApiKeyRegistry([KEY_A, KEY_B]);
    const id = registry.identify(KEY_B);
    expect(id).toMatch(/^key_[0-9a-f]{12}$/);
    expect(id).not.toContain(KEY_B.slice(0, 6));
    expect(registry.identify(KEY_A)).not.toBe(id);
    expect(createApiKeyRegistry([KEY_B]).identify(KEY_B)).toBe(id);
  });

  it('rejects unknown keys, prefixes and extensions of known ones', () => {
    const registry = createApiKeyRegistry([KEY_A]);
    for (const guess of ['', KEY_A.slice(0, -1), `${KEY_A}x`, KEY_A.toUpperCase()])
      expect(registry.identify(guess)).toBeNull();
  });
});

describe('the authenticator', () => {
  const jwt: JwtVerifier = async (token) =>
    token === 'a.valid.jwt'
      ? { kind: 'valid', subject: 'admin@example.com' }
      : token === 'a.scopeless.jwt'
        ? { kind: 'missing_scope', subject: 'viewer@example.com' }
        : { kind: 'invalid', reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' };
  const authenticate = createAuthenticator(createApiKeyRegistry([KEY_A]), jwt);

  it('accepts a known API key as a bearer credential, in any scheme case', async () => {
    expect(await authenticate(`Bearer ${KEY_A}`)).toMatchObject({
      kind: 'authenticated',
      principal: { kind: 'api_key' },
    });
    expect(await authenticate(`bearer ${KEY_A}`)).toMatchObject({ kind: 'authenticated' });
  });

  it('refuses a missing, malformed or unknown credential as unauthenticated', async () => {
    for (const header of [undefined, '', KEY_A, `Basic ${KEY_A}`, 'Bearer ', 'Bearer not-a-key']) {
      expect((await authenticate(header)).kind).toBe('unauthenticated');
    }
  });

  it('accepts a valid JWT, and tells a valid JWT without the admin scope apart as forbidden', async () => {
    expect(await authenticate('Bearer a.valid.jwt')).toEqual({
      kind: 'authenticated',
      principal: { kind: 'jwt', subject: 'admin@example.com' },
    });
    expect(await authenticate('Bearer a.scopeless.jwt')).toMatchObject({
      kind: 'forbidden',
      principal: { subject: 'viewer@example.com' },
    });
    expect(await authenticate('Bearer a.forged.jwt')).toMatchObject({
      kind: 'unauthenticated',
      reason: expect.stringContaining('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    });
  });

  it('never treats a JWT as valid when JWT authentication is not configured', async () => {
    const keysOnly = createAuthenticator(createApiKeyRegistry([KEY_A]), null);
    expect((await keysOnly('Bearer a.valid.jwt')).kind).toBe('unauthenticated');
  });
});
