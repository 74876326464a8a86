import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MongoClient, UUID } from 'mongodb';
import { startTestDatabase, type TestDatabase } from '../test/support/test-database.js';

/**
 * `npm run bench`: the built service against the ceiling (bench/ceiling.ts: the same
 * domain and store work behind bare node:http), on the embedded store and on MongoDB,
 * for createRecoveryLink and redeemRecoveryLink at 1, 32 and 128 connections. Service and
 * ceiling runs alternate pair by pair so machine noise hits both. `--long` runs longer;
 * `--soak` sends 100,000 createRecoveryLink requests and reports memory.
 */
const ROOT = new URL('../../', import.meta.url);
const LONG = process.argv.includes('--long');
const SOAK = process.argv.includes('--soak');
const SECONDS = LONG ? 15 : 3;
const ROUNDS = LONG ? 3 : 2;
const CONNECTIONS = [1, 32, 128];
/**
 * The MongoDB phase on the throwaway FerretDB v1 is slow (its SQLite backend serialises
 * writes and scans for these filters): by default it runs 1 and 32 connections, once.
 * `--long`, or a real MongoDB in MONGODB_URI, runs the full matrix.
 */
const FULL_MONGO = LONG || process.env.MONGODB_URI !== undefined;
const IDENTITIES = 10_000;
/** Fewer on MongoDB: FerretDB v1 scans collections for these filters, so size costs time. */
const MONGO_IDENTITIES = 1_000;
const ADMIN_KEY = 'bench-admin-key-with-at-least-32-characters';
const CREATE =
  'mutation($input: CreateRecoveryLinkInput!) { createRecoveryLink(input: $input) { expiresAt recoveryLink } }';
const REDEEM =
  'mutation($input: RedeemRecoveryLinkInput!) { redeemRecoveryLink(input: $input) { identityId sessionToken sessionExpiresAt } }';

type Target = 'service' | 'ceiling';
type Operation = 'createRecoveryLink' | 'redeemRecoveryLink';

interface Measurement {
  store: string;
  operation: Operation;
  connections: number;
  target: Target;
  round: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  peakRssMb: number;
}

interface Running {
  readonly url: string;
  readonly child: ChildProcess;
}

const identities = Array.from({ length: IDENTITIES }, () => randomUUID());

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function environment(store: Record<string, string>, port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ADMIN_API_KEYS: ADMIN_KEY,
    RECOVERY_TOKEN_SECRET: 'bench-token-secret-with-at-least-32-chars',
    SESSION_SIGNING_KEY: 'bench-signing-key-with-at-least-32-chars!',
    // Limits are measured as a cost, not allowed to refuse: every request does full work.
    RECOVERY_LINK_RATE_LIMIT: '999999/1h',
    REDEEM_RATE_LIMIT: '999999/1m',
    ...store,
  };
}

