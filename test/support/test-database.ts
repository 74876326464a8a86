import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

/**
 * The real MongoDB wire-protocol server every `npm test` runs against, found in this
 * order: MONGODB_URI, a throwaway `mongod` from PATH, a throwaway FerretDB v1 (built from
 * tools/ferretdb) on PostgreSQL when one answers, else that FerretDB on SQLite. Servers it
 * starts listen on loopback only and die with the run.
 */

export type TestDatabaseKind = 'external' | 'mongod' | 'ferretdb';

export interface TestDatabase {
  readonly kind: TestDatabaseKind;
  readonly uri: string;
  readonly description: string;
  /**
   * The PostgreSQL database a FerretDB on PostgreSQL stores into (its statistics tell what
   * the commands cost there); absent for every other kind.
   */
  readonly postgresqlUrl?: string;
  /** The server's own log, for a server this module started. */
  readonly logFile?: string;
  /** Stops a server this module started and removes its data; nothing for an external one. */
  stop(): Promise<void>;
  /** Stops the server but keeps its port and data, to simulate an outage. */
  stopServer(): Promise<void>;
  /** Starts a stopped server again on the same port and data. */
  startServer(): Promise<void>;
  /**
   * Freezes the server with SIGSTOP: connections stay open and nothing answers, as with a
   * black-holed network. `resumeServer` (SIGCONT) undoes it; so does `stop`.
   */
  pauseServer(): void;
  resumeServer(): void;
}

/** tools/ferretdb of this repository, found upwards from here (this file is also compiled for the bench). */
const FERRETDB_DIR = (() => {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'tools/ferretdb/go.mod'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('tools/ferretdb not found above ' + fileURLToPath(import.meta.url));
    directory = parent;
  }
  return join(directory, 'tools/ferretdb');
})();
const FERRETDB = join(FERRETDB_DIR, 'bin/ferretdb');
const READY_TIMEOUT_MS = 30_000;

/**
 * FerretDB's PostgreSQL connections, and the connections each client may open to FerretDB.
 * A findAndModify or update in FerretDB holds one PostgreSQL connection for its query and
 * waits for a second one to write, so FerretDB deadlocks once every connection of its pool
 * is held that way. It cannot while the commands in flight (at most the sum of the busy
 * clients' maxPoolSize) stay below the pool: three clients at full use take 18 of 20. A
 * test file or bench scenario has at most three clients busy at once. 20 per FerretDB
 * also leaves most of a developer machine's 100 PostgreSQL connections to other runs.
 */
const FERRETDB_POSTGRESQL_POOL = 20;
const CLIENT_MAX_POOL_SIZE = 6;

/**
 * The PostgreSQL server FerretDB stores into, as a URL whose database is the one to
 * connect to for creating others. `off` skips PostgreSQL (the SQLite backend is used).
 */
const DEFAULT_POSTGRESQL_URL = 'postgres://127.0.0.1:5432/postgres';
/** Each run's PostgreSQL database: this prefix, the Unix time, random hex (see createRunDatabase). */
const RUN_DATABASE_PREFIX = 'recovery_test_';

/** `local: true` skips MONGODB_URI: for tests that must stop and start the server. */
export async function startTestDatabase(options: { local?: boolean } = {}): Promise<TestDatabase> {
  const external = process.env.MONGODB_URI;
  if (!options.local && external !== undefined && external !== '') {
    return {
      kind: 'external',
      uri: external,
      description: `MongoDB at MONGODB_URI (${redactCredentials(external)})`,
      stop: async () => {},
      stopServer: async () => {
        throw new Error('cannot stop an external database (MONGODB_URI)');
      },
      startServer: async () => {
        throw new Error('cannot start an external database (MONGODB_URI)');
      },
      pauseServer: () => {
        throw new Error('cannot pause an external database (MONGODB_URI)');
      },
      resumeServer: () => {
        throw new Error('cannot resume an external database (MONGODB_URI)');
      },
    };
  }
  if (onPath('mongod')) {
    return startLocalServer(
      'mongod',
      'mongod',
      (port, dataDir) => [
        '--port',
        String(port),
        '--bind_ip',
        '127.0.0.1',
        '--dbpath',
        dataDir,
        '--quiet',
        '--nounixsocket',
      ],
      'mongod',
    );
  }
  if (onPath('go') || onPath('/usr/local/go/bin/go')) {
    // Builds once; later runs find the binary up to date. Progress goes to the console.
    execFileSync('bash', [join(FERRETDB_DIR, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    const version = ferretdbVersion();
    const postgresql = createRunDatabase();
    if (postgresql.url !== null) {
      const { url, name, server, drop } = postgresql;
      const started = await startLocalServer(
        'ferretdb',
        FERRETDB,
        (port) => [
          '--listen-addr',
          `127.0.0.1:${port}`,
          '--postgresql-url',
          url,
          '--postgresql-pool',
          String(FERRETDB_POSTGRESQL_POOL),
        ],
        `${version} on PostgreSQL (database ${name} at ${server}, ${FERRETDB_POSTGRESQL_POOL} connections)`,
        drop,
      );
      // Bounds what one client can ask of FerretDB at once below its PostgreSQL pool (see
      // FERRETDB_POSTGRESQL_POOL); every client of the run (tests, services, the bench)
      // connects with this URI.
      return { ...started, uri: `${started.uri}?maxPoolSize=${CLIENT_MAX_POOL_SIZE}`, postgresqlUrl: url };
    }
    return startLocalServer(
      'ferretdb',
      FERRETDB,
      (port, dataDir) => ['--listen-addr', `127.0.0.1:${port}`, '--state-dir', dataDir],
      `${version} on SQLite (${postgresql.reason})`,
    );
  }
  throw new Error(
    'No MongoDB for the tests: set MONGODB_URI, put mongod on PATH, or install Go 1.24+ so FerretDB can be built (tools/ferretdb/build.sh).',
  );
}

const children = new Set<ChildProcess>();
/** Synchronous, so they can run in an exit handler: data folders and PostgreSQL databases. */
const cleanups = new Set<() => void>();
// A crashed or interrupted test run must not leave database servers (or their
// PostgreSQL databases) behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch (error) {
      console.error(`Could not remove a test database: ${lastLine(error)}`);
    }
  }
});

