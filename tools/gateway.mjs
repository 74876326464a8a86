// npm run gateway: the supergraph of supergraph.graphql (npm run supergraph) served by Hive
// Gateway, with this subgraph (embedded store) and the accounts example subgraph beside it,
// so one command shows the join. Everything listens on loopback and reports nowhere.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const supergraphPath = join(root, 'supergraph.graphql');
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4100);
const READY_TIMEOUT_MS = 60_000;

if (!existsSync(supergraphPath)) {
  console.error('supergraph.graphql is missing: run `npm run supergraph` first.');
  process.exit(1);
}
const subgraphUrls = Object.fromEntries(
  [...readFileSync(supergraphPath, 'utf8').matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)].map(
    ([, name, url]) => [name, new URL(url)],
  ),
);
for (const name of ['recovery', 'accounts']) {
  if (subgraphUrls[name] === undefined) {
    console.error(
      `supergraph.graphql has no ${name} subgraph: run \`npm run supergraph\` with the repository's supergraph.yaml.`,
    );
    process.exit(1);
  }
}

// Generated per run and handed to this subgraph, so the printed query works as pasted.
const adminKey = `gateway_demo_${randomBytes(24).toString('base64url')}`;
// The subgraph answers only the gateway, which sends this (docs/federation.md, "Behind a router").
const routerSecret = `gateway_router_${randomBytes(24).toString('base64url')}`;
// Reporting credentials of the caller's shell must not switch any reporting on.
const quietEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(HIVE_|APOLLO_KEY|APOLLO_GRAPH_REF)/.test(name)),
);
const environment = { ...quietEnvironment, APOLLO_TELEMETRY_DISABLED: 'true', NODE_ENV: 'development' };

const children = [];
let stopping = false;

function start(name, command, args, extraEnvironment) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...environment, ...extraEnvironment },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); stopping the others.`);
    stop(1);
  });
  return child;
}

function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGTERM');
  let left = running.length;
  if (left === 0) process.exit(exitCode);
  for (const child of running) child.once('exit', () => --left === 0 && process.exit(exitCode));
  setTimeout(() => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(exitCode);
  }, 10_000).unref();
}
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

/** Polls the endpoint with a trivial query until it answers, or gives up. */
async function waitForGraphQL(name, url, headers = {}) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  if (!stopping) {
    console.error(`${name} did not answer at ${url} within ${READY_TIMEOUT_MS / 1000}s`);
    stop(1);
  }
}

console.log('building the recovery subgraph…');
const build = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
const [buildCode] = await new Promise((resolveBuild) => build.once('exit', (...result) => resolveBuild(result)));
if (buildCode !== 0) process.exit(1);

start('recovery subgraph', process.execPath, ['dist/app/main.js'], {
  HOST: subgraphUrls.recovery.hostname === 'localhost' ? '127.0.0.1' : subgraphUrls.recovery.hostname,
  PORT: subgraphUrls.recovery.port,
  ADMIN_API_KEYS: adminKey,
  ROUTER_SECRET: routerSecret,
  TRUSTED_PROXIES: '127.0.0.1, ::1',
  RECOVERY_PAGE_GRAPHQL_URL: `http://127.0.0.1:${gatewayPort}/graphql`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
start('accounts subgraph', process.execPath, ['examples/accounts/server.mjs'], { PORT: subgraphUrls.accounts.port });
await Promise.all([
  waitForGraphQL('recovery subgraph', subgraphUrls.recovery.href, { 'router-authorization': routerSecret }),
  waitForGraphQL('accounts subgraph', subgraphUrls.accounts.href),
]);
start(
  'Hive Gateway',
  process.execPath,
  [
    join(root, 'node_modules/@graphql-hive/gateway/dist/bin.js'),
    'supergraph',
    '--config-path',
    'tools/hive-gateway.config.mjs',
    '--host',
    '127.0.0.1',
    '--port',
    String(gatewayPort),
  ],
  { ROUTER_SECRET: routerSecret },
);
const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
await waitForGraphQL('Hive Gateway', gatewayUrl);
if (!stopping) {
  const query = 'query { identityByEmail(email: \\"demo@example.com\\") { id email state activeRecoveryLinks } }';
  console.log(`
Hive Gateway serves the supergraph at ${gatewayUrl}
  recovery subgraph (embedded store): ${subgraphUrls.recovery.href}
  accounts subgraph (examples/accounts): ${subgraphUrls.accounts.href}
Admin key for this run: ${adminKey}

The join, from accounts (email) and this subgraph (state, activeRecoveryLinks):

curl -s ${gatewayUrl} -H 'content-type: application/json' \\
  -H 'Authorization: Bearer ${adminKey}' \\
  -d '{"query":"${query}"}'

Ctrl-C stops all three.`);
}
