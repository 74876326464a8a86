import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, durationToMilliseconds, parseDuration } from '../../src/recovery/index.js';

const ns = (text: string) => parseDuration(text).nanoseconds;

describe('parseDuration', () => {
  it.each([
    ['1ns', 1n],
    ['1us', 1_000n],
    ['1µs', 1_000n],
    ['1μs', 1_000n],
    ['500ms', 500_000_000n],
    ['30s', 30_000_000_000n],
    ['15m', 900_000_000_000n],
    ['1h', 3_600_000_000_000n],
    ['720h', 2_592_000_000_000_000n],
  ])('reads the seed form %s', (text, expected) => {
    expect(ns(text)).toBe(expected);
  });

  it.each([
    ['1h30m', 5_400_000_000_000n],
    ['2h45m30.5s', 9_930_500_000_000n],
    ['1m1s1ms1us1ns', 61_001_001_001n],
    ['1.5h', 5_400_000_000_000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
    ['0.000000001s', 1n],
    ['1.0000000019s', 1_000_000_001n],
  ])('reads the compound and fractional Go form %s', (text, expected) => {
    expect(ns(text)).toBe(expected);
  });

  it('reads signs and a bare zero the way Go does', () => {
    expect(ns('0')).toBe(0n);
    expect(ns('-1h')).toBe(-3_600_000_000_000n);
    expect(ns('+1s')).toBe(1_000_000_000n);
    expect(ns('0s')).toBe(0n);
  });

  it('accepts the largest duration Go can hold and rejects one nanosecond more', () => {
    expect(ns('9223372036854775807ns')).toBe(2n ** 63n - 1n);
    expect(ns('-9223372036854775808ns')).toBe(-(2n ** 63n));
    expect(() => parseDuration('9223372036854775808ns')).toThrow(/out of range/);
  });

  it.each(['2562048h', '99999999999999999999h', '9999999999h', '1h2562047h'])(
    'rejects the overflow %s instead of wrapping',
    (text) => {
      expect(() => parseDuration(text)).toThrow(DurationSyntaxError);
    },
  );

  it.each([
    ['', /empty/],
    ['1', /number followed by/],
    ['h', /number followed by|a number is expected/],
    ['.h', /a number is expected/],
    ['1d', /unknown unit "d"/],
    ['1 h', /unknown unit/],
    ['1h ', /unknown unit "h "/],
    ['1e3s', /unknown unit "e"/],
    ['-', /a number and a unit/],
    ['1..5s', /unknown unit|number/],
    ['P1D', /a number is expected before "P"/],
    ['x'.repeat(1000), /too long/],
  ])('rejects %j', (text, problem) => {
    expect(() => parseDuration(text)).toThrow(problem);
  });

  it('keeps the client text for error messages', () => {
    expect(parseDuration('1h30m').text).toBe('1h30m');
  });
});

describe('durationToMilliseconds', () => {
  it('truncates below a millisecond', () => {
    expect(durationToMilliseconds(parseDuration('1.9999ms'))).toBe(1);
    expect(durationToMilliseconds(parseDuration('1h'))).toBe(3_600_000);
  });
});
