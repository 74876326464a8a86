import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/**
 * JWTs forwarded by a router from an admin frontend's identity provider. Keys come from
 * the provider's JWKS (fetched on demand and cached by jose); issuer, audience, subject,
 * expiry, lifetime and the admin scope are all checked.
 */
export interface JwtVerifierOptions {
  readonly jwksUrl: URL;
  readonly issuer: string;
  readonly audience: string;
  readonly adminScope: string;
  /** Longest accepted `exp - iat` (or `exp - now` without `iat`), in seconds. */
  readonly maxTokenLifetimeSeconds: number;
}

export type JwtVerification =
  | { readonly kind: 'valid'; readonly subject: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'missing_scope'; readonly subject: string }
  /** The keys could not be had: an outage of the provider, not a verdict on the token. */
  | { readonly kind: 'keys_unavailable'; readonly reason: string };

export type JwtVerifier = (token: string) => Promise<JwtVerification>;

/** Raised in place of whatever fetching the JWKS threw, so it is never read as a refusal. */
class KeysUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const keys = keysOrOutage(createRemoteJWKSet(options.jwksUrl));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof KeysUnavailable) return { kind: 'keys_unavailable', reason: error.reason };
      // Which claim failed helps whoever configures the provider; it says nothing secret.
      if (error instanceof errors.JWTClaimValidationFailed)
        return { kind: 'invalid', reason: `${error.code}: ${error.claim} ${error.reason}` };
      if (error instanceof errors.JOSEError) return { kind: 'invalid', reason: error.code };
      throw error;
    }
    // A token that lives for years is a credential nobody can revoke: refuse it as a bad token.
    const lifetime = (payload.exp ?? 0) - (payload.iat ?? Math.floor(Date.now() / 1000));
    if (lifetime > options.maxTokenLifetimeSeconds) {
      return { kind: 'invalid', reason: `lifetime of ${lifetime}s exceeds ${options.maxTokenLifetimeSeconds}s` };
    }
    // requiredClaims made sure `sub` is there; jose checks only that it is a string.
    const subject = payload.sub ?? '';
    if (subject === '') return { kind: 'invalid', reason: 'sub is empty' };
    return scopesOf(payload).includes(options.adminScope)
      ? { kind: 'valid', subject }
      : { kind: 'missing_scope', subject };
  };
}

/**
 * jose's remote key set throws the same JOSEError family for "no key matches this token"
 * as for "the JWKS endpoint timed out or answered garbage" (and a bare TypeError when it
 * is unreachable). Only the first is about the token; the rest become KeysUnavailable.
 */
function keysOrOutage(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSTimeout) throw new KeysUnavailable('the JWKS endpoint timed out');
      if (error instanceof errors.JWKSInvalid) throw new KeysUnavailable('the JWKS endpoint answered no key set');
      // A bare JOSEError (ERR_JOSE_GENERIC) is a non-200 answer or one that is not JSON.
      if (error instanceof errors.JOSEError && error.code === errors.JOSEError.code)
        throw new KeysUnavailable(`the JWKS endpoint answered badly: ${error.message}`);
      // Unreachable: fetch's TypeError, with the network error as its cause.
      if (!(error instanceof errors.JOSEError)) throw new KeysUnavailable('the JWKS endpoint is unreachable');
      throw error;
    }
  };
}

/**
 * OAuth's `scope` is a space-separated string; Azure AD sends `scp` as one, others as a
 * list, and some put a list in `scope`. Every form counts.
 */
function scopesOf(payload: JWTPayload): string[] {
  return [payload.scope, payload.scp].flatMap((claim) => {
    if (typeof claim === 'string') return claim.split(' ');
    if (Array.isArray(claim)) return claim.filter((scope): scope is string => typeof scope === 'string');
    return [];
  });
}
