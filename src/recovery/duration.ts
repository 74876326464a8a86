/**
 * Go duration strings (`time.ParseDuration`), the format of the seed's `expires_in`.
 *
 * The seed documents `^[0-9]+(ns|us|ms|s|m|h)$`, but Kratos parses with Go, so clients
 * also send compound (`1h30m`) and fractional (`1.5h`, `.5s`) forms. Arithmetic is done
 * in BigInt nanoseconds and bounded by Go's int64 range, so a huge input is rejected
 * instead of losing precision or wrapping around.
 */

export interface Duration {
  /** The text as the client sent it, kept for error messages. */
  readonly text: string;
  readonly nanoseconds: bigint;
}

export class DurationSyntaxError extends Error {
  constructor(
    readonly text: string,
    problem: string,
  ) {
    super(`${JSON.stringify(text)} is not a duration: ${problem}`);
    this.name = 'DurationSyntaxError';
  }
}

const NANOSECONDS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 MICRO SIGN, as Go accepts
  μs: 1_000n, // U+03BC GREEK SMALL LETTER MU, as Go accepts
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.Duration is an int64 of nanoseconds; anything beyond is an overflow. */
const MAX_NANOSECONDS = 2n ** 63n - 1n;
const MAX_TEXT_LENGTH = 64;
const COMPONENT = /([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/y;

export function parseDuration(text: string): Duration {
  if (text.length === 0) throw new DurationSyntaxError(text, 'it is empty');
  if (text.length > MAX_TEXT_LENGTH) {
    throw new DurationSyntaxError(text.slice(0, MAX_TEXT_LENGTH) + '…', 'it is too long');
  }
  let rest = text;
  let sign = 1n;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1n : 1n;
    rest = rest.slice(1);
  }
  // Go special-cases a bare zero; every other number needs a unit.
  if (rest === '0') return { text, nanoseconds: 0n };
  if (rest === '') throw new DurationSyntaxError(text, 'a number and a unit are expected');

  let total = 0n;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < rest.length) {
    const match = COMPONENT.exec(rest);
    if (match === null) {
      throw new DurationSyntaxError(text, 'expected a number followed by ns, us, ms, s, m or h');
    }
    const [, whole = '', fraction = '', unitName = ''] = match;
    if (whole === '' && fraction === '') {
      throw new DurationSyntaxError(text, `a number is expected before "${unitName}"`);
    }
    const unit = NANOSECONDS_PER_UNIT[unitName];
    if (unit === undefined) {
      throw new DurationSyntaxError(text, `unknown unit "${unitName}" (use ns, us, ms, s, m or h)`);
    }
    // Like Go, digits past nanosecond precision are truncated, not rounded.
    const fractionValue = fraction === '' ? 0n : (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += BigInt(whole === '' ? '0' : whole) * unit + fractionValue;
    if (total > MAX_NANOSECONDS + (sign < 0n ? 1n : 0n)) {
      throw new DurationSyntaxError(text, 'it is out of range (at most 2562047h47m16.854775807s)');
    }
  }
  return { text, nanoseconds: sign * total };
}

export function durationToMilliseconds(duration: Duration): number {
  return Number(duration.nanoseconds / 1_000_000n);
}
