import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { MongoClient } from 'mongodb';
import { MongoRecoveryStore } from '../../src/stores/index.js';
import { connectPostgresql } from '../support/postgresql.js';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * FerretDB v1 on PostgreSQL filters `_id` with `_jsonb->'_id' @> $2`, which its own btree
 * index cannot serve; the test tooling (tools/ferretdb create-database) adds a GIN index
 * that can to every table FerretDB creates. Proven on what PostgreSQL counts, not on time.
 */
let database: TestDatabase;
let sql: pg.Client | undefined;

beforeAll(async () => {
  database = await startTestDatabase({ local: true });
  if (database.postgresqlUrl !== undefined) {
    sql = await connectPostgresql(database.postgresqlUrl);
  }
});

afterAll(async () => {
  await sql?.end();
  await database?.stop();
});

interface TableCounters {
  readonly seqScan: number;
  readonly idxScan: number;
}

/** The PostgreSQL table FerretDB keeps a collection in: the collection's name, `_`, a hash. */
async function tableOf(schema: string, collection: string): Promise<string> {
  const { rows } = await sql!.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' AND starts_with(c.relname, $2)`,
    [schema, `${collection}_`],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.relname;
}

async function counters(schema: string, table: string): Promise<TableCounters> {
  const { rows } = await sql!.query<{ seq_scan: string; idx_scan: string }>(
    `SELECT seq_scan, coalesce(idx_scan, 0) AS idx_scan FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`,
    [schema, table],
  );
  return { seqScan: Number(rows[0]!.seq_scan), idxScan: Number(rows[0]!.idx_scan) };
}

/**
 * FerretDB's connections report their statistics when idle, up to 10 s later
 * (PostgreSQL's PGSTAT_IDLE_INTERVAL): wait until the index scans of `lookups` show.
 */
async function countersAfter(schema: string, table: string, before: TableCounters, lookups: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await counters(schema, table);
    if (now.idxScan + now.seqScan - before.idxScan - before.seqScan >= lookups || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the test database on PostgreSQL', () => {
  it('serves the store’s identity lookups by `_id` from an index, however many identities there are', async (context) => {
    if (sql === undefined) {
      context.skip(`no FerretDB on PostgreSQL here (${database.description}): nothing to index`);
      return;
    }
    const name = `indexes_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const client = await MongoClient.connect(database.uri);
    const ids = Array.from({ length: 2_000 }, () => randomUUID());
    await client
      .db(name)
      .collection<{ _id: string; state: string }>('identities')
      .insertMany(ids.map((id) => ({ _id: id, state: 'active' })));
    await client.close();
    const store = await MongoRecoveryStore.connect({
      uri: database.uri,
      database: name,
      identitiesCollection: 'identities',
      recoveryLinksCollection: 'recovery_links',
      timeoutMilliseconds: 5_000,
      retention: { linkMilliseconds: 1, eventMilliseconds: 1, maxLifespanMilliseconds: 1 },
      logger: pino({ level: 'silent' }),
    });
    try {
      const table = await tableOf(name, 'identities');
      // The first lookup learns that ids are strings here (the store tries a UUID first).
      await store.findIdentity(ids[0]!);
      const lookups = 300;
      const before = await countersAfter(name, table, await counters(name, table), 0);
      for (const id of ids.slice(1, lookups + 1)) expect((await store.findIdentity(id))?.id).toBe(id);
      const after = await countersAfter(name, table, before, lookups);

      expect(after.idxScan - before.idxScan).toBeGreaterThanOrEqual(lookups);
      // Without the index each lookup is one sequential scan of all 2,000 rows.
      expect(after.seqScan - before.seqScan).toBeLessThan(5);

      // What PostgreSQL plans for FerretDB's own filter, with its parameters ('_id' is one).
      const { rows } = await sql.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT _jsonb FROM ${pg.escapeIdentifier(name)}.${pg.escapeIdentifier(table)} WHERE _jsonb -> $1 @> $2`,
        ['_id', JSON.stringify(ids[5])],
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Bitmap Index Scan on \S+_id_gin/);
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await store.close();
    }
  });

  it('talks to a PostgreSQL on this machine without TLS, which would only cost CPU on loopback', async (context) => {
    if (sql === undefined) {
      context.skip(`no FerretDB on PostgreSQL here (${database.description}): no connection to look at`);
      return;
    }
    // A command makes FerretDB hold at least one connection to the run's database.
    const client = await MongoClient.connect(database.uri);
    await client
      .db('tls_check')
      .collection('probe')
      .insertOne({ _id: 1 } as never);
    await client.close();
    const { rows } = await sql.query<{ ssl: boolean }>(
      `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
       WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.ssl)).toEqual([]);
  });
});
