// `npm run db`: a local MongoDB wire-protocol server for development, in the foreground.
// The tests' FerretDB (tools/ferretdb): on PostgreSQL when one answers, in a database of
// this checkout's own (recovery_link_dev_<hash of its path>, kept across starts, printed at
// start; `--database-name` prints it and exits), else on SQLite in .data/ferretdb (git-ignored).
// Settings: FERRETDB_PORT (default 27017), FERRETDB_POSTGRESQL_URL as for the tests
// (a PostgreSQL server URL naming the database to connect to; `off` for SQLite).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { devDatabaseName } from './dev-database-name.mjs';

const root = new URL('../', import.meta.url);
const ferretdb = fileURLToPath(new URL('tools/ferretdb/bin/ferretdb', root));
const DATABASE = devDatabaseName(fileURLToPath(root));

if (process.argv.includes('--database-name')) {
  console.log(DATABASE);
  process.exit(0);
}

const port = Number(process.env.FERRETDB_PORT ?? '27017');
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`FERRETDB_PORT must be a port number, got ${process.env.FERRETDB_PORT}`);
  process.exit(2);
}

execFileSync('bash', [fileURLToPath(new URL('tools/ferretdb/build.sh', root))], { stdio: 'inherit' });

const backend = chooseBackend();
console.log(`FerretDB on ${backend.description}, listening on 127.0.0.1:${port}. Ctrl-C stops it.`);
console.log(`MONGODB_URI=mongodb://127.0.0.1:${port}/`);

const child = spawn(ferretdb, ['--listen-addr', `127.0.0.1:${port}`, '--log-level', 'error', ...backend.arguments], {
  stdio: 'inherit',
});
// Ctrl-C reaches FerretDB from the terminal too; forwarding covers `kill <pid>` of this
// process. FerretDB closes its listener and backend, and this exits with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));

function chooseBackend() {
  const configured = process.env.FERRETDB_POSTGRESQL_URL;
  if (configured !== 'off') {
    const maintenance = configured || 'postgres://127.0.0.1:5432/postgres';
    const url = new URL(maintenance);
    try {
      execFileSync(ferretdb, ['create-database', '--postgresql-url', maintenance, DATABASE], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      });
      url.pathname = `/${DATABASE}`;
      return {
        description: `PostgreSQL (database ${DATABASE} at ${url.host})`,
        arguments: ['--postgresql-url', url.href],
      };
    } catch (error) {
      const reason = (error.stderr || error.message).trim().split('\n').at(-1).trim();
      console.log(`No PostgreSQL at ${url.host} (${reason}); using SQLite.`);
    }
  }
  const stateDir = fileURLToPath(new URL('.data/ferretdb', root));
  mkdirSync(stateDir, { recursive: true });
  return { description: `SQLite (${stateDir})`, arguments: ['--state-dir', stateDir] };
}
