import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLScalarType, execute, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { compileKnownOperation, replaySchema } from '../../src/graphql/direct-execution.js';

// Counts graphql-js's executions, to tell which cases the direct path ran itself.
const graphqlExecutions = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql', async (importOriginal) => {
  const graphql = await importOriginal<typeof import('graphql')>();
  return {
    ...graphql,
    execute: (...args: Parameters<typeof graphql.execute>) => {
      graphqlExecutions.count++;
      return graphql.execute(...args);
    },
  };
});

/**
 * compileKnownOperation must give what graphql-js's execute gives, for every outcome of
 * the resolver and every variable, and run the resolver exactly once. Each case executes
 * the document both ways on fresh resolvers and compares results (data, and errors with
 * their messages, paths, locations and original errors' messages).
 */

/** A scalar that accepts "once" the first time only: to test what no real scalar does. */
const flakyParses = { count: 0 };

const Strict = new GraphQLScalarType({
  name: 'Strict',
  serialize(value) {
    if (value === 'unserializable') throw new Error('cannot serialize that');
    if (value === 'nothing') return undefined;
    return String(value);
  },
  parseValue(value) {
    if (value === 'reject') throw new Error('rejected by parseValue');
    if (value === 'once' && flakyParses.count++ > 0) throw new Error('accepted only once');
    if (value === 'nothing') return undefined;
    return `parsed:${String(value)}`;
  },
});

const typeDefs = /* GraphQL */ `
  scalar Strict
  enum Mood {
    CALM
    ANGRY
  }
  input Details {
    id: ID!
    note: Strict
    mood: Mood = CALM
    count: Int
  }
  type Payload {
    id: ID!
    note: Strict
    mood: Mood
    required: Strict!
  }
  type Query {
    ping: Int
  }
  type Mutation {
    act(details: Details!, extra: Strict): Payload!
    maybe(details: Details): Payload
    count(id: ID!, step: Int = 2): Int!
  }
`;

type Behaviour = (args: Record<string, unknown>) => unknown;

function schemaWith(behaviour: Behaviour, calls: unknown[]) {
  const resolve = (_source: unknown, args: Record<string, unknown>) => {
    calls.push(args);
    return behaviour(args);
  };
  return makeExecutableSchema({
    typeDefs,
    resolvers: { Strict, Mutation: { act: resolve, maybe: resolve, count: resolve } },
  });
}

const ACT = parse(`mutation Act($details: Details!, $extra: Strict) {
  act(details: $details, extra: $extra) { id note aliased: mood required }
}`);
const MAYBE = parse(`mutation Maybe($details: Details) { maybe(details: $details) { id required } }`);
const COUNT = parse(`mutation Count($id: ID!) { count(id: $id) }`);

const ordinary = { id: '1', note: 'n', mood: 'ANGRY', required: 'r' };

function comparable(result: Awaited<ReturnType<typeof execute>>) {
  return JSON.parse(
    JSON.stringify({
      data: result.data,
      errors: result.errors?.map((error) => ({
        ...error.toJSON(),
        original: error.originalError?.message,
      })),
    }),
  ) as unknown;
}

async function bothWays(document: typeof ACT, behaviour: Behaviour, variableValues?: Record<string, unknown>) {
  const directCalls: unknown[] = [];
  const schema = schemaWith(behaviour, directCalls);
  const executionsBefore = graphqlExecutions.count;
  const direct = await compileKnownOperation(
    schema,
    replaySchema(schema),
    document,
  )({
    contextValue: {},
    variableValues,
    operationName: undefined,
  });
  const byGraphQL = graphqlExecutions.count > executionsBefore;
  const graphqlCalls: unknown[] = [];
  const expected = await execute({ schema: schemaWith(behaviour, graphqlCalls), document, variableValues });
  expect(comparable(direct)).toEqual(comparable(expected));
  expect(JSON.stringify(directCalls)).toBe(JSON.stringify(graphqlCalls));
  return { direct, calls: directCalls, byGraphQL };
}

