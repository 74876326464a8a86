import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/**
 * JWTs forwarded by a router from an admin frontend's identity provider. Keys come from
 * the provider's JWKS (fetched on demand and cached by jose); issuer, audience, expiry
 * and the admin scope are all checked.
 */
export interface JwtVerifierOptions {
  readonly jwksUrl: URL;
  readonly issuer: string;
  readonly audience: string;
  readonly adminScope: string;
}

export type JwtVerification =
  | { readonly kind: 'valid'; readonly subject: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'missing_scope'; readonly subject: string };

export type JwtVerifier = (token: string) => Promise<JwtVerification>;

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const keys = createRemoteJWKSet(options.jwksUrl);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      // Which claim failed helps whoever configures the provider; it says nothing secret.
      if (error instanceof errors.JWTClaimValidationFailed)
        return { kind: 'invalid', reason: `${error.code}: ${error.claim} ${error.reason}` };
      if (error instanceof errors.JOSEError) return { kind: 'invalid', reason: error.code };
      throw error;
    }
    const subject = payload.sub ?? '(no subject)';
    return scopesOf(payload).includes(options.adminScope)
      ? { kind: 'valid', subject }
      : { kind: 'missing_scope', subject };
  };
}

/** OAuth's `scope` is a space-separated string; some providers send `scp` as a list. */
function scopesOf(payload: JWTPayload): string[] {
  const scopes: string[] = [];
  if (typeof payload.scope === 'string') scopes.push(...payload.scope.split(' '));
  if (Array.isArray(payload.scp))
    scopes.push(...payload.scp.filter((scope): scope is string => typeof scope === 'string'));
  return scopes;
}
