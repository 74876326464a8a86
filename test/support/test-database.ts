import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real MongoDB wire-protocol server every `npm test` runs against, found in this
 * order: MONGODB_URI, a throwaway `mongod` from PATH, or a throwaway FerretDB v1 built
 * from tools/ferretdb. Servers it starts listen on loopback only and die with the run.
 */

export type TestDatabaseKind = 'external' | 'mongod' | 'ferretdb';

export interface TestDatabase {
  readonly kind: TestDatabaseKind;
  readonly uri: string;
  readonly description: string;
  /** Stops a server this module started and removes its data; nothing for an external one. */
  stop(): Promise<void>;
  /** Stops the server but keeps its port and data, to simulate an outage. */
  stopServer(): Promise<void>;
  /** Starts a stopped server again on the same port and data. */
  startServer(): Promise<void>;
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
const READY_TIMEOUT_MS = 30_000;

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
    };
  }
  if (onPath('mongod')) {
    return startLocalServer('mongod', 'mongod', (port, dataDir) => [
      '--port',
      String(port),
      '--bind_ip',
      '127.0.0.1',
      '--dbpath',
      dataDir,
      '--quiet',
      '--nounixsocket',
    ]);
  }
  if (onPath('go') || onPath('/usr/local/go/bin/go')) {
    // Builds once; later runs find the binary up to date. Progress goes to the console.
    execFileSync('bash', [join(FERRETDB_DIR, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    return startLocalServer('ferretdb', join(FERRETDB_DIR, 'bin/ferretdb'), (port, dataDir) => [
      '--listen-addr',
      `127.0.0.1:${port}`,
      '--state-dir',
      dataDir,
    ]);
  }
  throw new Error(
    'No MongoDB for the tests: set MONGODB_URI, put mongod on PATH, or install Go 1.24+ so FerretDB can be built (tools/ferretdb/build.sh).',
  );
}

const children = new Set<ChildProcess>();
// A crashed or interrupted test run must not leave database servers behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startLocalServer(
  kind: 'mongod' | 'ferretdb',
  command: string,
  argumentsFor: (port: number, dataDir: string) => string[],
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `recovery-test-${kind}-`));
  const logFile = join(dataDir, '..', `${dataDir.split('/').at(-1)}.log`);
  const port = await freePort();
  let child = await launch();

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
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  const version = kind === 'ferretdb' ? ferretdbVersion() : 'mongod';
  return {
    kind,
    uri: `mongodb://127.0.0.1:${port}/`,
    description: `${version} on 127.0.0.1:${port}`,
    async stop() {
      await terminate();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(logFile, { force: true });
    },
    stopServer: terminate,
    async startServer() {
      child = await launch();
    },
  };
}

function ferretdbVersion(): string {
  const version = /github\.com\/FerretDB\/FerretDB (v\S+)/.exec(
    readFileSync(join(FERRETDB_DIR, 'go.mod'), 'utf8'),
  )?.[1];
  return `FerretDB ${version ?? '(unknown version)'} (SQLite backend)`;
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
