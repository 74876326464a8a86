import { Writable } from 'node:stream';
import { UUID } from 'mongodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoRecoveryStore } from '../../src/stores/index.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { describeRecoveryStoreContract, identityFixture } from './recovery-store-contract.js';

const silent = pino({ level: 'silent' });

function connect(database: ScratchDatabase, logger = silent) {
  return MongoRecoveryStore.connect({
    uri: database.uri,
    database: database.name,
    identitiesCollection: 'identities',
    recoveryLinksCollection: 'recovery_links',
    timeoutMilliseconds: 2_000,
    logger,
  });
}

describeRecoveryStoreContract('MongoDB', async () => {
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
  const warnings: string[] = [];

  beforeAll(async () => {
    database = await openScratchDatabase();
    const capture = new Writable({
      write(chunk, _encoding, done) {
        warnings.push(String(chunk));
        done();
      },
    });
    store = await connect(database, pino({ level: 'warn' }, capture));
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

  it('keeps the flow id as a BSON UUID and never stores a token field', async () => {
    const identity = identityFixture();
    await store.insertRecoveryLink({
      flowId: '6f1c1d9e-8f5a-4c1b-9a55-0d7a3c2b1e40',
      identityId: identity.id,
      tokenHash: 'hash-only',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
      requestId: 'req-1',
    });
    const raw = await database.db.collection('recovery_links').findOne({ tokenHash: 'hash-only' });
    expect(raw?._id).toBeInstanceOf(UUID);
    expect(Object.keys(raw ?? {}).sort()).toEqual([
      '_id',
      'createdAt',
      'expiresAt',
      'identityId',
      'requestId',
      'revokedAt',
      'tokenHash',
      'usedAt',
    ]);
    expect(raw).toMatchObject({ usedAt: null, revokedAt: null });
  });

  it('mirrors a claim onto the link document for people reading the collection', async () => {
    const flowId = '0f3c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
    await store.insertRecoveryLink({
      flowId,
      identityId: 'x',
      tokenHash: 'mirror',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
      requestId: 'r',
    });
    const at = new Date('2026-05-05T05:05:05.005Z');
    await store.claimRecoveryLinks([flowId], { outcome: 'redeemed', at, requestId: 'r2' });
    expect(await database.db.collection('recovery_links').findOne({ tokenHash: 'mirror' })).toMatchObject({
      usedAt: at,
      revokedAt: null,
    });
    const claim = await database.db.collection('recovery_links_claims').findOne({ _id: new UUID(flowId) as never });
    expect(claim).toMatchObject({ outcome: 'redeemed', at, requestId: 'r2' });
  });

  it('creates its indexes idempotently: a second start on the same database succeeds', async () => {
    const again = await connect(database);
    await again.close();
    const indexes = await database.db.collection('recovery_links').indexes();
    expect(indexes.find((index) => index.name === 'tokenHash_unique')).toMatchObject({
      unique: true,
      key: { tokenHash: 1 },
    });
  });

  it('has a TTL index on expiresAt, or says once that the server cannot have one', async () => {
    const indexes = await database.db.collection('recovery_links').indexes();
    const ttl = indexes.find((index) => index.name === 'expiresAt_ttl');
    if (ttl === undefined) {
      // FerretDB v1 answers NotImplemented; the store must warn instead of failing.
      expect(warnings.filter((line) => line.includes('TTL indexes are not supported'))).toHaveLength(1);
    } else {
      expect(ttl).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 7 * 24 * 60 * 60 });
    }
  });
});
