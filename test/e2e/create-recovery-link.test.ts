import { createHmac, randomUUID } from 'node:crypto';
import { BSON } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/recovery/index.js';
import { CREATE_RECOVERY_LINK, TEST_TOKEN_SECRET, startTestApp, type TestApp } from '../support/app.js';
import {
  insertIdentity,
  openScratchDatabase,
  storedFlow,
  storedFlowCount,
  type ScratchDatabase,
} from '../support/mongo.js';
import { identityFixture } from '../support/fixtures.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BASE_URL = 'https://id.example.com/recovery?tenant=acme';

let database: ScratchDatabase;
let app: TestApp;
let active: Identity;
let activeWithStringId: Identity;
let disabled: Identity;

beforeAll(async () => {
  database = await openScratchDatabase();
  active = identityFixture();
  activeWithStringId = identityFixture();
  disabled = identityFixture({ state: 'inactive' });
  await insertIdentity(database.db, active, 'uuid');
  await insertIdentity(database.db, activeWithStringId, 'string');
  await insertIdentity(database.db, disabled, 'uuid');
  app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name, RECOVERY_LINK_BASE_URL: BASE_URL });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const create = (input: Record<string, unknown>, headers?: Record<string, string>) =>
  app.graphql(CREATE_RECOVERY_LINK, { input }, headers);

function parseLink(recoveryLink: string) {
  const url = new URL(recoveryLink);
  return { url, flow: url.searchParams.get('flow') ?? '', token: url.searchParams.get('token') ?? '' };
}

const storedLink = (flow: string) => storedFlow(database.db, flow);

