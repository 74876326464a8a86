import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { connectPostgresql } from '../test/support/postgresql.js';

/**
 * PostgreSQL's own count of the statements a run sent: its statement log
 * (`log_statement = 'all'`) for the run's window, read back from the server's log file.
 * Counting commands and multiplying by what FerretDB is believed to send per command
 * would miss whatever FerretDB adds (retries, catalogue reads after a restart).
 *
 * `log_statement` is set with ALTER SYSTEM and a reload, because FerretDB's pooled
 * connections are already open and per-database settings apply only to new ones. So
 * every database logs for the window, and only lines of the run's database are counted;
 * the setting is reset however the window ends.
 */

export interface StatementCounts {
  readonly total: number;
  /** Per first keyword: SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT, ROLLBACK, ... */
  readonly byKind: ReadonlyMap<string, number>;
}

export interface StatementWindow {
  /** Ends the window; null when the log could not be read (the reason is in `unavailable`). */
  stop(): Promise<StatementCounts | null>;
}

/** The log file of the cluster on this port: BENCH_POSTGRESQL_LOG, or what pg_lsclusters says. */
function serverLogFile(port: number): string | null {
  if (process.env.BENCH_POSTGRESQL_LOG) return process.env.BENCH_POSTGRESQL_LOG;
  try {
    const clusters = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
    for (const line of clusters.split('\n')) {
      const [, , clusterPort, , , , logFile] = line.trim().split(/\s+/);
      if (Number(clusterPort) === port && logFile !== undefined) return logFile;
    }
  } catch {
    // Not Debian's cluster tools: only BENCH_POSTGRESQL_LOG can say where the log is.
  }
  return null;
}

async function setStatementLogging(postgresqlUrl: string, on: boolean): Promise<void> {
  // From another database, so that these statements are not counted as the run's.
  const maintenance = new URL(postgresqlUrl);
  maintenance.pathname = '/postgres';
  const client = await connectPostgresql(maintenance.toString());
  try {
    await client.query(on ? "ALTER SYSTEM SET log_statement = 'all'" : 'ALTER SYSTEM RESET log_statement');
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

function readFrom(file: string, offset: number): string {
  const length = statSync(file).size - offset;
  if (length <= 0) return '';
  const buffer = Buffer.alloc(length);
  const descriptor = openSync(file, 'r');
  try {
    readSync(descriptor, buffer, 0, length, offset);
  } finally {
    closeSync(descriptor);
  }
  return buffer.toString('utf8');
}

/** Counts the statement lines of one database: `… user@database LOG:  statement: BEGIN` or `… execute <name>: SELECT …`. */
export function countStatements(log: string, database: string): StatementCounts {
  const byKind = new Map<string, number>();
  let total = 0;
  const marker = `@${database} LOG:  `;
  for (const line of log.split('\n')) {
    const at = line.indexOf(marker);
    if (at < 0) continue;
    const match = /^(?:statement|execute [^:]*): \s*(\w+)/.exec(line.slice(at + marker.length));
    if (match === null) continue;
    const kind = match[1]!.toUpperCase();
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    total++;
  }
  return { total, byKind };
}

/**
 * Starts logging every statement. Answers null, with the reason on stderr, when the log
 * file is unknown or unreadable or the setting is refused (not a superuser).
 */
export async function startStatementWindow(postgresqlUrl: string): Promise<StatementWindow | null> {
  const url = new URL(postgresqlUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  const logFile = serverLogFile(Number(url.port || '5432'));
  let offset: number;
  try {
    if (logFile === null) throw new Error('no log file known (set BENCH_POSTGRESQL_LOG)');
    offset = statSync(logFile).size;
    await setStatementLogging(postgresqlUrl, true);
  } catch (error) {
    process.stderr.write(`bench: PostgreSQL statement log unavailable: ${String(error)}\n`);
    return null;
  }
  return {
    async stop() {
      await setStatementLogging(postgresqlUrl, false);
      // The reset reaches each backend at its next command; what it logged until then is written.
      return countStatements(readFrom(logFile, offset), database);
    },
  };
}
