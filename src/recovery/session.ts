import { SignJWT } from 'jose';
import { durationToMilliseconds, type Duration } from './duration.js';
import type { RecoveryMethod } from './store.js';

/**
 * The privileged session a redeemed link grants: a JWT that a settings service verifies
 * before letting the person set new credentials. It is short-lived on purpose: it
 * stands in for a password the person no longer has.
 */
export interface PrivilegedSession {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface SessionIssuerOptions {
  readonly signingKey: string;
  /** A function because the default issuer depends on the port the server got. */
  readonly issuer: () => string;
  readonly maxAge: Duration;
}

/**
 * `method` names how the person proved themselves, in the `amr` claim (`recovery_link`,
 * `recovery_code`); `returnTo` becomes the `return_to` claim, so the settings service knows
 * where the person was headed.
 */
export type SessionIssuer = (
  identityId: string,
  flowId: string,
  now: Date,
  method: RecoveryMethod,
  returnTo?: string | null,
) => Promise<PrivilegedSession>;

export function createSessionIssuer(options: SessionIssuerOptions): SessionIssuer {
  const key = new TextEncoder().encode(options.signingKey);
  const maxAgeMilliseconds = durationToMilliseconds(options.maxAge);
  return async (identityId, flowId, now, method, returnTo = null) => {
    // JWT times are whole seconds; the answered expiry is the one inside the token.
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + Math.floor(maxAgeMilliseconds / 1000);
    // Only a URL that was allowed, stored and is still allowed gets here (redeem-flow.ts).
    const claims = returnTo === null ? {} : { return_to: returnTo };
    const token = await new SignJWT({ amr: [`recovery_${method}`], ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(identityId)
      .setJti(flowId)
      .setIssuer(options.issuer())
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  };
}