async function start(target: Target, store: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const entry = target === 'service' ? 'dist/main.js' : '.bench-build/bench/ceiling.js';
  // Logs (stdout) go nowhere: an unread pipe would block the process. stderr says why a start failed.
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: environment(store, port),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(target === 'service' ? `${url}/health/live` : url);
      return { url, child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${target} did not start: ${stderr}`);
}

function request(target: Target, operation: Operation, input: Record<string, string>) {
  if (target === 'ceiling') {
    return {
      method: 'POST' as const,
      path: operation === 'createRecoveryLink' ? '/create' : '/redeem',
      body: JSON.stringify(input),
    };
  }
  return {
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query: operation === 'createRecoveryLink' ? CREATE : REDEEM, variables: { input } }),
  };
}

/** Links to redeem, created beforehand through the target itself (each keeps its own). */
async function createLinks(
  running: Running,
  target: Target,
  count: number,
  pool: readonly string[],
): Promise<{ flow: string; token: string }[]> {
  const links: { flow: string; token: string }[] = [];
  const worker = async (offset: number) => {
    for (let i = offset; i < count; i += 16) {
      const { method, path, body, headers } = {
        headers: {},
        ...request(target, 'createRecoveryLink', { identityId: pool[i % pool.length]!, expiresIn: '1h' }),
      };
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const answer = (await response.json()) as {
        data?: { createRecoveryLink: { recoveryLink: string } };
        recoveryLink?: string;
      };
      const link = new URL(answer.data?.createRecoveryLink.recoveryLink ?? answer.recoveryLink ?? '');
      links.push({ flow: link.searchParams.get('flow')!, token: link.searchParams.get('token')! });
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, i) => worker(i)));
  return links;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function measure(
  running: Running,
  target: Target,
  operation: Operation,
  connections: number,
  inputs: Record<string, string>[],
  amount?: number,
) {
  let next = 0;
  let peak = rssMb(running.child.pid!);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(running.child.pid!))), 100);
  const { method, path, headers } = { headers: {}, ...request(target, operation, inputs[0]!) };
  const started = performance.now();
  let lastResponse = started;
  // Without a callback autocannon returns its event emitter, made thenable (its types omit the emitter).
  const instance = autocannon({
    url: running.url,
    connections,
    ...(amount === undefined ? { duration: SECONDS } : { amount }),
    requests: [
      {
        method,
        path,
        headers,
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          body: request(target, operation, inputs[next++ % inputs.length]!).body,
        }),
      },
    ],
  }) as unknown as Promise<autocannon.Result> & NodeJS.EventEmitter;
  instance.on('response', () => (lastResponse = performance.now()));
  const result = await instance;
  clearInterval(sampler);
  return {
    // From the first request to the last response: autocannon's own figures and its end
    // of run move in whole seconds, too coarse for runs of a second or two.
    requestsPerSecond: result.requests.total / ((lastResponse - started) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.non2xx,
    peakRssMb: Math.round(peak),
  };
}

async function benchStore(
  name: string,
  store: Record<string, string>,
  pool: readonly string[],
  results: Measurement[],
) {
  const levels =
    name === 'mongodb' && !FULL_MONGO
      ? { connections: [1, 32], rounds: 1 }
      : { connections: CONNECTIONS, rounds: ROUNDS };
  const targets = { service: await start('service', store), ceiling: await start('ceiling', store) };
  try {
    const creates = pool.map((identityId) => ({ identityId, expiresIn: '1h' }));
    for (const target of ['service', 'ceiling'] as const)
      await measure(targets[target], target, 'createRecoveryLink', 8, creates, name === 'embedded' ? 2_000 : 20); // warm-up
    for (const connections of levels.connections) {
      for (let round = 1; round <= levels.rounds; round++) {
        for (const target of ['service', 'ceiling'] as const) {
          const measured = await measure(targets[target], target, 'createRecoveryLink', connections, creates);
          results.push({ store: name, operation: 'createRecoveryLink', connections, target, round, ...measured });
          report(results.at(-1)!);
        }
      }
    }
    // Each redemption needs a fresh link of its own identity (redeeming revokes the others).
    const perRun = name === 'embedded' ? 6_000 : 40;
    for (const connections of levels.connections) {
      for (let round = 1; round <= levels.rounds; round++) {
        for (const target of ['service', 'ceiling'] as const) {
          const links = await createLinks(targets[target], target, perRun, pool);
          const measured = await measure(
            targets[target],
            target,
            'redeemRecoveryLink',
            connections,
            links,
            links.length,
          );
          results.push({ store: name, operation: 'redeemRecoveryLink', connections, target, round, ...measured });
          report(results.at(-1)!);
        }
      }
    }
  } finally {
    targets.service.child.kill();
    targets.ceiling.child.kill();
  }
}

function report(m: Measurement) {
  process.stderr.write(
    `  ${m.store} ${m.operation} c=${m.connections} ${m.target} #${m.round}: ${Math.round(m.requestsPerSecond)} req/s, p99 ${m.p99} ms, errors ${m.errors}\n`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summarize(results: Measurement[]) {
  const rows = [];
  const keys = new Set(results.map((m) => `${m.store}|${m.operation}|${m.connections}`));
  for (const key of keys) {
    const [store, operation, connections] = key.split('|');
    const of = (target: Target) =>
      results.filter((m) => `${m.store}|${m.operation}|${m.connections}` === key && m.target === target);
    const service = of('service');
    const ceiling = of('ceiling');
    // Ratios pair by pair (same round), then the median: noise in one round hits both.
    const ratios = service.map((m, i) => m.requestsPerSecond / ceiling[i]!.requestsPerSecond);
    const p99Ratios = service.map((m, i) => m.p99 / Math.max(ceiling[i]!.p99, 1));
    rows.push({
      store,
      operation,
      connections: Number(connections),
      serviceReqPerSec: Math.round(median(service.map((m) => m.requestsPerSecond))),
      ceilingReqPerSec: Math.round(median(ceiling.map((m) => m.requestsPerSecond))),
      ratio: Number(median(ratios).toFixed(2)),
      serviceP50: median(service.map((m) => m.p50)),
      serviceP99: median(service.map((m) => m.p99)),
      ceilingP99: median(ceiling.map((m) => m.p99)),
      p99Ratio: Number(median(p99Ratios).toFixed(2)),
      serviceMax: Math.max(...service.map((m) => m.max)),
      servicePeakRssMb: Math.max(...service.map((m) => m.peakRssMb)),
      errors: [...service, ...ceiling].reduce((sum, m) => sum + m.errors, 0),
    });
  }
  return rows;
}

function printTable(rows: ReturnType<typeof summarize>) {
  const header =
    '| store | operation | conns | service req/s | ceiling req/s | ratio | p50 ms | p99 ms | ceiling p99 | p99 ratio | max ms | peak RSS MB | errors |';
  console.log(header);
  console.log(header.replace(/[^|]/g, '-'));
  for (const r of rows) {
    console.log(
      `| ${r.store} | ${r.operation} | ${r.connections} | ${r.serviceReqPerSec} | ${r.ceilingReqPerSec} | ${r.ratio} | ${r.serviceP50} | ${r.serviceP99} | ${r.ceilingP99} | ${r.p99Ratio} | ${r.serviceMax} | ${r.servicePeakRssMb} | ${r.errors} |`,
    );
  }
}

async function seedMongo(uri: string, database: string) {
  const client = await MongoClient.connect(uri);
  const collection = client.db(database).collection<{ _id: UUID }>('identities');
  for (let i = 0; i < MONGO_IDENTITIES; i += 5_000) {
    await collection.insertMany(
      identities
        .slice(i, Math.min(i + 5_000, MONGO_IDENTITIES))
        .map((id) => ({ _id: new UUID(id), state: 'active', traits: {} })),
    );
  }
  return client;
}

async function soak() {
  const file = join(tmpdir(), `bench-identities-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(identities.map((id) => ({ id }))));
  const service = await start('service', { EMBEDDED_IDENTITIES_FILE: file });
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(service.child.pid!)), 500);
  const creates = identities.map((identityId) => ({ identityId, expiresIn: '1h' }));
  const measured = await measure(service, 'service', 'createRecoveryLink', 32, creates, 100_000);
  clearInterval(sampler);
  service.child.kill();
  const third = Math.max(1, Math.floor(samples.length / 3));
  const middle = median(samples.slice(third, 2 * third));
  const last = median(samples.slice(2 * third));
  const summary = {
    requests: 100_000,
    requestsPerSecond: Math.round(measured.requestsPerSecond),
    errors: measured.errors,
    rssStartMb: Math.round(samples[0] ?? 0),
    rssEndMb: Math.round(samples.at(-1) ?? 0),
    rssPeakMb: Math.round(Math.max(...samples)),
    growingMbPerThird: Math.round(last - middle),
  };
  console.log(JSON.stringify(summary, null, 2));
  return summary;
}

async function main() {
  const results: Measurement[] = [];
  let output: unknown;
  if (SOAK) {
    output = { soak: await soak() };
  } else {
    const file = join(tmpdir(), `bench-identities-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(identities.map((id) => ({ id }))));
    process.stderr.write('embedded store\n');
    await benchStore('embedded', { EMBEDDED_IDENTITIES_FILE: file }, identities, results);

    let database: TestDatabase | undefined;
    const uri = process.env.MONGODB_URI ?? (database = await startTestDatabase({ local: true })).uri;
    const name = `bench_${Date.now()}`;
    const client = await seedMongo(uri, name);
    process.stderr.write(`MongoDB store (${database?.description ?? 'MONGODB_URI'})\n`);
    try {
      await benchStore(
        'mongodb',
        { MONGODB_URI: uri, MONGODB_DB: name },
        identities.slice(0, MONGO_IDENTITIES),
        results,
      );
    } finally {
      await client.db(name).dropDatabase();
      await client.close();
      await database?.stop();
    }
    const rows = summarize(results);
    printTable(rows);
    output = { seconds: SECONDS, rounds: ROUNDS, rows, runs: results };
  }
  mkdirSync(new URL('.bench-results/', ROOT), { recursive: true });
  const path = new URL(`.bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, ROOT);
  writeFileSync(path, JSON.stringify({ node: process.version, ...(output as object) }, null, 2));
  process.stderr.write(`written to ${path.pathname}\n`);
}

await main();
// Done: nothing else should keep running (an idle keep-alive socket of the load generator can).
process.exit(0);
