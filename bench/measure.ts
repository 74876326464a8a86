import { readFileSync } from 'node:fs';
import { runLoad, type LoadResult } from './load.js';
import { ADMIN_KEY, cpuSeconds, rssMb, type Running } from './processes.js';

/** One run of load against one process, with what each side spent on it. */

export type StoreName = 'embedded' | 'mongodb';
export type Target = 'service' | 'ceiling';
export type Operation =
  'createRecoveryLink' | 'redeemRecoveryLink' | 'revokeRecoveryLinks' | 'createRecoveryCode' | 'redeemRecoveryCode';

/** What the load generator saw (see LoadResult), with where and how it ran and what each side spent. */
export interface Measurement extends Pick<
  LoadResult,
  'generator' | 'requests' | 'requestsPerSecond' | 'p50' | 'p99' | 'max' | 'failed' | 'statuses'
> {
  readonly store: StoreName;
  readonly scenario: string;
  /** Which part of the scenario: a round, "first 10 s", "pre-filled", "flood"... */
  readonly phase: string;
  readonly operation: Operation;
  readonly connections: number;
  readonly target: Target;
  /** CPU seconds during the run: the measured process, the load generator, the database server. */
  readonly cpu: { readonly target: number | null; readonly generator: number; readonly database: number | null };
  readonly rssStartMb: number;
  readonly rssEndMb: number;
}

/** The documents frontends send (operations/), not copies written here. The bench runs from .bench-build/bench/. */
const operation = (name: string) => readFileSync(new URL(`../../operations/${name}.graphql`, import.meta.url), 'utf8');
export const CREATE = operation('create-recovery-link');
export const REDEEM = operation('redeem-recovery-link');
export const REVOKE = operation('revoke-recovery-links');
const DOCUMENT_OF: Record<Exclude<Operation, 'revokeRecoveryLinks'>, string> = {
  createRecoveryLink: CREATE,
  redeemRecoveryLink: REDEEM,
  createRecoveryCode: operation('create-recovery-code'),
  redeemRecoveryCode: operation('redeem-recovery-code'),
};

export interface LinkParameters {
  readonly flow: string;
  readonly token: string;
}

