import { randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';
import { UUID } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/recovery/index.js';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  REVOKE_RECOVERY_LINKS,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

const SESSION_SIGNING_KEY = 'e2e-session-signing-key-with-32-characters!';
const PUBLIC_BASE_URL = 'https://id.example.com';

let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await openScratchDatabase();
  app = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
    PUBLIC_BASE_URL,
    SESSION_SIGNING_KEY,
    PRIVILEGED_SESSION_MAX_AGE: '10m',
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

async function newIdentity(overrides: Partial<Identity> = {}): Promise<Identity> {
  const identity = identityFixture(overrides);
  await insertIdentity(database.db, identity);
  return identity;
}

async function createLink(identityId: string, expiresIn?: string): Promise<{ flow: string; token: string }> {
  const { body } = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId, expiresIn } });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return linkParameters(body.data?.createRecoveryLink.recoveryLink);
}

const redeem = (input: { flow: string; token: string }) => app.graphql(REDEEM_RECOVERY_LINK, { input });
const revoke = (identityId: string) => app.graphql(REVOKE_RECOVERY_LINKS, { identityId });
const errorOf = (response: Awaited<ReturnType<typeof redeem>>) => response.body.errors?.[0]?.extensions.error;

describe('redeemRecoveryLink over HTTP against MongoDB', () => {
  it('exchanges a link for a privileged session JWT whose claims a settings service can verify', async () => {
    const identity = await newIdentity();
    const link = await createLink(identity.id);
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await redeem(link);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const redemption = body.data?.redeemRecoveryLink;
    expect(redemption.identityId).toBe(identity.id);

    const { payload } = await jwtVerify(redemption.sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY), {
      issuer: PUBLIC_BASE_URL,
      algorithms: ['HS256'],
    });
    expect(payload).toMatchObject({ sub: identity.id, amr: ['recovery_link'], jti: link.flow });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp).toBe(payload.iat! + 600);
    expect(new Date(redemption.sessionExpiresAt).getTime()).toBe(payload.exp! * 1000);

    const claim = await database.db.collection('recovery_links_claims').findOne({ _id: link.flow as never });
    expect(claim).toMatchObject({ outcome: 'redeemed', identityId: identity.id, at: expect.any(Date) });
  });

  it('refuses a second redemption of the same link', async () => {
    const link = await createLink((await newIdentity()).id);
    expect((await redeem(link)).body.errors).toBeUndefined();
    const second = await redeem(link);
    expect(second.body.data).toBeNull();
    expect(second.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(errorOf(second)).toMatchObject({ code: 400, status: 'Bad Request', id: 'recovery_link_invalid' });
  });

  it('gives the same answer for an unknown flow and for a wrong token', async () => {
    const link = await createLink((await newIdentity()).id);
    const unknownFlow = await redeem({ ...link, flow: randomUUID() });
    const wrongToken = await redeem({ ...link, token: link.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    for (const response of [unknownFlow, wrongToken]) {
      expect(errorOf(response)).toMatchObject({ code: 400, id: 'recovery_link_invalid' });
      expect(response.body.errors?.[0]?.message).toBe(unknownFlow.body.errors?.[0]?.message);
    }
    expect((await redeem(link)).body.errors).toBeUndefined();
  });

  it('answers 410 recovery_link_expired once a short lifespan has passed', async () => {
    const link = await createLink((await newIdentity()).id, '100ms');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const response = await redeem(link);
    expect(response.body.errors?.[0]?.extensions.code).toBe('GONE');
    expect(errorOf(response)).toMatchObject({
      code: 410,
      status: 'Gone',
      id: 'recovery_link_expired',
      details: { flow: link.flow },
    });
  });

  it('refuses a revoked link, and revokeRecoveryLinks counts what it revoked', async () => {
    const identity = await newIdentity();
    const link = await createLink(identity.id);
    const revoked = await revoke(identity.id);
    expect(revoked.body).toEqual({ data: { revokeRecoveryLinks: 1 } });
    expect(errorOf(await redeem(link))).toMatchObject({ code: 400, id: 'recovery_link_invalid' });
    expect((await revoke(identity.id)).body).toEqual({ data: { revokeRecoveryLinks: 0 } });
    const claim = await database.db.collection('recovery_links_claims').findOne({ _id: link.flow as never });
    expect(claim).toMatchObject({ outcome: 'revoked', identityId: identity.id, at: expect.any(Date) });
  });

  it('counts only unused, unexpired links when revoking', async () => {
    const identity = await newIdentity();
    await createLink(identity.id, '1ms'); // expires at once
    const used = await createLink(identity.id);
    await redeem(used);
    expect((await revoke(identity.id)).body).toEqual({ data: { revokeRecoveryLinks: 0 } });
    await createLink(identity.id);
    expect((await revoke(identity.id)).body).toEqual({ data: { revokeRecoveryLinks: 1 } });
  });

  it('answers revokeRecoveryLinks for an unknown identity with 404', async () => {
    const response = await revoke(randomUUID());
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      error: { code: 404, id: 'identity_not_found' },
    });
  });

  it('revokes the older link when a new one is created', async () => {
    const identity = await newIdentity();
    const older = await createLink(identity.id);
    const newer = await createLink(identity.id);
    expect(errorOf(await redeem(older))).toMatchObject({ id: 'recovery_link_invalid' });
    expect((await redeem(newer)).body.errors).toBeUndefined();
  });

  it("revokes the identity's other links when one is redeemed", async () => {
    const identity = await newIdentity();
    const kept = await startTestApp({
      MONGODB_URI: database.uri,
      MONGODB_DB: database.name,
      SESSION_SIGNING_KEY,
      RECOVERY_LINK_KEEP_OLDER: 'true',
    });
    try {
      const links = [];
      for (let i = 0; i < 3; i++) {
        const { body } = await kept.graphql(CREATE_RECOVERY_LINK, { input: { identityId: identity.id } });
        links.push(linkParameters(body.data?.createRecoveryLink.recoveryLink));
      }
      expect((await kept.graphql(REDEEM_RECOVERY_LINK, { input: links[1] })).body.errors).toBeUndefined();
      for (const other of [links[0]!, links[2]!]) {
        const response = await kept.graphql(REDEEM_RECOVERY_LINK, { input: other });
        expect(response.body.errors?.[0]?.extensions.error).toMatchObject({ id: 'recovery_link_invalid' });
      }
    } finally {
      await kept.stop();
    }
  });

  it('refuses a link whose identity was disabled after it was created, with 409', async () => {
    const identity = await newIdentity();
    const link = await createLink(identity.id);
    await database.db
      .collection('identities')
      .updateOne({ _id: new UUID(identity.id) as never }, { $set: { state: 'inactive' } });
    const response = await redeem(link);
    expect(errorOf(response)).toMatchObject({
      code: 409,
      id: 'identity_disabled',
      details: { identityId: identity.id },
    });
    // Re-enabled, the same link works: refusing did not consume it.
    await database.db
      .collection('identities')
      .updateOne({ _id: new UUID(identity.id) as never }, { $set: { state: 'active' } });
    expect((await redeem(link)).body.errors).toBeUndefined();
  });

  it('refuses a link whose identity was deleted, with 404', async () => {
    const identity = await newIdentity();
    const link = await createLink(identity.id);
    await database.db.collection('identities').deleteOne({ _id: new UUID(identity.id) as never });
    expect(errorOf(await redeem(link))).toMatchObject({ code: 404, id: 'identity_not_found' });
  });

  it('rejects a flow that is not a UUID before touching the store', async () => {
    const callsBefore = app.storeCalls.length;
    const response = await redeem({ flow: 'nope', token: 'x' });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ id: 'invalid_uuid', details: { field: 'input.flow', value: 'nope' } });
    // Not even the per-client rate limit is counted: the store never saw the request.
    expect(app.storeCalls.slice(callsBefore)).toEqual([]);
  });
});