describe('createRecoveryLink over HTTP against MongoDB', () => {
  it('creates a link on the configured base URL with a v4 flow id and a 256-bit token', async () => {
    const before = Date.now();
    const { status, body } = await create({ identityId: active.id });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const { url, flow, token } = parseLink(body.data?.createRecoveryLink.recoveryLink);
    expect(`${url.origin}${url.pathname}`).toBe('https://id.example.com/recovery');
    expect(url.searchParams.get('tenant')).toBe('acme');
    expect(flow).toMatch(UUID_V4);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const stored = await storedLink(flow);
    expect(stored).toMatchObject({ identityId: active.id });
    expect(stored?.tokenHash).toBe(createHmac('sha256', TEST_TOKEN_SECRET).update(token).digest('base64url'));
    expect(stored?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('defaults to the configured lifespan and answers the stored expiry in RFC 3339 UTC with milliseconds', async () => {
    const { body } = await create({ identityId: active.id });
    const { expiresAt, recoveryLink } = body.data?.createRecoveryLink;
    expect(expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const stored = await storedLink(parseLink(recoveryLink).flow);
    expect(stored?.expiresAt.toISOString()).toBe(expiresAt);
    expect(stored?.expiresAt.getTime() - stored?.createdAt.getTime()).toBe(60 * 60 * 1000);
  });

  it.each([
    ['90m', 90 * 60_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['2500ms', 2_500],
    ['720h', 720 * 3_600_000],
  ])('honours a custom lifespan of %s', async (expiresIn, milliseconds) => {
    const { body } = await create({ identityId: active.id, expiresIn });
    const stored = await storedLink(parseLink(body.data?.createRecoveryLink.recoveryLink).flow);
    expect(stored?.expiresAt.getTime() - stored?.createdAt.getTime()).toBe(milliseconds);
  });

  it('treats an explicit null expiresIn as the default lifespan', async () => {
    const { body } = await create({ identityId: active.id, expiresIn: null });
    const stored = await storedLink(parseLink(body.data?.createRecoveryLink.recoveryLink).flow);
    expect(stored?.expiresAt.getTime() - stored?.createdAt.getTime()).toBe(3_600_000);
  });

  it.each([
    ['1d', 'invalid_duration'],
    ['abc', 'invalid_duration'],
    ['', 'invalid_duration'],
    ['99999999999999999999h', 'invalid_duration'],
    [42, 'invalid_duration'],
    ['0s', 'expires_in_out_of_range'],
    ['-1h', 'expires_in_out_of_range'],
    ['500us', 'expires_in_out_of_range'],
    ['720h1ns', 'expires_in_out_of_range'],
  ])('rejects expiresIn %j with a 400-class %s naming the field and the value', async (expiresIn, id) => {
    const { status, body } = await create({ identityId: active.id, expiresIn });
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error?.extensions.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions.error).toMatchObject({
      code: 400,
      status: 'Bad Request',
      id,
      details: { field: 'input.expiresIn', value: expiresIn },
    });
    expect(error?.extensions.error.reason).toContain('expiresIn');
    // Coercion failures reject the whole request; range failures are execution errors.
    expect(status).toBe(id === 'invalid_duration' ? 400 : 200);
  });

  it('rejects an identityId that is not a UUID', async () => {
    const { status, body } = await create({ identityId: 'not-a-uuid' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: { code: 400, id: 'invalid_uuid', details: { field: 'input.identityId', value: 'not-a-uuid' } },
    });
  });

  it('answers an unknown identity with the full errorGeneric 404', async () => {
    const unknown = randomUUID();
    const { status, headers, body } = await create(
      { identityId: unknown },
      { 'x-request-id': 'd7ef54b1-ec15-46e6-bccb-524b82c035e6' },
    );
    expect(status).toBe(200);
    expect(headers.get('x-request-id')).toBe('d7ef54b1-ec15-46e6-bccb-524b82c035e6');
    expect(body).toEqual({
      data: null,
      errors: [
        {
          message: `Identity with ID ${unknown} does not exist.`,
          locations: [{ line: 2, column: 3 }],
          path: ['createRecoveryLink'],
          extensions: {
            code: 'NOT_FOUND',
            error: {
              code: 404,
              status: 'Not Found',
              id: 'identity_not_found',
              message: 'The resource could not be found',
              reason: `Identity with ID ${unknown} does not exist.`,
              request: 'd7ef54b1-ec15-46e6-bccb-524b82c035e6',
              details: { identityId: unknown },
            },
          },
        },
      ],
    });
  });

  it('finds identities stored under a string _id and under a BSON UUID _id, in any letter case', async () => {
    for (const identityId of [active.id, activeWithStringId.id, activeWithStringId.id.toUpperCase()]) {
      const { body } = await create({ identityId });
      expect(body.errors).toBeUndefined();
      const stored = await storedLink(parseLink(body.data?.createRecoveryLink.recoveryLink).flow);
      expect(stored?.identityId).toBe(identityId.toLowerCase());
    }
  });

  it('refuses a disabled identity with 409 identity_disabled and stores nothing', async () => {
    const { body } = await create({ identityId: disabled.id });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      error: { code: 409, status: 'Conflict', id: 'identity_disabled', details: { identityId: disabled.id } },
    });
    expect(await storedFlowCount(database.db, disabled.id)).toBe(0);
  });

  it('echoes an incoming X-Request-Id, stores it with the link, and generates one when absent', async () => {
    const traced = await create({ identityId: active.id }, { 'x-request-id': 'trace-123' });
    expect(traced.headers.get('x-request-id')).toBe('trace-123');
    expect((await storedLink(parseLink(traced.body.data?.createRecoveryLink.recoveryLink).flow))?.requestId).toBe(
      'trace-123',
    );

    const untraced = await create({ identityId: randomUUID() });
    const generated = untraced.headers.get('x-request-id');
    expect(generated).toMatch(UUID_V4);
    expect(untraced.body.errors?.[0]?.extensions.error.request).toBe(generated);

    const hostile = await create({ identityId: randomUUID() }, { 'x-request-id': 'a"} <script>' });
    expect(hostile.headers.get('x-request-id')).toMatch(UUID_V4);
  });

  it('creates a distinct link every time for the same identity', async () => {
    const [first, second] = await Promise.all([create({ identityId: active.id }), create({ identityId: active.id })]);
    const a = parseLink(first.body.data?.createRecoveryLink.recoveryLink);
    const b = parseLink(second.body.data?.createRecoveryLink.recoveryLink);
    expect(a.flow).not.toBe(b.flow);
    expect(a.token).not.toBe(b.token);
    expect(await storedLink(a.flow)).not.toBeNull();
    expect(await storedLink(b.flow)).not.toBeNull();
  });

  it('never writes a plaintext token anywhere in the database', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await create({ identityId: active.id });
      tokens.push(parseLink(body.data?.createRecoveryLink.recoveryLink).token);
    }
    const collections = await database.db.listCollections().toArray();
    let everything = '';
    for (const { name } of collections) {
      everything += BSON.EJSON.stringify(await database.db.collection(name).find().toArray());
    }
    expect(everything).toContain(createHmac('sha256', TEST_TOKEN_SECRET).update(tokens[0]!).digest('base64url'));
    for (const token of tokens) expect(everything).not.toContain(token);
  });

  it('serves the identity query for an admin frontend', async () => {
    const { body } = await app.graphql(
      'query($id: UUID!) { identity(id: $id) { id state schemaId traits createdAt updatedAt } }',
      { id: disabled.id.toUpperCase() },
    );
    expect(body.data?.identity).toEqual({
      id: disabled.id,
      state: 'INACTIVE',
      schemaId: 'default',
      traits: disabled.traits,
      createdAt: disabled.createdAt?.toISOString(),
      updatedAt: disabled.updatedAt?.toISOString(),
    });
    const missing = await app.graphql('query($id: UUID!) { identity(id: $id) { id } }', { id: randomUUID() });
    expect(missing.body).toEqual({ data: { identity: null } });
  });
});
