import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  REVOKE_RECOVERY_LINKS,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, storedFlowCount, type ScratchDatabase } from '../support/mongo.js';
import { startService } from '../support/service-process.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';
import { once } from 'node:events';

/**
 * The database goes away in the middle of the test and comes back: requests fail fast
 * with 503, readiness fails, the service stays up, and it resumes by itself with nothing
 * lost. This needs a server the test can stop, so it starts one of its own.
 */
let database: TestDatabase;
let scratch: ScratchDatabase;
let app: TestApp;
/** The same service behind a router: it answers the router 200 with the same errors. */
let routed: TestApp;
const ROUTER_SECRET = 'router-secret-of-at-least-32-characters';
const identity = identityFixture();

beforeAll(async () => {
  database = await startTestDatabase({ local: true });
  scratch = await openScratchDatabase(database.uri);
  await insertIdentity(scratch.db, identity);
  // Older links stay valid here, so the link from before the outage can prove it survived.
  app = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: scratch.name,
    MONGODB_TIMEOUT: '1s',
    RECOVERY_LINK_KEEP_OLDER: 'true',
  });
  routed = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: scratch.name,
    MONGODB_TIMEOUT: '1s',
    ROUTER_SECRET,
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await routed?.stop();
  await database?.stop();
});

const create = () => app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: identity.id } });
const ready = async () => (await fetch(`${app.url}/health/ready`)).status;

describe('a database outage', () => {
  it('answers 503 storage_unavailable within the timeout, fails readiness, then recovers with nothing lost', async () => {
    const before = await create();
    expect(before.body.errors).toBeUndefined();
    const linkFromBefore = linkParameters(before.body.data?.createRecoveryLink.recoveryLink);

    await database.stopServer();
    const started = Date.now();
    const during = await create();
    // Bounded by MONGODB_TIMEOUT (1s) plus driver overhead, far below the driver's 30s default.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(during.body.errors?.[0]?.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      error: {
        code: 503,
        status: 'Service Unavailable',
        id: 'storage_unavailable',
        details: { retryAfterSeconds: 5 },
      },
    });
    // Every operation that needs the database says so at the HTTP level, not only creation.
    const identityId = identity.id;
    const everyOperation: [string, Record<string, unknown>][] = [
      [REDEEM_RECOVERY_LINK, { input: linkFromBefore }],
      [REVOKE_RECOVERY_LINKS, { identityId }],
      ['query($id: UUID!) { identity(id: $id) { id } }', { id: identityId }],
      ['query($id: UUID!) { recoveryEvents(identityId: $id) { type } }', { id: identityId }],
      [
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Identity { activeRecoveryLinks } } }',
        { r: [{ __typename: 'Identity', id: identityId }] },
      ],
    ];
    for (const [query, variables] of everyOperation) {
      const response = await app.graphql(query, variables);
      expect({ query, status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({
        query,
        status: 503,
        retryAfter: '5',
      });
      expect(response.body.errors?.[0]?.extensions.error.id).toBe('storage_unavailable');
    }
    expect(JSON.stringify(during.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Mongo/);
    const viaRouter = await routed.graphql(
      CREATE_RECOVERY_LINK,
      { input: { identityId: identity.id } },
      {
        'router-authorization': ROUTER_SECRET,
      },
    );
    expect(viaRouter.status).toBe(200);
    expect(viaRouter.body.data ?? null).toBeNull();
    expect(viaRouter.body.errors?.[0]?.extensions.error).toMatchObject({
      id: 'storage_unavailable',
      details: { retryAfterSeconds: 5 },
    });
    expect(await ready()).toBe(503);
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);

    await database.startServer();
    const deadline = Date.now() + 30_000;
    while ((await ready()) !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await ready()).toBe(200);

    const after = await create();
    expect(after.body.errors).toBeUndefined();
    // Nothing lost, nothing duplicated: exactly the two links, and the one from before
    // the outage still works, once.
    expect(await storedFlowCount(scratch.db, identity.id)).toBe(2);
    const redeemOld = () => app.graphql(REDEEM_RECOVERY_LINK, { input: linkFromBefore });
    expect((await redeemOld()).body.data?.redeemRecoveryLink.identityId).toBe(identity.id);
    expect((await redeemOld()).body.errors?.[0]?.extensions.error.id).toBe('recovery_link_invalid');
  }, 60_000);

  it('does not keep a process from exiting on SIGTERM', async () => {
    const service = await startService({ MONGODB_URI: database.uri, MONGODB_DB: scratch.name, MONGODB_TIMEOUT: '1s' });
    await database.stopServer();
    try {
      service.child.kill('SIGTERM');
      const [code] = await once(service.child, 'exit');
      // Nothing was in flight: a clean exit, whether or not the connection closed in time.
      expect(code).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
      await database.startServer();
    }
  }, 40_000);
});
