import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_LINK, REDEEM_RECOVERY_LINK, REVOKE_RECOVERY_LINKS, linkParameters } from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

/** Two service processes on one database, as two replicas behind a load balancer. */
const ADMIN_KEY = 'replica-admin-key-with-at-least-32-chars';
const RECOVERY_EVENTS =
  'query($id: UUID!, $first: Int) { recoveryEvents(identityId: $id, first: $first) { type identityId flowId errorId actor requestId clientAddress at } }';

let database: ScratchDatabase;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  database = await openScratchDatabase();
  const environment = {
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
    ADMIN_API_KEYS: ADMIN_KEY,
    RECOVERY_TOKEN_SECRET: 'replica-token-secret-with-at-least-32-chars',
    SESSION_SIGNING_KEY: 'replica-signing-key-with-at-least-32-chars',
    RECOVERY_LINK_RATE_LIMIT: '3/1h',
    REDEEM_RATE_LIMIT: '5/1m',
    RECOVERY_LINK_KEEP_OLDER: 'true',
  };
  replicas.push(...(await Promise.all([startService(environment), startService(environment)])));
});

afterAll(async () => {
  for (const replica of replicas) replica.child.kill('SIGKILL');
  await database?.drop();
});

async function post(replica: ServiceProcess, query: string, variables: Record<string, unknown>, admin = true) {
  const response = await fetch(`${replica.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { data?: any; errors?: any[] },
  };
}

describe('rate limits shared by two replicas', () => {
  it('allows RECOVERY_LINK_RATE_LIMIT links per identity across both, then answers 429 with Retry-After', async () => {
    const identity = identityFixture();
    await insertIdentity(database.db, identity);
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(await post(replicas[i % 2]!, CREATE_RECOVERY_LINK, { input: { identityId: identity.id } }));
    expect(results.slice(0, 3).every((result) => result.body.data?.createRecoveryLink)).toBe(true);
    const limited = results[3]!;
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      error: { code: 429, status: 'Too Many Requests', id: 'rate_limited', details: { retryAfterSeconds: retryAfter } },
    });
    // Another identity is not affected.
    const other = identityFixture();
    await insertIdentity(database.db, other);
    expect(
      (await post(replicas[1]!, CREATE_RECOVERY_LINK, { input: { identityId: other.id } })).body.errors,
    ).toBeUndefined();
  });

  it('limits redemption attempts per client address across both', async () => {
    const guess = { input: { flow: randomUUID(), token: 'guess' } };
    const ids = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        (await post(replicas[i % 2]!, REDEEM_RECOVERY_LINK, guess, false)).body.errors?.[0]?.extensions.error.id,
      );
    expect(ids).toEqual([...Array(5).fill('recovery_link_invalid'), 'rate_limited']);
  });
});

describe('the audit trail', () => {
  it('lists what happened to an identity, newest first, with actor, request and address, and no token', async () => {
    const identity = identityFixture();
    await insertIdentity(database.db, identity);
    const created = await post(replicas[0]!, CREATE_RECOVERY_LINK, { input: { identityId: identity.id } });
    const link = linkParameters(created.body.data.createRecoveryLink.recoveryLink);
    await post(replicas[1]!, REVOKE_RECOVERY_LINKS, { identityId: identity.id });
    // Redemption is limited per address and this test shares 127.0.0.1 with the one above,
    // so read the trail without redeeming again.
    const { body } = await post(replicas[1]!, RECOVERY_EVENTS, { id: identity.id });
    expect(body.data.recoveryEvents.map((event: { type: string }) => event.type)).toEqual(['REVOKED', 'CREATED']);
    const [revoked, creation] = body.data.recoveryEvents;
    expect(creation).toMatchObject({
      identityId: identity.id,
      flowId: link.flow,
      actor: expect.stringMatching(/^api_key:key_[0-9a-f]{12}$/),
      errorId: null,
    });
    expect(creation.clientAddress).toMatch(/127\.0\.0\.1/);
    expect(revoked).toMatchObject({ flowId: link.flow });
    expect(JSON.stringify(body)).not.toContain(link.token);
    expect(JSON.stringify(body)).not.toContain(ADMIN_KEY);

    const first = await post(replicas[0]!, RECOVERY_EVENTS, { id: identity.id, first: 1 });
    expect(first.body.data.recoveryEvents).toHaveLength(1);
    const anonymous = await post(replicas[0]!, RECOVERY_EVENTS, { id: identity.id }, false);
    expect(anonymous.body.errors?.[0]?.extensions.error.id).toBe('unauthenticated');
  });
});
