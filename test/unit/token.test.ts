import { describe, expect, it } from 'vitest';
import { createTokenHasher, generateToken } from '../../src/recovery/index.js';

describe('generateToken', () => {
  it('returns 256 bits as unpadded base64url', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('never repeats across many calls', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, generateToken));
    expect(tokens.size).toBe(10_000);
  });
});

describe('createTokenHasher', () => {
  it('is deterministic for one secret and differs between secrets', () => {
    const hash = createTokenHasher('a'.repeat(32));
    expect(hash('token')).toBe(hash('token'));
    expect(hash('token')).not.toBe(hash('token2'));
    expect(createTokenHasher('b'.repeat(32))('token')).not.toBe(hash('token'));
  });

  it('is the HMAC-SHA-256 of the token, never the token itself', () => {
    const hash = createTokenHasher('secret-secret-secret-secret-secret');
    // HMAC-SHA-256("secret-secret-secret-secret-secret", "abc"), computed independently with openssl.
    expect(hash('abc')).toBe(
      Buffer.from('5f747268d61bef03e9c271a68cf786a5e5f9556ffd9005058579735649781af0', 'hex').toString('base64url'),
    );
  });
});
