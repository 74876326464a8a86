import { randomBytes, randomUUID } from 'node:crypto';
import { countDocuments, openBenchDatabase, prefillLinks } from './mongo-data.js';
import { createLinks, measure, request, settle, type Measurement, type Operation, type StoreName } from './measure.js';
import { profileDirectory, summarizeProfiles } from './profile.js';
import { startNode, type Running } from './processes.js';
import { ROUTER_TEXT } from './shapes.js';

/**
 * The scenarios of `npm run bench`, each on a fresh service process. A store is either
 * the embedded one (identities from a file) or a MongoDB server, one database per scenario.
 */

export interface Settings {
  readonly long: boolean;
  /** Seconds of each service/ceiling comparison run. */
  readonly compareSeconds: number;
  readonly compareRounds: number;
  readonly compareConnections: readonly number[];
  /** Links redeemed per comparison run (each needs a fresh link of its own identity). */
  readonly redemptions: number;
  /** The one-identity windows: first, (long only) a middle stretch, last. */
  readonly windowSeconds: number;
  readonly middleSeconds: number;
  readonly prefilledLinks: number;
  readonly prefilledSeconds: number;
  readonly hostileRequests: number;
  readonly hostileWarmUpRequests: number;
  /** A bound on the flood's duration: a slow store sends fewer, and the table says how many. */
  readonly hostileSeconds: number;
  readonly commandSamples: number;
}

export interface StoreUnderTest {
  readonly name: StoreName;
  readonly identities: readonly string[];
  /** The database server's process, when it is ours to measure. */
  readonly databasePid: number | null;
  /** Environment for a service or ceiling over this store; `scenario` picks its own database. */
  environment(
    scenario: string,
  ): Promise<{ env: Record<string, string>; database?: Awaited<ReturnType<typeof openBenchDatabase>> }>;
}

/** Limits are measured as a cost, not allowed to refuse: every request does the full work. */
const UNLIMITED = { RECOVERY_LINK_RATE_LIMIT: '999999/1h', REDEEM_RATE_LIMIT: '999999/1m' };
const SERVICE = 'dist/app/main.js';
const CEILING = '.bench-build/bench/ceiling.js';
const PREFILL_SERVICE = '.bench-build/bench/service.js';

async function withProcess<T>(
  entry: string,
  env: Record<string, string>,
  use: (running: Running) => Promise<T>,
): Promise<T> {
  const running = await startNode(entry, env);
  try {
    return await use(running);
  } finally {
    await running.stop();
  }
}

const creations = (identities: readonly string[]) => identities.map((identityId) => ({ identityId, expiresIn: '1h' }));

/** Issue 12: the service against the ceiling, pair by pair, creation and redemption. */
export async function compare(store: StoreUnderTest, settings: Settings): Promise<Measurement[]> {
  const results: Measurement[] = [];
  const { env, database } = await store.environment('compare');
  const service = await startNode(SERVICE, { ...env, ...UNLIMITED });
  const ceiling = await startNode(CEILING, { ...env, ...UNLIMITED });
  const running = { service, ceiling };
  const base = { store: store.name, scenario: 'many identities', databasePid: store.databasePid };
  try {
    for (const target of ['service', 'ceiling'] as const) {
      await measure(running[target], {
        ...base,
        phase: 'warm-up',
        target,
        operation: 'createRecoveryLink',
        connections: 8,
        inputs: creations(store.identities),
        seconds: 2,
      });
    }
    for (const operation of ['createRecoveryLink', 'redeemRecoveryLink'] as const) {
      for (const connections of settings.compareConnections) {
        for (let round = 1; round <= settings.compareRounds; round++) {
          // Who goes first alternates, so that a machine slowly getting busier favours neither.
          const order = round % 2 === 1 ? (['service', 'ceiling'] as const) : (['ceiling', 'service'] as const);
          for (const target of order) {
            const links =
              operation === 'redeemRecoveryLink'
                ? await createLinks(running[target], target, store.identities.slice(0, settings.redemptions))
                : [];
            const inputs =
              operation === 'createRecoveryLink'
                ? creations(store.identities)
                : links.map(({ flow, token }) => ({ flow, token }));
            results.push(
              await measure(running[target], {
                ...base,
                phase: `round ${round}`,
                target,
                operation,
                connections,
                inputs,
                seconds: settings.compareSeconds,
                ...(operation === 'redeemRecoveryLink' ? { maxRequests: inputs.length } : {}),
              }),
            );
          }
        }
      }
    }
  } finally {
    await service.stop();
    await ceiling.stop();
    await database?.drop();
  }
  return results;
}