async function startLocalServer(
  kind: 'mongod' | 'ferretdb',
  command: string,
  argumentsFor: (port: number, dataDir: string) => string[],
  what: string,
  cleanup?: () => void,
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `recovery-test-${kind}-`));
  const logFile = join(dataDir, '..', `${dataDir.split('/').at(-1)}.log`);
  const port = await freePort();
  cleanups.add(removeData);
  let child: ChildProcess;
  try {
    child = await launch();
  } catch (error) {
    removeData();
    throw error;
  }

  async function launch(): Promise<ChildProcess> {
    const log = openSync(logFile, 'a');
    const started = spawn(command, argumentsFor(port, dataDir), { stdio: ['ignore', log, log] });
    closeSync(log);
    children.add(started);
    started.once('exit', () => children.delete(started));
    try {
      await waitForPort(port, started);
    } catch (error) {
      started.kill('SIGKILL');
      const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
      throw new Error(`${kind} did not start on 127.0.0.1:${port}: ${(error as Error).message}\n${tail}`);
    }
    return started;
  }

  async function terminate(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    // A paused server would not act on SIGTERM until continued.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  function removeData(): void {
    cleanups.delete(removeData);
    cleanup?.();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(logFile, { force: true });
  }

  return {
    kind,
    uri: `mongodb://127.0.0.1:${port}/`,
    logFile,
    description: `${what} on 127.0.0.1:${port}`,
    async stop() {
      await terminate();
      removeData();
    },
    stopServer: terminate,
    async startServer() {
      child = await launch();
    },
    pauseServer: () => void child.kill('SIGSTOP'),
    resumeServer: () => void child.kill('SIGCONT'),
  };
}

function ferretdbVersion(): string {
  const version = /github\.com\/FerretDB\/FerretDB (v\S+)/.exec(
    readFileSync(join(FERRETDB_DIR, 'go.mod'), 'utf8'),
  )?.[1];
  return `FerretDB ${version ?? '(unknown version)'}`;
}

type RunDatabase = { url: string; name: string; server: string; drop: () => void } | { url: null; reason: string };

/**
 * A PostgreSQL database for this run alone: other runs share the server at the same
 * time, and FerretDB keeps each MongoDB database as a schema inside it, so a database
 * per run keeps their scratch databases apart and drops as one. Creating it is also the
 * probe: a refused connection fails at once and the run falls back to SQLite.
 */
function createRunDatabase(): RunDatabase {
  const configured = process.env.FERRETDB_POSTGRESQL_URL;
  if (configured === 'off') return { url: null, reason: 'FERRETDB_POSTGRESQL_URL=off' };
  const maintenance = configured === undefined || configured === '' ? DEFAULT_POSTGRESQL_URL : configured;
  const url = new URL(maintenance);
  const server = `${url.hostname}:${url.port || '5432'}`;
  const name = `${RUN_DATABASE_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  try {
    postgresql('create-database', maintenance, '--throwaway', name);
  } catch (error) {
    return { url: null, reason: `no PostgreSQL at ${server}: ${lastLine(error)}` };
  }
  // Runs killed before their teardown leave theirs behind; a day is far beyond any run.
  try {
    postgresql('drop-stale-databases', maintenance, '--prefix', RUN_DATABASE_PREFIX, '--older-than', '24h');
  } catch (error) {
    console.warn(`Could not drop stale test databases at ${server}: ${lastLine(error)}`);
  }
  url.pathname = `/${name}`;
  return { url: url.href, name, server, drop: () => postgresql('drop-database', maintenance, name) };
}

/** Runs a database command of tools/ferretdb; it prints why on stderr when it fails. */
function postgresql(command: string, maintenanceUrl: string, ...args: string[]): void {
  execFileSync(FERRETDB, [command, '--postgresql-url', maintenanceUrl, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
}

/** The most specific line of a failed command, e.g. "connect: connection refused". */
function lastLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  return (stderr || (error as Error).message)
    .split('\n')
    .at(-1)!
    .trim()
    .replace(/^ferretdb: /, '');
}
function onPath(command: string): boolean {
  try {
    execFileSync(
      command.includes('/') ? command : 'sh',
      command.includes('/') ? ['version'] : ['-c', `command -v ${command}`],
      { stdio: 'ignore' },
    );
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** Polls a TCP connect rather than sleeping, and gives up early if the process dies. */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not accepting connections after ${READY_TIMEOUT_MS / 1000}s`);
}

function redactCredentials(uri: string): string {
  return uri.replace(/\/\/[^@/]+@/, '//***@');
}
