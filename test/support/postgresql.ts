import { userInfo } from 'node:os';
import pg from 'pg';

/**
 * A client of the PostgreSQL database behind a FerretDB (TestDatabase.postgresqlUrl), to
 * read what its commands cost there. The URL names no user when it relies on the local
 * user, as FerretDB's pgx does; node-postgres wants one, so it gets the same.
 */
export async function connectPostgresql(url: string): Promise<pg.Client> {
  const parsed = new URL(url);
  const client = new pg.Client({
    host: parsed.hostname,
    port: Number(parsed.port || '5432'),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    user: decodeURIComponent(parsed.username) || process.env.PGUSER || userInfo().username,
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
  });
  await client.connect();
  return client;
}
