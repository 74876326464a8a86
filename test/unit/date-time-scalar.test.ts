import { GraphQLDateTime } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from '../../src/graphql/scalars.js';

/** DateTimeScalar serializes to the string JSON would make of graphql-scalars' Date, or fails alike. */
describe('DateTimeScalar', () => {
  it.each([
    ['a Date', new Date('2026-11-25T20:00:00.123Z')],
    ['a date-time string', '2026-11-25T21:00:00+01:00'],
    ['a timestamp', 1_795_000_000_000],
    ['a timestamp out of range', 8.64e15 + 1],
  ])('gives the JSON graphql-scalars gives for %s', (_case, value) => {
    expect(JSON.stringify({ at: DateTimeScalar.serialize(value) })).toBe(
      JSON.stringify({ at: GraphQLDateTime.serialize(value) }),
    );
  });

  it('returns a string for a valid Date, so JSON needs no toJSON', () => {
    expect(DateTimeScalar.serialize(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['garbage', { not: 'a date' }],
  ])('refuses %s with the same message', (_case, value) => {
    expect(() => DateTimeScalar.serialize(value)).toThrow(
      (() => {
        try {
          GraphQLDateTime.serialize(value);
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      })(),
    );
  });
});