describe('compileKnownOperation gives what graphql-js gives', () => {
  it.each<[string, Behaviour]>([
    ['an ordinary value', () => ordinary],
    ['a promise of one', async () => ordinary],
    [
      'a thrown error',
      () => {
        throw new Error('refused');
      },
    ],
    ['a rejected promise', async () => Promise.reject(new Error('refused later'))],
    ['null for a non-null root field', () => null],
    ['an Error returned as value', () => new Error('returned, not thrown')],
    ['a string for an object', () => 'not an object'],
    ['null for a non-null leaf', () => ({ ...ordinary, required: null })],
    ['null for a nullable leaf', () => ({ ...ordinary, note: null })],
    ['a leaf that does not serialize', () => ({ ...ordinary, note: 'unserializable' })],
    ['a leaf that serializes to nothing', () => ({ ...ordinary, required: 'nothing' })],
    ['an enum value the type lacks', () => ({ ...ordinary, mood: 'BORED' })],
    ['a function as leaf value', () => ({ ...ordinary, note: () => 'from a function' })],
    ['a promise as leaf value', () => ({ ...ordinary, note: Promise.resolve('later') })],
  ])('when the resolver gives %s', async (_case, behaviour) => {
    const { calls } = await bothWays(ACT, behaviour, { details: { id: '1' }, extra: 'x' });
    expect(calls).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown> | undefined]>([
    ['every field given', { details: { id: 7, note: 'a', mood: 'ANGRY', count: 3 }, extra: 'e' }],
    ['defaults and nulls', { details: { id: '1', note: null, count: null }, extra: null }],
    ['no variables at all', undefined],
    ['a required variable missing', {}],
    ['a required variable null', { details: null }],
    ['a required field missing', { details: { note: 'a' } }],
    ['an unknown field', { details: { id: '1', unknown: true } }],
    ['a list for an input object', { details: [{ id: '1' }] }],
    ['a scalar refusing the value', { details: { id: '1', note: 'reject' } }],
    ['a scalar parsing to nothing', { details: { id: '1', note: 'nothing' } }],
    ['an enum value the type lacks', { details: { id: '1', mood: 'BORED' } }],
    ['a float for an Int', { details: { id: '1', count: 1.5 } }],
  ])('for variables with %s', async (_case, variables) => {
    await bothWays(ACT, () => ordinary, variables);
  });

  it('for a nullable root field and variable', async () => {
    await bothWays(MAYBE, () => null, {});
    await bothWays(MAYBE, () => ({ ...ordinary, required: null }), { details: null });
    await bothWays(MAYBE, () => ordinary, { details: { id: '2' } });
  });

  it('for a leaf root field', async () => {
    await bothWays(COUNT, () => 3, { id: '1' });
    await bothWays(COUNT, () => 'three', { id: '1' });
    await bothWays(COUNT, async () => null, { id: '1' });
  });

  it('never answers as if nothing ran once the resolver ran, even if the variables stop coercing', async () => {
    flakyParses.count = 0;
    const calls: unknown[] = [];
    const schema = schemaWith(() => {
      throw new Error('refused');
    }, calls);
    const result = await compileKnownOperation(
      schema,
      replaySchema(schema),
      ACT,
    )({
      contextValue: {},
      variableValues: { details: { id: '1', note: 'once' } },
      operationName: undefined,
    });
    expect(calls).toHaveLength(1);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.message).toContain('accepted only once');
  });

  it('runs the ordinary cases itself, and hands graphql-js the rest', async () => {
    expect((await bothWays(ACT, () => ordinary, { details: { id: '1' } })).byGraphQL).toBe(false);
    expect((await bothWays(ACT, async () => ordinary, { details: { id: 1, count: 2 }, extra: 'x' })).byGraphQL).toBe(
      false,
    );
    expect((await bothWays(COUNT, () => 3, { id: '1' })).byGraphQL).toBe(false);
    expect((await bothWays(ACT, () => ({ ...ordinary, required: null }), { details: { id: '1' } })).byGraphQL).toBe(
      true,
    );
    expect((await bothWays(ACT, () => ordinary, { details: { id: '1', note: 'reject' } })).byGraphQL).toBe(true);
  });
});
