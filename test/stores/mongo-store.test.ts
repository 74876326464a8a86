import { UUID } from 'mongodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoRecoveryStore } from '../../src/stores/index.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { identityFixture, linkFixture } from '../support/fixtures.js';
import {
  describeRecoveryCodeContract,
  describeRecoveryStoreContract,
  describeReturnToStoreContract,
  type StoreUnderTest,
} from './contract/index.js';

const silent = pino({ level: 'silent' });

function connect(database: ScratchDatabase, logger = silent) {
  return MongoRecoveryStore.connect({
    uri: database.uri,
    database: database.name,
    identitiesCollection: 'identities',
    recoveryLinksCollection: 'recovery_links',
    timeoutMilliseconds: 2_000,
    retention: {
      linkMilliseconds: 7 * 86_400_000,
      eventMilliseconds: 90 * 86_400_000,
      maxLifespanMilliseconds: 30 * 86_400_000,
    },
    logger,
  });
}

const openMongo = async (): Promise<StoreUnderTest> => {
  const database = await openScratchDatabase();
  const store = await connect(database);
  return {
    store,
    seedIdentity: (identity) => insertIdentity(database.db, identity),
    async dispose() {
      await store.close();
      await database.drop();
    },
  };
};
describeRecoveryStoreContract('MongoDB', openMongo);
describeReturnToStoreContract('MongoDB', openMongo);

describeRecoveryCodeContract('MongoDB', async () => {
  const database = await openScratchDatabase();
  const store = await connect(database);
  return {
    store,
    seedIdentity: (identity) => insertIdentity(database.db, identity),
    async dispose() {
      await store.close();
      await database.drop();
    },
  };
});

describe('MongoDB store', () => {
  let database: ScratchDatabase;
  let store: MongoRecoveryStore;

  beforeAll(async () => {
    database = await openScratchDatabase();
    store = await connect(database);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('finds identities whose _id is a BSON UUID and ones whose _id is the canonical string', async () => {
    const asUuid = identityFixture();
    const asString = identityFixture();
    await insertIdentity(database.db, asUuid, 'uuid');
    await insertIdentity(database.db, asString, 'string');
    expect(await store.findIdentity(asUuid.id)).toEqual(asUuid);
    expect(await store.findIdentity(asString.id)).toEqual(asString);
  });

  it('treats a missing state as active and an unknown state as inactive', async () => {
    const stateless = identityFixture();
    const banned = identityFixture();
    await database.db
      .collection('identities')
      .insertMany([{ _id: new UUID(stateless.id) as never }, { _id: new UUID(banned.id) as never, state: 'banned' }]);
    expect(await store.findIdentity(stateless.id)).toMatchObject({
      state: 'active',
      traits: {},
      schemaId: null,
      createdAt: null,
    });
    expect((await store.findIdentity(banned.id))?.state).toBe('inactive');
  });

  it('keys links by the flow id as a string, stores the hash only, and never updates the link', async () => {
    const identity = identityFixture();
    const flowId = '6f1c1d9e-8f5a-4c1b-9a55-0d7a3c2b1e40';
    await store.insertRecoveryLink({
      flowId,
      identityId: identity.id,
      method: 'link',
      tokenHash: 'hash-only',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
      requestId: 'req-1',
      actor: 'api_key:key_1',
      clientAddress: '127.0.0.1',
      returnTo: null,
    });
    const at = new Date('2026-05-05T05:05:05.005Z');
    const claim = {
      outcome: 'redeemed',
      identityId: identity.id,
      at,
      requestId: 'r2',
      actor: null,
      clientAddress: '10.1.1.1',
    } as const;
    await store.claimRecoveryLinks([flowId], claim);
    // Beside its claim, in the claims collection, so that a creation is one insert there.
    const raw = await database.db.collection('recovery_links_claims').findOne({ _id: `${flowId}#created` as never });
    expect(typeof raw?._id).toBe('string');
    expect(Object.keys(raw ?? {}).sort()).toEqual([
      '_id',
      'actor',
      'at',
      'clientAddress',
      'createdAt',
      'expiresAt',
      'flowId',
      'identityId',
      'method',
      'purgeAt',
      'requestId',
      'returnTo',
      'tokenHash',
    ]);
    const rawClaim = await database.db.collection('recovery_links_claims').findOne({ _id: flowId as never });
    expect(rawClaim).toMatchObject({ ...claim, purgeAt: expect.any(Date) });
  });

  it('still reads links stored in the links collection, as before flows moved, with their claims and audit entries', async () => {
    const { flowId, ...older } = linkFixture({ method: 'code' });
    const { identityId } = older;
    await database.db.collection('recovery_links').insertOne({ _id: flowId as never, ...older, purgeAt: new Date() });
    expect(await store.findStoredRecoveryLink(flowId)).toEqual({ ...older, flowId });
    const at = new Date();
    const claim = { outcome: 'revoked', identityId, at, requestId: 'r3', actor: null, clientAddress: null } as const;
    expect(await store.claimRecoveryLinks([flowId], claim)).toEqual([flowId]);
    expect((await store.findRecoveryLink(flowId))?.revokedAt).toEqual(at);
    const events = await store.listEvents(identityId, 50);
    expect(events.filter((event) => event.flowId === flowId).map((event) => [event.type, event.method])).toEqual(
      expect.arrayContaining([
        ['created', older.method],
        ['revoked', older.method],
      ]),
    );
  });

  it('reads a link stored before return URLs existed as one without a returnTo', async () => {
    const { returnTo: _absent, flowId, ...older } = linkFixture();
    await database.db.collection('recovery_links').insertOne({ _id: flowId as never, ...older, purgeAt: new Date() });
    expect(await store.findStoredRecoveryLink(flowId)).toEqual({ ...older, flowId, returnTo: null });
    expect((await store.findRecoveryLink(flowId))?.returnTo).toBeNull();
  });

  it('creates its indexes idempotently, and expires documents itself exactly when the server has no TTL', async () => {
    const again = await connect(database);
    await again.close();
    const indexes = await database.db.collection('recovery_links').indexes();
    const ttl = indexes.find((index) => index.name === 'purgeAt_ttl');
    expect(store.expiresByItself).toBe(ttl !== undefined);
    if (ttl !== undefined) expect(ttl).toMatchObject({ key: { purgeAt: 1 }, expireAfterSeconds: 0 });
  });
});
