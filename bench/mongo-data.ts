import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';

/**
 * Data the MongoDB scenarios start from, written straight into the collections: creating
 * 100,000 links through the service would take longer than the whole benchmark on FerretDB.
 * The shapes follow src/stores/mongo/documents.ts (LinkDocument, ClaimDocument) and
 * must follow it when the store's documents change.
 */

export interface BenchDatabase {
  readonly name: string;
  readonly db: Db;
  drop(): Promise<void>;
}

let client: MongoClient | undefined;

/** A database of its own per scenario, holding `identities` as Kratos-style documents. */
export async function openBenchDatabase(uri: string, scenario: string, identities: readonly string[]) {
  client ??= await MongoClient.connect(uri);
  const name = `bench_${Date.now()}_${scenario.replace(/\W/g, '_')}`;
  const db = client.db(name);
  for (let i = 0; i < identities.length; i += 5_000) {
    // String ids, as the README recommends on FerretDB (which cannot look up a binary _id
    // without a scan); on MongoDB either form is one index lookup.
    await db
      .collection<{ _id: string }>('identities')
      .insertMany(identities.slice(i, i + 5_000).map((id) => ({ _id: id, state: 'active', traits: {} })));
  }
  return { name, db, drop: () => db.dropDatabase().then(() => undefined) } satisfies BenchDatabase;
}

export async function closeBenchClient(): Promise<void> {
  await client?.close();
  client = undefined;
}

/**
 * What `count` creations spread over `identities` leave behind: every identity's newest
 * link outstanding (and named in its outstanding set), each older one revoked by its
 * successor (a claim). The shapes follow src/stores/mongo/documents.ts.
 */
export async function prefillLinks(db: Db, identities: readonly string[], count: number): Promise<void> {
  const now = Date.now();
  const expiresAt = new Date(now + 60 * 60 * 1000);
  const purgeAt = new Date(now + 90 * 24 * 3600 * 1000);
  const origin = { requestId: 'bench-prefill', actor: 'api_key:bench', clientAddress: '127.0.0.1' };
  const newest = new Map<string, { flowId: string; createdAt: Date }>();
  const batch = 5_000;
  for (let start = 0; start < count; start += batch) {
    const links = [];
    const claims = [];
    for (let i = start; i < Math.min(start + batch, count); i++) {
      const flowId = randomUUID();
      const identityId = identities[i % identities.length]!;
      const createdAt = new Date(now - (count - i));
      links.push({
        _id: flowId,
        identityId,
        tokenHash: randomBytes(32).toString('base64url'),
        createdAt,
        expiresAt,
        purgeAt,
        ...origin,
      });
      // The last `identities.length` links are each identity's newest: those stay outstanding.
      if (i < count - identities.length) {
        claims.push({
          _id: flowId,
          outcome: 'revoked',
          identityId,
          at: new Date(createdAt.getTime() + 1),
          purgeAt,
          ...origin,
        });
      } else {
        newest.set(identityId, { flowId, createdAt });
      }
    }
    await db.collection<{ _id: string }>('recovery_links').insertMany(links, { ordered: false });
    if (claims.length > 0)
      await db.collection<{ _id: string }>('recovery_links_claims').insertMany(claims, { ordered: false });
  }
  const sets = [...newest].map(([identityId, { flowId, createdAt }]) => ({
    _id: identityId,
    links: { [flowId]: { createdAt, expiresAt } },
    purgeAt: expiresAt,
  }));
  for (let i = 0; i < sets.length; i += batch)
    await db.collection<{ _id: string }>('recovery_links_outstanding').insertMany(sets.slice(i, i + batch));
}

/** Documents per collection, to tell how many a scenario wrote. */
export async function countDocuments(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const collection of await db.collections())
    counts[collection.collectionName] = await collection.countDocuments();
  return counts;
}
