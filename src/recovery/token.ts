import { createHmac, randomBytes } from 'node:crypto';

/**
 * Recovery tokens: 256 bits from the CSPRNG, handed to the caller once inside the link.
 * Only an HMAC-SHA-256 of the token, keyed by a server secret, is ever stored, so a
 * copy of the database (or a backup, or a log of its writes) cannot be turned into
 * working links. A keyed hash rather than a plain one means the secret is needed too.
 */

const TOKEN_BYTES = 32;

export type TokenGenerator = () => string;

export const generateToken: TokenGenerator = () => randomBytes(TOKEN_BYTES).toString('base64url');

export type TokenHasher = (token: string) => string;

export function createTokenHasher(secret: string): TokenHasher {
  return (token) => createHmac('sha256', secret).update(token, 'utf8').digest('base64url');
}