/** Path, headers and body of one request, to the service (GraphQL) or to the ceiling (bare JSON). */
export function request(
  target: Target,
  operation: Operation,
  input: Record<string, string>,
  admin = true,
  query?: string,
) {
  if (target === 'ceiling') {
    if (operation !== 'createRecoveryLink' && operation !== 'redeemRecoveryLink')
      throw new Error(`the ceiling has no ${operation}`);
    return {
      path: operation === 'createRecoveryLink' ? '/create' : '/redeem',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (admin) headers.authorization = `Bearer ${ADMIN_KEY}`;
  const body =
    operation === 'revokeRecoveryLinks'
      ? { query: REVOKE, variables: input }
      : { query: query ?? DOCUMENT_OF[operation], variables: { input } };
  return { path: '/graphql', headers, body: JSON.stringify(body) };
}

export interface MeasureOptions {
  readonly store: StoreName;
  readonly scenario: string;
  readonly phase: string;
  readonly target: Target;
  readonly operation: Operation;
  readonly connections: number;
  readonly inputs: readonly Record<string, string>[];
  readonly seconds: number;
  readonly maxRequests?: number;
  /** Unauthenticated requests, as an attacker sends them. */
  readonly anonymous?: boolean;
  /** Another text for the operation than its operations/ document (bench/shapes.ts). */
  readonly query?: string;
  readonly databasePid: number | null;
}

export async function measure(running: Running, options: MeasureOptions): Promise<Measurement> {
  const { target, operation } = options;
  const first = request(target, operation, options.inputs[0]!, !options.anonymous, options.query);
  const bodies = options.inputs.map(
    (input) => request(target, operation, input, !options.anonymous, options.query).body,
  );
  await settle([running.pid, options.databasePid]);
  const rssStartMb = rssMb(running.pid);
  const before = { target: cpuSeconds(running.pid), database: cpuSeconds(options.databasePid) };
  const result = await runLoad({
    url: running.url,
    path: first.path,
    headers: first.headers,
    bodies,
    connections: options.connections,
    seconds: options.seconds,
    ...(options.maxRequests === undefined ? {} : { maxRequests: options.maxRequests }),
  });
  const after = { target: cpuSeconds(running.pid), database: cpuSeconds(options.databasePid) };
  const spent = (start: number | null, end: number | null) =>
    start === null || end === null ? null : Number((end - start).toFixed(2));
  const measurement: Measurement = {
    store: options.store,
    scenario: options.scenario,
    phase: options.phase,
    operation,
    connections: options.connections,
    target,
    generator: result.generator,
    requests: result.requests,
    requestsPerSecond: Math.round(result.requestsPerSecond),
    p50: round(result.p50),
    p99: round(result.p99),
    max: round(result.max),
    failed: result.failed,
    statuses: result.statuses,
    cpu: {
      target: spent(before.target, after.target),
      generator: Number(result.generatorCpuSeconds.toFixed(2)),
      database: spent(before.database, after.database),
    },
    rssStartMb: Math.round(rssStartMb),
    rssEndMb: Math.round(rssMb(running.pid)),
  };
  process.stderr.write(
    `  ${measurement.store} ${measurement.scenario} ${measurement.phase} ${operation} c=${options.connections} ${target}: ` +
      `${measurement.requestsPerSecond} req/s, p50 ${measurement.p50} ms, p99 ${measurement.p99} ms, ` +
      `${measurement.requests} requests, failed ${measurement.failed} (statuses ${JSON.stringify(result.statuses)}), CPU ${measurement.cpu.target}/${measurement.cpu.generator}/${measurement.cpu.database ?? '-'} s\n`,
  );
  // Failed requests: what the process said about them (the ceiling writes its errors there).
  const errors = running.errors().trim();
  if (measurement.failed > 0 && errors !== '') process.stderr.write(`  ${target} stderr:\n${errors.slice(-2_000)}\n`);
  return measurement;
}

/**
 * Waits until the service and the database are idle: when a load generator stops, the
 * requests it had in flight are still being served (on a slow store, for seconds), and
 * that work must not be counted into the next run.
 */
export async function settle(pids: readonly (number | null)[]): Promise<void> {
  const IDLE_CPU_SECONDS_PER_QUARTER_SECOND = 0.03;
  for (let waited = 0; waited < 120_000; waited += 250) {
    const before = pids.map(cpuSeconds);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const busy = pids.some((pid, i) => {
      const now = cpuSeconds(pid);
      return now !== null && before[i] !== null && now - before[i]! > IDLE_CPU_SECONDS_PER_QUARTER_SECOND;
    });
    if (!busy) return;
  }
}

function round(milliseconds: number): number {
  return milliseconds >= 10 ? Math.round(milliseconds) : Number(milliseconds.toFixed(2));
}

/** Links to redeem, created beforehand through the target itself, each for its own identity. */
export async function createLinks(
  running: Running,
  target: Target,
  identities: readonly string[],
): Promise<LinkParameters[]> {
  const links: LinkParameters[] = [];
  let next = 0;
  const worker = async () => {
    while (next < identities.length) {
      const { path, headers, body } = request(target, 'createRecoveryLink', {
        identityId: identities[next++]!,
        expiresIn: '1h',
      });
      const response = await fetch(`${running.url}${path}`, { method: 'POST', headers, body });
      const answer = (await response.json()) as {
        data?: { createRecoveryLink: { recoveryLink: string } };
        recoveryLink?: string;
      };
      const recoveryLink = answer.data?.createRecoveryLink.recoveryLink ?? answer.recoveryLink;
      if (recoveryLink === undefined) throw new Error(`could not create a link: ${JSON.stringify(answer)}`);
      const url = new URL(recoveryLink);
      links.push({ flow: url.searchParams.get('flow')!, token: url.searchParams.get('token')! });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return links;
}
