import { Kind, parse, print, visit, type SelectionSetNode } from 'graphql';
import { CREATE, REDEEM, createLinks, measure, type Measurement, type Operation } from './measure.js';
import { startNode, type Running } from './processes.js';
import type { StoreUnderTest, Settings } from './scenarios.js';

/**
 * Issue 17: the operations as each kind of caller sends them, in one process, against the
 * ceiling, alternating round by round: the project's own document (operations/), a
 * federation router's text (as Hive Gateway and Apollo Router print a subgraph fetch), and
 * Apollo Client's (the same document with `__typename` in every selection set below the
 * root). Then the whole chain: the own document through Hive Gateway (its own process)
 * against the same document sent to the subgraph directly.
 */

export type Shape = 'own document' | 'router' | 'Apollo Client' | 'ceiling' | 'Hive Gateway' | 'subgraph directly';

export interface ShapeMeasurement extends Measurement {
  readonly shape: Shape;
  readonly round: number;
}

const SERVICE = 'dist/app/main.js';
const CEILING = '.bench-build/bench/ceiling.js';
const HIVE_GATEWAY = '.bench-build/bench/hive-gateway.js';
const UNLIMITED = { RECOVERY_LINK_RATE_LIMIT: '999999/1h', REDEEM_RATE_LIMIT: '999999/1m' };

export const ROUTER_TEXT: Record<'createRecoveryLink' | 'redeemRecoveryLink', string> = {
  createRecoveryLink:
    'mutation CreateRecoveryLink__recovery__0($input:CreateRecoveryLinkInput!){createRecoveryLink(input:$input){expiresAt recoveryLink}}',
  redeemRecoveryLink:
    'mutation RedeemRecoveryLink__recovery__0($input:RedeemRecoveryLinkInput!){redeemRecoveryLink(input:$input){identityId sessionToken sessionExpiresAt}}',
};

