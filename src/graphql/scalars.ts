import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLDateTime, GraphQLJSONObject, GraphQLUUID } from 'graphql-scalars';
import { DurationSyntaxError, parseDuration, type Duration } from '../recovery/index.js';
import { ServiceError } from '../errors/index.js';

/**
 * Input scalars throw ServiceErrors, so a bad identityId or expiresIn gets a specific
 * error id (`invalid_uuid`, `invalid_duration`) instead of a generic coercion failure.
 * graphql-js keeps the thrown error as `originalError`, where the error boundary finds it.
 */

function parseUuid(value: unknown): string {
  try {
    // graphql-scalars validates the form; ids are compared in lower case everywhere.
    return String(GraphQLUUID.parseValue(value)).toLowerCase();
  } catch {
    throw new ServiceError('invalid_uuid', `${describe(value)} is not a valid UUID`, { value: printable(value) });
  }
}

export const UUIDScalar = new GraphQLScalarType<string, string>({
  name: 'UUID',
  description: GraphQLUUID.description,
  serialize: (value) => parseUuid(value),
  parseValue: parseUuid,
  parseLiteral: (ast) => parseUuid(literalString(ast)),
});

function parseDurationValue(value: unknown): Duration {
  if (typeof value !== 'string') {
    throw new ServiceError(
      'invalid_duration',
      `${describe(value)} is not a duration: a string such as "30m" or "1h30m" is expected`,
      { value: printable(value) },
    );
  }
  try {
    return parseDuration(value);
  } catch (error) {
    if (!(error instanceof DurationSyntaxError)) throw error;
    throw new ServiceError('invalid_duration', error.message, { value: printable(value) });
  }
}

export const DurationScalar = new GraphQLScalarType<Duration, string>({
  name: 'Duration',
  serialize: (value) => (value as Duration).text,
  parseValue: parseDurationValue,
  parseLiteral: (ast) => parseDurationValue(literalString(ast)),
});

/**
 * graphql-scalars' DateTime, whose serialize returns the Date itself: JSON.stringify then
 * calls its toJSON, which takes V8 off its fast path for the whole response (measured in
 * bench/README.md, "Where the time goes"). The ISO string toJSON would give is returned
 * instead: the same JSON, the same validation and errors.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  serialize(value) {
    const serialized: unknown = GraphQLDateTime.serialize(value);
    // An invalid Date (from an out-of-range number) stays a Date: its toJSON gives null.
    return serialized instanceof Date && !Number.isNaN(serialized.getTime()) ? serialized.toISOString() : serialized;
  },
});
export const JSONObjectScalar = GraphQLJSONObject;

function literalString(ast: ValueNode): unknown {
  return ast.kind === Kind.STRING ? ast.value : `<${ast.kind.toLowerCase()} literal>`;
}

/** Keeps error details small: a client can send megabytes as a "UUID". */
const MAX_ECHOED_LENGTH = 100;

function printable(value: unknown): unknown {
  if (typeof value === 'string')
    return value.length > MAX_ECHOED_LENGTH ? `${value.slice(0, MAX_ECHOED_LENGTH)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return `<${Array.isArray(value) ? 'array' : typeof value}>`;
}

function describe(value: unknown): string {
  const shown = printable(value);
  return typeof shown === 'string' && typeof value === 'string' ? JSON.stringify(shown) : String(shown);
}