/** Issue 10: createRecoveryLink for one identity, 32 connections; is the last window as fast as the first? */
export async function oneIdentity(store: StoreUnderTest, settings: Settings): Promise<Measurement[]> {
  const { env, database } = await store.environment('one identity');
  const results: Measurement[] = [];
  try {
    await withProcess(SERVICE, { ...env, ...UNLIMITED }, async (service) => {
      const run = (phase: string, seconds: number) =>
        measure(service, {
          store: store.name,
          scenario: 'one identity',
          phase,
          target: 'service',
          operation: 'createRecoveryLink',
          connections: 32,
          inputs: creations(store.identities.slice(0, 1)),
          seconds,
          databasePid: store.databasePid,
        });
      results.push(await run(`first ${settings.windowSeconds} s`, settings.windowSeconds));
      if (settings.middleSeconds > 0)
        results.push(await run(`next ${settings.middleSeconds} s`, settings.middleSeconds));
      results.push(await run(`last ${settings.windowSeconds} s`, settings.windowSeconds));
    });
  } finally {
    await database?.drop();
  }
  return results;
}

/** Issue 10: the many-identities creation load on an empty store, then on one holding `prefilledLinks`. */
export async function prefilled(store: StoreUnderTest, settings: Settings): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const phase of ['empty', 'pre-filled'] as const) {
    const { env, database } = await store.environment(`prefilled ${phase}`);
    const links = phase === 'empty' ? 0 : settings.prefilledLinks;
    try {
      if (database !== undefined && links > 0) {
        const started = performance.now();
        await prefillLinks(database.db, store.identities, links);
        process.stderr.write(
          `  inserted ${links} link documents in ${Math.round((performance.now() - started) / 1000)} s\n`,
        );
      }
      // The embedded store is filled by the bench entry's hook; both phases run that entry.
      const entry = database === undefined ? PREFILL_SERVICE : SERVICE;
      await withProcess(entry, { ...env, ...UNLIMITED, BENCH_PREFILL_LINKS: String(links) }, async (service) => {
        const run = (phase: string, seconds: number) =>
          measure(service, {
            store: store.name,
            scenario: 'pre-filled',
            phase,
            target: 'service',
            operation: 'createRecoveryLink',
            connections: 32,
            inputs: creations(store.identities),
            seconds,
            databasePid: store.databasePid,
          });
        await run(`${phase} warm-up`, 2);
        results.push(await run(phase === 'empty' ? 'empty' : `${links} links`, settings.prefilledSeconds));
      });
    } finally {
      await database?.drop();
    }
  }
  return results;
}

export interface HostileReport {
  readonly measurement: Measurement;
  /** Documents per collection the flood (after warm-up) left, on MongoDB. */
  readonly documentsWritten: Record<string, number> | null;
}

/**
 * Issue 10: failed redemptions from one client address, with the default rate limits
 * (almost all are refused): wrong tokens for real flows, and flows that do not exist.
 */
export async function hostile(store: StoreUnderTest, settings: Settings): Promise<HostileReport> {
  const { env, database } = await store.environment('hostile');
  try {
    return await withProcess(SERVICE, env, async (service) => {
      const real = await createLinks(service, 'service', store.identities.slice(0, 100));
      const attempts = Array.from({ length: 10_000 }, (_, i) => ({
        flow: i % 2 === 0 ? real[i % real.length]!.flow : randomUUID(),
        token: randomBytes(32).toString('base64url'),
      }));
      const base = {
        store: store.name,
        scenario: 'hostile',
        target: 'service' as const,
        operation: 'redeemRecoveryLink' as const,
        connections: 32,
        inputs: attempts,
        anonymous: true,
        databasePid: store.databasePid,
      };
      await measure(service, {
        ...base,
        phase: 'warm-up',
        seconds: Math.min(settings.hostileSeconds, 20),
        maxRequests: settings.hostileWarmUpRequests,
      });
      const before = database === undefined ? null : await countDocuments(database.db);
      const measurement = await measure(service, {
        ...base,
        phase: 'flood',
        seconds: settings.hostileSeconds,
        maxRequests: settings.hostileRequests,
      });
      // The requests still in flight when the flood stopped write too: count after they finish.
      await settle([service.pid, store.databasePid]);
      const after = database === undefined ? null : await countDocuments(database.db);
      const documentsWritten =
        before === null || after === null
          ? null
          : Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - (before[name] ?? 0)]));
      return { measurement, documentsWritten };
    });
  } finally {
    await database?.drop();
  }
}

export interface CommandsPerOperation {
  readonly operation: Operation;
  readonly samples: number;
  /** "command collection" to commands per operation. */
  readonly commands: Record<string, number>;
  readonly total: number;
}

/**
 * Issue 10: database commands per operation, from recovery_store_commands_total before and
 * after `commandSamples` requests sent one at a time. Each identity already has one
 * outstanding link, as in steady use, so a creation also revokes its predecessor.
 */
