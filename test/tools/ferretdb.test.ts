import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The FerretDB test servers (tools/ferretdb via test/support/test-database.ts): runs
 * sharing a PostgreSQL server stay apart, an outage keeps the data, and without
 * PostgreSQL the tests still run on SQLite. Where mongod is on PATH it is used instead.
 */
const mongodOnPath = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v mongod'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const started: TestDatabase[] = [];
const clients: MongoClient[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const client of clients.splice(0)) await client.close();
  for (const database of started.splice(0)) await database.stop();
});

async function start(): Promise<TestDatabase> {
  const database = await startTestDatabase({ local: true });
  started.push(database);
  return database;
}

async function collection(database: TestDatabase) {
  const client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 10_000 });
  clients.push(client);
  return client.db('shared_name').collection<{ _id: string }>('things');
}

/** A loopback port nothing listens on: it was free a moment ago and is closed again. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe.skipIf(mongodOnPath)('the FerretDB test database', () => {
  it('gives two servers started at once separate data, even under the same database name', async () => {
    const [first, second] = await Promise.all([start(), start()]);
    await (await collection(first)).insertOne({ _id: 'only-in-first' });
    expect(await (await collection(second)).countDocuments()).toBe(0);
    expect(await (await collection(first)).countDocuments()).toBe(1);
  });

  it('keeps its port and data across a stop and start, as the outage test needs', async () => {
    const database = await start();
    await (await collection(database)).insertOne({ _id: 'before-the-outage' });
    await database.stopServer();
    await database.startServer();
    const client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 10_000 });
    clients.push(client);
    expect(await client.db('shared_name').collection('things').findOne()).toEqual({ _id: 'before-the-outage' });
  });

  it('falls back to SQLite, and says why, when no PostgreSQL answers', async () => {
    const port = await closedPort();
    vi.stubEnv('FERRETDB_POSTGRESQL_URL', `postgres://127.0.0.1:${port}/postgres`);
    const database = await start();
    expect(database.description).toMatch(
      new RegExp(`^FerretDB v\\S+ on SQLite \\(no PostgreSQL at 127\\.0\\.0\\.1:${port}: .*connection refused\\)`),
    );
    await (await collection(database)).insertOne({ _id: 'on-sqlite' });
    expect(await (await collection(database)).countDocuments()).toBe(1);
  });

  it('uses SQLite when FERRETDB_POSTGRESQL_URL=off', async () => {
    vi.stubEnv('FERRETDB_POSTGRESQL_URL', 'off');
    expect((await start()).description).toMatch(
      /^FerretDB v\S+ on SQLite \(FERRETDB_POSTGRESQL_URL=off\) on 127\.0\.0\.1:\d+$/,
    );
  });
});
