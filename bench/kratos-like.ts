import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connectPostgresql } from '../test/support/postgresql.js';
import { measure, settle, type Measurement } from './measure.js';
import { openBenchDatabase, prefillLinks } from './mongo-data.js';
import { startNode, type Running } from './processes.js';
import { startStatementWindow, type StatementCounts } from './statement-log.js';

/**
 * Issue 19: "Kratos-like load on the test database". Creations over many identities, each
 * already holding one outstanding link (so every creation revokes one, as in steady use),
 * at 32 connections, at 1,000 and at 100,000 identities, on FerretDB on PostgreSQL. Next
 * to req/s it reads what PostgreSQL did for them (pg_stat_database of the run's database)
 * and what FerretDB logged at ERROR level.
 */

export interface KratosLikeSettings {
  readonly sizes: readonly number[];
  readonly seconds: number;
}

/** Where the FerretDB under test keeps its data and its log. */
export interface PostgresqlBacking {
  readonly uri: string;
  readonly postgresqlUrl: string;
  readonly logFile: string;
  readonly databasePid: number | null;
}

export interface KratosLikeRow {
  readonly identities: number;
  readonly measurement: Measurement;
  readonly creations: number;
  readonly transactionsPerCreation: number;
  readonly rollbacksPerCreation: number;
  readonly tuplesReadPerCreation: number;
  /** From the store's commands, by what FerretDB v1.24 sends PostgreSQL for each (see SQL_PER_COMMAND). */
  readonly statementsPerCreation: number;
  /** PostgreSQL's statement log over a run of its own, per creation and kind; null when unreadable. */
  readonly loggedStatements: { readonly perCreation: number; readonly byKind: string } | null;
  readonly ferretdbErrors: number;
  /** A run on a fresh service process over identities the first one created links for. */
  readonly afterRestart: { readonly creations: number; readonly rollbacks: number; readonly ferretdbErrors: number };
}

/**
 * Rate limits raised so every request does the full work, and the sweep left out: on
 * FerretDB it reads every collection once a minute (FerretDB cannot push `purgeAt <= now`
 * down to PostgreSQL), a maintenance cost of its own that would be counted into the
 * creations of whichever run it falls in.
 */
const SERVICE_ENVIRONMENT = {
  RECOVERY_LINK_RATE_LIMIT: '999999/1h',
  REDEEM_RATE_LIMIT: '999999/1m',
  STORE_SWEEP_INTERVAL: '24h',
};
const SERVICE = process.env.BENCH_SERVICE_ENTRY || 'dist/app/main.js';

/**
 * PostgreSQL statements per command in FerretDB v1.24's PostgreSQL backend (its source,
 * internal/backends/postgresql/collection.go): a find is one SELECT; an insert is BEGIN,
 * one INSERT for the batch, COMMIT; an update or findAndModify a SELECT, then BEGIN,
 * UPDATE (or INSERT for an upsert), COMMIT. A failed insert batch adds a ROLLBACK and a
 * transaction per document retried; those show in the rollbacks column. An estimate beside
 * PostgreSQL's own count (statement-log.ts): pg_stat_statements would need a restart of the
 * server to be loaded.
 */
const SQL_PER_COMMAND: Record<string, number> = { find: 1, insert: 3, update: 4, findAndModify: 4 };

interface DatabaseCounters {
  readonly commits: number;
  readonly rollbacks: number;
  readonly tuplesRead: number;
}

