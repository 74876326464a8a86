import { GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.js';
import { IDENTITY_STATES, RECOVERY_EVENT_TYPES } from '../../src/recovery/index.js';

describe("the schema's enums", () => {
  const schema = buildSchema();
  const internalValues = (name: string) => {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum of the schema`);
    return type.getValues().map((value) => value.value as unknown);
  };

  it('resolve to exactly the identity states the domain lists', () => {
    expect(internalValues('IdentityState')).toEqual([...IDENTITY_STATES]);
  });

  it('resolve to exactly the recovery event types the domain lists', () => {
    expect(internalValues('RecoveryEventType')).toEqual([...RECOVERY_EVENT_TYPES]);
  });
});
