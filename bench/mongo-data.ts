import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, UUID, type Db } from 'mongodb';

/**
 * Data the MongoDB scenarios start from, written straight into the collections: creating
 * 100,000 links through the service would take longer than the whole benchmark on FerretDB.
 * The shapes follow src/stores/mongo-store.ts (RecoveryLinkDocument, ClaimDocument) and
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
    await db
      .collection<{ _id: UUID }>('identities')
      .insertMany(identities.slice(i, i + 5_000).map((id) => ({ _id: new UUID(id), state: 'active', traits: {} })));
  }
  return { name, db, drop: () => db.dropDatabase().then(() => undefined) } satisfies BenchDatabase;
}

export async function closeBenchClient(): Promise<void> {
  await client?.close();
  client = undefined;
}

/**
 * What `count` creations spread over `identities` leave behind: every identity's newest
 * link outstanding, each older one revoked by its successor (a claim, mirrored on the link).
 */
export async function prefillLinks(db: Db, identities: readonly string[], count: number): Promise<void> {
  const now = Date.now();
  const expiresAt = new Date(now + 60 * 60 * 1000);
  const batch = 5_000;
  for (let start = 0; start < count; start += batch) {
    const links = [];
    const claims = [];
    for (let i = start; i < Math.min(start + batch, count); i++) {
      const _id = new UUID(randomUUID());
      const createdAt = new Date(now - (count - i));
      // The last `identities.length` links are each identity's newest: those stay outstanding.
      const revokedAt = i < count - identities.length ? new Date(createdAt.getTime() + 1) : null;
      links.push({
        _id,
        identityId: identities[i % identities.length]!,
        tokenHash: randomBytes(32).toString('base64url'),
        createdAt,
        expiresAt,
        usedAt: null,
        revokedAt,
        requestId: 'bench-prefill',
      });
      if (revokedAt !== null) claims.push({ _id, outcome: 'revoked', at: revokedAt, requestId: 'bench-prefill' });
    }
    await db.collection<{ _id: UUID }>('recovery_links').insertMany(links, { ordered: false });
    if (claims.length > 0)
      await db.collection<{ _id: UUID }>('recovery_links_claims').insertMany(claims, { ordered: false });
  }
}

/** Documents per collection, to tell how many a scenario wrote. */
export async function countDocuments(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const collection of await db.collections())
    counts[collection.collectionName] = await collection.countDocuments();
  return counts;
}