async function databaseCounters(postgresqlUrl: string): Promise<DatabaseCounters> {
  const client = await connectPostgresql(postgresqlUrl);
  try {
    const { rows } = await client.query<{ commits: string; rollbacks: string; read: string }>(
      `SELECT xact_commit AS commits, xact_rollback AS rollbacks, tup_returned + tup_fetched AS read
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    return {
      commits: Number(rows[0]!.commits),
      rollbacks: Number(rows[0]!.rollbacks),
      tuplesRead: Number(rows[0]!.read),
    };
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL's backends report their counters when idle, up to 10 s later (its
 * PGSTAT_IDLE_INTERVAL): read them once they stopped moving for that long.
 */
async function settledCounters(postgresqlUrl: string): Promise<DatabaseCounters> {
  let last = await databaseCounters(postgresqlUrl);
  for (let attempt = 0; attempt < 6; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const now = await databaseCounters(postgresqlUrl);
    // This function's own connection commits one transaction per read.
    if (now.rollbacks === last.rollbacks && now.commits - last.commits <= 2) return now;
    last = now;
  }
  return last;
}

function errorLines(logFile: string): number {
  if (!existsSync(logFile)) return 0;
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => /level=ERROR/.test(line)).length;
}

async function commandCounts(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const [, command, value] of text.matchAll(/^recovery_store_commands_total\{command="(\w+)",[^}]*\} (\d+)$/gm))
    counts.set(command!, (counts.get(command!) ?? 0) + Number(value));
  return counts;
}

export async function kratosLike(backing: PostgresqlBacking, settings: KratosLikeSettings): Promise<KratosLikeRow[]> {
  const rows: KratosLikeRow[] = [];
  for (const size of settings.sizes) {
    const identities = Array.from({ length: size }, () => randomUUID());
    const database = await openBenchDatabase(backing.uri, `kratos_like_${size}`, identities);
    try {
      await prefillLinks(database.db, identities, identities.length);
      const start = () =>
        startNode(SERVICE, { MONGODB_URI: backing.uri, MONGODB_DB: database.name, ...SERVICE_ENVIRONMENT });
      const inputs = identities.map((identityId) => ({ identityId, expiresIn: '1h' }));
      const run = (service: Running, phase: string, seconds: number, from: number) =>
        measure(service, {
          store: 'mongodb',
          scenario: 'Kratos-like load on the test database',
          phase,
          target: 'service',
          operation: 'createRecoveryLink',
          connections: 32,
          // Each run on identities the one before did not touch, so each creation meets
          // one link (the pre-filled one) and revokes it.
          inputs: [...inputs.slice(from), ...inputs.slice(0, from)],
          seconds,
          databasePid: backing.databasePid,
        });
      let service = await start();
      try {
        // Warm-up: FerretDB's and the service's caches, the form of identity ids learned.
        const warmUp = await run(service, 'warm-up', 2, 0);
        await settle([service.pid, backing.databasePid]);
        const before = await settledCounters(backing.postgresqlUrl);
        const errorsBefore = errorLines(backing.logFile);
        const commandsBefore = await commandCounts(service.url);
        const label = `${size.toLocaleString('en-US')} identities`;
        const measurement = await run(service, label, settings.seconds, warmUp.requests);
        const commandsAfter = await commandCounts(service.url);
        await settle([service.pid, backing.databasePid]);
        const after = await settledCounters(backing.postgresqlUrl);
        const ferretdbErrors = errorLines(backing.logFile) - errorsBefore;
        const creations = Math.max(1, measurement.requests - measurement.failed);
        // A run of its own, so that the logging's cost stays out of the numbers above.
        const window = await startStatementWindow(backing.postgresqlUrl);
        let loggedStatements: KratosLikeRow['loggedStatements'] = null;
        if (window !== null) {
          const logged = await run(service, 'statement log', 2, warmUp.requests + measurement.requests);
          loggedStatements = perCreation(await window.stop(), logged.requests - logged.failed);
        }
        // A replica, or this process restarted: it knows none of the rate-limit windows the
        // first one filled, and creates over the identities that one began with (every
        // one of them, at 1,000), each in its window's next slot. Stopped as a deploy stops
        // it (SIGTERM drains what the load left in flight); a kill would leave up to one
        // stale slot per creation in flight, each costing one failed insert after it.
        await service.stop('SIGTERM');
        service = await start();
        const restartBefore = await settledCounters(backing.postgresqlUrl);
        const restartErrorsBefore = errorLines(backing.logFile);
        const restarted = await run(service, `${label}, after a restart`, Math.min(settings.seconds, 5), 0);
        await settle([service.pid, backing.databasePid]);
        const restartAfter = await settledCounters(backing.postgresqlUrl);
        let statements = 0;
        for (const [command, count] of commandsAfter)
          statements += (count - (commandsBefore.get(command) ?? 0)) * (SQL_PER_COMMAND[command] ?? 1);
        rows.push({
          identities: size,
          measurement,
          creations,
          transactionsPerCreation: (after.commits + after.rollbacks - before.commits - before.rollbacks) / creations,
          rollbacksPerCreation: (after.rollbacks - before.rollbacks) / creations,
          tuplesReadPerCreation: (after.tuplesRead - before.tuplesRead) / creations,
          statementsPerCreation: statements / creations,
          loggedStatements,
          ferretdbErrors,
          afterRestart: {
            creations: restarted.requests - restarted.failed,
            rollbacks: restartAfter.rollbacks - restartBefore.rollbacks,
            ferretdbErrors: errorLines(backing.logFile) - restartErrorsBefore,
          },
        });
      } finally {
        await service.stop();
      }
    } finally {
      await database.drop();
    }
  }
  return rows;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function perCreation(counts: StatementCounts | null, creations: number): KratosLikeRow['loggedStatements'] {
  if (counts === null || creations <= 0) return null;
  const byKind = [...counts.byKind]
    .sort(([, a], [, b]) => b - a)
    .map(([kind, count]) => `${kind} ${round(count / creations, 1)}`)
    .join(', ');
  return { perCreation: counts.total / creations, byKind };
}

export function renderKratosLike(rows: readonly KratosLikeRow[]): string {
  if (rows.length === 0) return '';
  const header = [
    'identities',
    'creations',
    'req/s',
    'p50',
    'p99',
    'PostgreSQL transactions / creation',
    'rollbacks / creation',
    'tuples read / creation',
    'SQL statements / creation (from commands)',
    "SQL statements / creation (PostgreSQL's log)",
    'logged statements by kind',
    'FerretDB ERROR lines',
    'after a restart: creations / rollbacks / ERROR lines',
  ];
  const lines = [
    '\n### Kratos-like load on the test database (issue 19): creations at 32 connections, each revoking one link\n',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map(
      (row) =>
        `| ${[
          row.identities.toLocaleString('en-US'),
          row.creations,
          round(row.measurement.requestsPerSecond, 1),
          row.measurement.p50,
          row.measurement.p99,
          round(row.transactionsPerCreation),
          round(row.rollbacksPerCreation, 3),
          round(row.tuplesReadPerCreation, 1),
          round(row.statementsPerCreation, 1),
          row.loggedStatements === null ? 'n/a' : round(row.loggedStatements.perCreation, 1),
          row.loggedStatements?.byKind ?? 'n/a',
          row.ferretdbErrors,
          `${row.afterRestart.creations} / ${row.afterRestart.rollbacks} / ${row.afterRestart.ferretdbErrors}`,
        ].join(' | ')} |`,
    ),
  ];
  const small = rows.find((row) => row.identities === Math.min(...rows.map((r) => r.identities)));
  const large = rows.find((row) => row.identities === Math.max(...rows.map((r) => r.identities)));
  if (small !== undefined && large !== undefined && small !== large) {
    const ratio = large.measurement.requestsPerSecond / small.measurement.requestsPerSecond;
    const perThousand = (row: KratosLikeRow, value: number) => (value * 1000) / row.creations;
    const targets = [
      [
        '0 rollbacks per 1,000 creations, also after a restart',
        rows.every((row) => row.rollbacksPerCreation === 0 && row.afterRestart.rollbacks === 0),
      ],
      [
        '0 FerretDB ERROR lines per 1,000 creations, also after a restart',
        rows.every((row) => perThousand(row, row.ferretdbErrors) === 0 && row.afterRestart.ferretdbErrors === 0),
      ],
      [
        `at most 20 tuples read per creation at ${large.identities.toLocaleString('en-US')}`,
        large.tuplesReadPerCreation <= 20,
      ],
      [
        `creation at ${large.identities.toLocaleString('en-US')} >= 0.8 of at ${small.identities.toLocaleString('en-US')} (${round(ratio)})`,
        ratio >= 0.8,
      ],
      [
        "at most 10 SQL statements per creation (PostgreSQL's log, else from commands)",
        rows.every((row) => (row.loggedStatements?.perCreation ?? row.statementsPerCreation) <= 10),
      ],
    ] as const;
    lines.push('', ...targets.map(([target, met]) => `- ${met ? 'met' : 'MISSED'}: ${target}`));
  }
  return lines.join('\n');
}
