import type { ApiKeyRegistry } from './api-keys.js';
import type { JwtVerifier } from './jwt.js';

/** Who is calling an admin operation, as logs and the audit trail name them. */
export type Principal =
  { readonly kind: 'api_key'; readonly keyId: string } | { readonly kind: 'jwt'; readonly subject: string };

export type Authentication =
  | { readonly kind: 'authenticated'; readonly principal: Principal }
  | { readonly kind: 'unauthenticated'; readonly reason: string }
  | { readonly kind: 'forbidden'; readonly principal: Principal; readonly reason: string }
  /** The credential could not be checked (the identity provider's keys are out of reach). */
  | { readonly kind: 'unavailable'; readonly reason: string };

export type Authenticator = (authorizationHeader: string | undefined) => Promise<Authentication>;

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/i;
const LOOKS_LIKE_JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export function createAuthenticator(apiKeys: ApiKeyRegistry, verifyJwt: JwtVerifier | null): Authenticator {
  return async (header) => {
    const credential = header === undefined ? undefined : BEARER.exec(header.trim())?.[1];
    if (credential === undefined) {
      return {
        kind: 'unauthenticated',
        reason: 'Admin operations need an Authorization: Bearer <API key or JWT> header.',
      };
    }
    const keyId = apiKeys.identify(credential);
    if (keyId !== null) return { kind: 'authenticated', principal: { kind: 'api_key', keyId } };

    if (verifyJwt !== null && LOOKS_LIKE_JWT.test(credential)) {
      const verification = await verifyJwt(credential);
      switch (verification.kind) {
        case 'valid':
          return { kind: 'authenticated', principal: { kind: 'jwt', subject: verification.subject } };
        case 'missing_scope':
          return {
            kind: 'forbidden',
            principal: { kind: 'jwt', subject: verification.subject },
            reason: 'The token is valid but does not grant the admin scope.',
          };
        case 'invalid':
          return { kind: 'unauthenticated', reason: `The token was not accepted (${verification.reason}).` };
        case 'keys_unavailable':
          return {
            kind: 'unavailable',
            reason: `The token cannot be checked right now (${verification.reason}); try again shortly.`,
          };
        default:
          return verification satisfies never;
      }
    }
    return { kind: 'unauthenticated', reason: 'The credential is not a known API key or an acceptable token.' };
  };
}