export async function commandsPerOperation(store: StoreUnderTest, settings: Settings): Promise<CommandsPerOperation[]> {
  const { env, database } = await store.environment('commands');
  const n = settings.commandSamples;
  const forCreate = store.identities.slice(0, n);
  const forRevoke = store.identities.slice(n, 2 * n);
  try {
    return await withProcess(SERVICE, { ...env, ...UNLIMITED }, async (service) => {
      const send = async (operation: Operation, input: Record<string, string>) => {
        const { path, headers, body } = request('service', operation, input);
        const response = await fetch(`${service.url}${path}`, { method: 'POST', headers, body });
        const answer = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
        if (answer.errors !== undefined) throw new Error(`${operation}: ${JSON.stringify(answer.errors)}`);
        return answer.data!;
      };
      const count = async (operation: Operation, inputs: Record<string, string>[]) => {
        const before = await scrape(service.url);
        const answers = [];
        for (const input of inputs) answers.push(await send(operation, input));
        const after = await scrape(service.url);
        const commands: Record<string, number> = {};
        for (const [key, value] of after) {
          const delta = value - (before.get(key) ?? 0);
          if (delta > 0) commands[key] = Number((delta / inputs.length).toFixed(2));
        }
        const total = Number(
          Object.values(commands)
            .reduce((sum, value) => sum + value, 0)
            .toFixed(2),
        );
        return { result: { operation, samples: inputs.length, commands, total }, answers };
      };
      for (const identityId of [...forCreate, ...forRevoke]) await send('createRecoveryLink', { identityId });
      const create = await count(
        'createRecoveryLink',
        forCreate.map((identityId) => ({ identityId })),
      );
      const links = create.answers.map((data) => new URL(data.createRecoveryLink.recoveryLink as string).searchParams);
      const redeem = await count(
        'redeemRecoveryLink',
        links.map((link) => ({ flow: link.get('flow')!, token: link.get('token')! })),
      );
      const revoke = await count(
        'revokeRecoveryLinks',
        forRevoke.map((identityId) => ({ identityId })),
      );
      return [create.result, redeem.result, revoke.result];
    });
  } finally {
    await database?.drop();
  }
}

async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const [, command, collection, value] of text.matchAll(
    /^recovery_store_commands_total\{command="(\w+)",collection="(\w+)"\} (\d+)$/gm,
  ))
    counts.set(`${command} ${collection}`, Number(value));
  return counts;
}

/**
 * Issues 12 and 17: where the service's time goes at 32 connections (many identities,
 * embedded store), from `node --cpu-prof`, for creation and redemption sent as a router
 * sends them, the subgraph's main caller. The profiler slows the service down: these runs
 * are not in the tables.
 */
export async function profile(store: StoreUnderTest, settings: Settings) {
  const { env } = await store.environment('profile');
  const layers: Partial<Record<Operation, { layer: string; percent: number }[]>> = {};
  for (const operation of ['createRecoveryLink', 'redeemRecoveryLink'] as const) {
    const directory = profileDirectory();
    const service = await startNode(SERVICE, { ...env, ...UNLIMITED }, ['--cpu-prof', `--cpu-prof-dir=${directory}`]);
    try {
      const links =
        operation === 'redeemRecoveryLink'
          ? await createLinks(service, 'service', store.identities.slice(0, settings.redemptions))
          : [];
      await measure(service, {
        store: store.name,
        scenario: 'profile',
        phase: '--cpu-prof',
        target: 'service',
        operation,
        connections: 32,
        inputs:
          operation === 'createRecoveryLink'
            ? creations(store.identities)
            : links.map(({ flow, token }) => ({ flow, token })),
        seconds: settings.compareSeconds,
        ...(operation === 'redeemRecoveryLink' ? { maxRequests: links.length } : {}),
        query: ROUTER_TEXT[operation],
        databasePid: store.databasePid,
      });
    } finally {
      await service.stop('SIGTERM');
    }
    layers[operation] = summarizeProfiles(directory);
  }
  return layers;
}

/** `--only=soak`: 100,000 creations over many identities, for the memory a long run keeps. */
export async function soak(store: StoreUnderTest, settings: Settings): Promise<Measurement[]> {
  const { env, database } = await store.environment('soak');
  try {
    return await withProcess(SERVICE, { ...env, ...UNLIMITED }, async (service) => [
      await measure(service, {
        store: store.name,
        scenario: 'soak',
        phase: `${settings.prefilledLinks} creations`,
        target: 'service',
        operation: 'createRecoveryLink',
        connections: 32,
        inputs: creations(store.identities),
        seconds: 3_600,
        maxRequests: settings.prefilledLinks,
        databasePid: store.databasePid,
      }),
    ]);
  } finally {
    await database?.drop();
  }
}