/** As Apollo Client's addTypenameToDocument: `__typename` in every selection set but the operation's own. */
export function withTypename(text: string): string {
  const document = visit(parse(text), {
    SelectionSet(node: SelectionSetNode, _key, parent) {
      if (
        parent !== undefined &&
        !Array.isArray(parent) &&
        (parent as { kind?: string }).kind === Kind.OPERATION_DEFINITION
      )
        return undefined;
      const has = node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename');
      if (has) return undefined;
      return {
        ...node,
        selections: [...node.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
      };
    },
  });
  return print(document);
}

const OWN = { createRecoveryLink: CREATE, redeemRecoveryLink: REDEEM };
const textOf = (shape: Shape, operation: 'createRecoveryLink' | 'redeemRecoveryLink') =>
  shape === 'router'
    ? ROUTER_TEXT[operation]
    : shape === 'Apollo Client'
      ? withTypename(OWN[operation])
      : OWN[operation];

export async function shapes(store: StoreUnderTest, settings: Settings): Promise<ShapeMeasurement[]> {
  const { env, database } = await store.environment('shapes');
  const service = await startNode(SERVICE, { ...env, ...UNLIMITED });
  const ceiling = await startNode(CEILING, { ...env, ...UNLIMITED });
  const results: ShapeMeasurement[] = [];
  try {
    const order: Shape[] = ['own document', 'router', 'Apollo Client', 'ceiling'];
    results.push(...(await rounds(store, settings, order, (shape) => (shape === 'ceiling' ? ceiling : service))));
    const gateway = await startNode(HIVE_GATEWAY, { ...env, SUBGRAPH_URL: `${service.url}/graphql` });
    try {
      results.push(
        ...(await rounds(store, settings, ['Hive Gateway', 'subgraph directly'], (shape) =>
          shape === 'Hive Gateway' ? gateway : service,
        )),
      );
    } finally {
      await gateway.stop();
    }
  } finally {
    await service.stop();
    await ceiling.stop();
    await database?.drop();
  }
  return results;
}

async function rounds(
  store: StoreUnderTest,
  settings: Settings,
  shapesInOrder: readonly Shape[],
  processFor: (shape: Shape) => Running,
): Promise<ShapeMeasurement[]> {
  const results: ShapeMeasurement[] = [];
  const creations = store.identities.map((identityId) => ({ identityId, expiresIn: '1h' }));
  for (const operation of ['createRecoveryLink', 'redeemRecoveryLink'] as const) {
    for (let round = 0; round <= settings.compareRounds; round++) {
      // Round 0 warms every process and shape up and is not reported; then the order rotates.
      const order = shapesInOrder.map((_, i) => shapesInOrder[(i + round) % shapesInOrder.length]!);
      for (const shape of order) {
        const running = processFor(shape);
        const target = shape === 'ceiling' ? 'ceiling' : 'service';
        // Links are created on the process that stores them: the subgraph behind a gateway.
        const links =
          operation === 'redeemRecoveryLink'
            ? await createLinks(
                shape === 'ceiling' ? running : processFor('own document'),
                target,
                store.identities.slice(0, settings.redemptions),
              )
            : [];
        const inputs =
          operation === 'createRecoveryLink' ? creations : links.map(({ flow, token }) => ({ flow, token }));
        const measurement = await measure(running, {
          store: store.name,
          scenario: `shape: ${shape}`,
          phase: round === 0 ? 'warm-up' : `round ${round}`,
          target,
          operation,
          connections: 32,
          inputs,
          // As long as a measured round: V8 was seen still tiering up after a 2 s warm-up
          // (the same process 1.5x faster in round 3 than in round 1 at the same CPU).
          seconds: settings.compareSeconds,
          ...(operation === 'redeemRecoveryLink' ? { maxRequests: inputs.length } : {}),
          ...(target === 'service' ? { query: textOf(shape, operation) } : {}),
          databasePid: store.databasePid,
        });
        if (round > 0) results.push({ ...measurement, shape, round });
      }
    }
  }
  return results;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Ratios round by round (the same round's runs are minutes apart at most), then their median. */
function pairedRatio(results: readonly ShapeMeasurement[], shape: Shape, against: Shape, operation: Operation): number {
  const ratios = results
    .filter((m) => m.shape === shape && m.operation === operation)
    .flatMap((m) => {
      const other = results.find((o) => o.shape === against && o.operation === operation && o.round === m.round);
      return other === undefined ? [] : [m.requestsPerSecond / Math.max(other.requestsPerSecond, 0.01)];
    });
  return ratios.length === 0 ? Number.NaN : Number(median(ratios).toFixed(2));
}

export function renderShapes(results: readonly ShapeMeasurement[]): string {
  if (results.length === 0) return '';
  const rows: string[] = [];
  const byStore = [...new Set(results.map((m) => m.store))];
  for (const store of byStore) {
    const of = results.filter((m) => m.store === store);
    for (const operation of ['createRecoveryLink', 'redeemRecoveryLink'] as const) {
      for (const shape of [
        'own document',
        'router',
        'Apollo Client',
        'ceiling',
        'Hive Gateway',
        'subgraph directly',
      ] as const) {
        const runs = of.filter((m) => m.shape === shape && m.operation === operation);
        if (runs.length === 0) continue;
        const direct = shape === 'Hive Gateway' ? pairedRatio(of, shape, 'subgraph directly', operation) : '';
        rows.push(
          `| ${store} | ${operation} | ${shape} | ${median(runs.map((m) => m.requestsPerSecond))} | ` +
            `${shape === 'Hive Gateway' || shape === 'subgraph directly' ? '' : pairedRatio(of, shape, 'own document', operation)} | ` +
            `${shape === 'Hive Gateway' || shape === 'subgraph directly' ? '' : pairedRatio(of, shape, 'ceiling', operation)} | ${direct} | ` +
            `${median(runs.map((m) => m.p50))} / ${median(runs.map((m) => m.p99))} | ${runs.reduce((sum, m) => sum + m.failed, 0)} |`,
        );
      }
    }
  }
  return [
    '\n### Operation shapes at 32 connections, NODE_ENV=production (issue 17)\n',
    '| store | operation | sent as | req/s (median) | vs own document | vs ceiling | gateway vs direct | p50 / p99 ms | failed |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Issue 17's targets: other shapes >= 0.95 of the own document, all shapes >= 0.75 of the ceiling. */
export function shapeTargets(results: readonly ShapeMeasurement[]) {
  const targets: { issue: number; target: string; measured: string; met: boolean | null }[] = [];
  for (const store of new Set(results.map((m) => m.store))) {
    const of = results.filter((m) => m.store === store);
    for (const operation of ['createRecoveryLink', 'redeemRecoveryLink'] as const) {
      for (const shape of ['router', 'Apollo Client'] as const) {
        const ratio = pairedRatio(of, shape, 'own document', operation);
        targets.push({
          issue: 17,
          target: `${store}: ${operation} sent as ${shape} >= 0.95 of the own document`,
          measured: String(ratio),
          met: Number.isNaN(ratio) ? null : ratio >= 0.95,
        });
      }
      for (const shape of ['own document', 'router', 'Apollo Client'] as const) {
        const ratio = pairedRatio(of, shape, 'ceiling', operation);
        targets.push({
          issue: 17,
          target: `${store}: ${operation} sent as ${shape} >= 0.75 of the ceiling at 32 connections`,
          measured: String(ratio),
          met: Number.isNaN(ratio) ? null : ratio >= 0.75,
        });
      }
    }
  }
  return targets;
}
