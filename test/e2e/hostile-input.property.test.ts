import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  REVOKE_RECOVERY_LINKS,
  TEST_ADMIN_KEY,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * Whatever a client sends, the answer is a well-formed GraphQL result or errorGeneric
 * error, never a crash or a 5xx: wrong types, huge strings, MongoDB operator objects in
 * every field (`{"$ne": null}` must not turn a lookup into "any identity"), deep nesting,
 * and bodies that are not GraphQL at all.
 */
let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await openScratchDatabase();
  // Present so that an operator slipping through (`{$ne: null}`) would find something.
  await insertIdentity(database.db, identityFixture());
  app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const OPERATIONS = [
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  REVOKE_RECOVERY_LINKS,
  'query($id: UUID!) { identity(id: $id) { id state traits } }',
  'query($identityId: UUID!, $first: Int) { recoveryEvents(identityId: $identityId, first: $first) { type } }',
];

const deeplyNested = fc.integer({ min: 1, max: 400 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
});

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ minLength: 10_000, maxLength: 60_000 }),
  fc.uuid(),
  fc.constantFrom('1h', '0s', '-1h', '1e9h', '720h1ns', '1.5h', '', ' ', '\u0000', '𝓤𝓝𝓘𝓒𝓞𝓓𝓔'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom({ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: [null] }),
  deeplyNested,
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 20 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 10 }),
);

const variables = fc.record(
  {
    input: fc.oneof(
      hostileValue,
      fc.record({ identityId: hostileValue, expiresIn: hostileValue }, { requiredKeys: [] }),
      fc.record({ flow: hostileValue, token: hostileValue }, { requiredKeys: [] }),
    ),
    identityId: hostileValue,
    id: hostileValue,
    first: hostileValue,
  },
  { requiredKeys: [] },
);

const graphqlBody = fc.record(
  { query: fc.oneof(fc.constantFrom(...OPERATIONS), hostileValue), variables: fc.oneof(variables, hostileValue) },
  { requiredKeys: [] },
);

const rawBody = fc.oneof(
  graphqlBody.map((body) => JSON.stringify(body)),
  fc.string({ maxLength: 500 }),
  fc.constantFrom('{', '[]', 'null', '"query"', '{"query": {"$ne": null}}', '[{"query": "{ __typename }"}]'),
);

async function send(body: string, contentType: string, authorized: boolean) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(authorized ? { authorization: `Bearer ${TEST_ADMIN_KEY}` } : {}) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

function expectWellFormed({ status, text }: { status: number; text: string }) {
  expect(status, text.slice(0, 300)).toBeLessThan(500);
  const body = JSON.parse(text) as {
    data?: unknown;
    errors?: { message: unknown; extensions?: { code?: unknown; error?: Record<string, unknown> } }[];
  };
  if (body.errors === undefined) {
    expect(body.data).toBeTypeOf('object');
    return;
  }
  expect(body.errors.length).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(error.message).toBeTypeOf('string');
    expect(error.extensions?.code).toBeTypeOf('string');
    const generic = error.extensions?.error;
    expect(generic?.code).toBeTypeOf('number');
    expect(generic?.code as number).toBeLessThan(500);
    for (const field of ['status', 'id', 'message', 'reason', 'request'])
      expect(generic?.[field], field).toBeTypeOf('string');
    expect(generic?.details).toBeTypeOf('object');
    expect(generic).not.toHaveProperty('debug');
  }
}

describe('hostile input', () => {
  it('always gets a well-formed answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
        fc.boolean(),
        async (body, contentType, authorized) => {
          expectWellFormed(await send(body, contentType, authorized));
        },
      ),
      { numRuns: 300 },
    );
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
  }, 120_000);

  it('never lets a MongoDB operator object stand in for an identity or a flow', async () => {
    for (const operator of [{ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $exists: true }]) {
      for (const [query, vars] of [
        [OPERATIONS[0]!, { input: { identityId: operator } }],
        [OPERATIONS[1]!, { input: { flow: operator, token: operator } }],
        [OPERATIONS[3]!, { id: operator }],
      ] as const) {
        const answer = await send(JSON.stringify({ query, variables: vars }), 'application/json', true);
        expectWellFormed(answer);
        const body = JSON.parse(answer.text) as { errors?: { extensions: { error: { id: string } } }[] };
        expect(body.errors?.[0]?.extensions.error.id).toMatch(/^invalid_(uuid|input)$/);
      }
    }
  });
});
