import { randomInt } from 'node:crypto';
import { parseDuration, type Duration } from './duration.js';
import type { TokenHasher } from './token.js';

/**
 * Recovery codes: short enough to read out over the phone, long enough that guessing
 * one is hopeless. Kratos' codes have six digits (about 20 bits); ours have eight, and
 * a flow takes only RECOVERY_CODE_MAX_ATTEMPTS submissions before it is dead, so an
 * attacker's chance per flow is that many in a hundred million.
 */
export const RECOVERY_CODE_DIGITS = 8;

export type CodeGenerator = () => string;

const DEFAULT_CODE_LIFESPAN = parseDuration('15m');

/**
 * RECOVERY_CODE_LIFESPAN when unset: 15m, or the links' maximum if that is shorter, so a
 * short RECOVERY_LINK_MAX_LIFESPAN set before codes existed still starts.
 */
export function defaultCodeLifespan(maxLifespan: Duration): Duration {
  return DEFAULT_CODE_LIFESPAN.nanoseconds <= maxLifespan.nanoseconds ? DEFAULT_CODE_LIFESPAN : maxLifespan;
}

/**
 * `crypto.randomInt` draws from the CSPRNG by rejection sampling, so every value below
 * the bound is equally likely: no modulo bias, unlike `randomBytes(n) % 10 ** digits`.
 */
export const generateRecoveryCode: CodeGenerator = () =>
  randomInt(0, 10 ** RECOVERY_CODE_DIGITS)
    .toString()
    .padStart(RECOVERY_CODE_DIGITS, '0');

/**
 * People type codes with spaces or dashes (`1234 5678`, `1234-5678`), as codes are often
 * grouped when shown; they are the same code.
 */
export function normalizeRecoveryCode(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/**
 * The code's HMAC, bound to its flow: the same digits of another flow hash differently,
 * and no link token (which the link hasher sees alone) can ever equal a code's input.
 */
export function hashRecoveryCode(hashToken: TokenHasher, flowId: string, code: string): string {
  return hashToken(`recovery_code:${flowId}:${code}`);
}
