import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity, RecoveryService } from '../../src/recovery/index.js';
import { MemoryRecoveryStore, type InspectableRecoveryStore } from '../../src/stores/index.js';
import { connectMongoStore, insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';
import { testOrigin, testRecoveryService } from '../support/service.js';
import { identityFixture } from '../support/fixtures.js';

/**
 * However much traffic, what the stores keep per identity and per client stays bounded,
 * and every command of a hot path is a key-value one. Counts, never timings; the MongoDB
 * runs use a tenth of the volume so the suite stays quick.
 */

const NOW = new Date('2026-06-01T12:00:00.000Z');
const RETENTION = {
  linkMilliseconds: 7 * 86_400_000,
  eventMilliseconds: 90 * 86_400_000,
  maxLifespanMilliseconds: 30 * 86_400_000,
};

interface Subject {
  readonly store: InspectableRecoveryStore;
  readonly identity: Identity;
  /** Size of the identity's outstanding set as stored (entries, claimed or not). */
  outstandingSetSize(): Promise<number>;
  /** Failure entries and rate-limit slots as stored. */
  failureEntries(): Promise<number>;
  /** Code attempts stored for the flow. */
  attemptEntries(flowId: string): Promise<number>;
  readonly commands: { name: string; command: Document }[];
  dispose(): Promise<void>;
}

function serviceOver(store: InspectableRecoveryStore, redeemLimit = 1_000_000): RecoveryService {
  return testRecoveryService({
    store,
    now: () => NOW,
    newFlowId: randomUUID,
    createLimitPerIdentity: { limit: 1_000_000, windowMilliseconds: 3_600_000, text: '1000000/1h' },
    redeemLimitPerClient: { limit: redeemLimit, windowMilliseconds: 60_000, text: `${redeemLimit}/1m` },
  });
}

async function embedded(): Promise<Subject> {
  const identity = identityFixture();
  const store = new MemoryRecoveryStore([identity], RETENTION);
  // The embedded store's roles, each holding its own maps (src/stores/memory/).
  const { linksAndClaims, audit } = store as unknown as {
    linksAndClaims: {
      outstanding: Map<string, { links: Map<string, unknown> }>;
      links: Map<string, { codeAttempts: number }>;
    };
    audit: { failures: Map<string, unknown> };
  };
  return {
    store,
    identity,
    outstandingSetSize: async () => linksAndClaims.outstanding.get(identity.id)?.links.size ?? 0,
    failureEntries: async () => audit.failures.size,
    attemptEntries: async (flowId) => linksAndClaims.links.get(flowId)?.codeAttempts ?? 0,
    commands: [],
    dispose: async () => {},
  };
}

async function mongo(): Promise<Subject> {
  const database: ScratchDatabase = await openScratchDatabase();
  const identity = identityFixture();
  await insertIdentity(database.db, identity, 'string');
  const commands: { name: string; command: Document }[] = [];
  const store = await connectMongoStore(database, {
    retention: RETENTION,
    onCommand: (name, command) => commands.push({ name, command }),
  });
  return {
    store,
    identity,
    outstandingSetSize: async () => {
      const set = await database.db.collection('recovery_links_outstanding').findOne({ _id: identity.id as never });
      return Object.keys((set?.links as object | undefined) ?? {}).length;
    },
    failureEntries: async () => database.db.collection('recovery_events').countDocuments(),
    attemptEntries: async (flowId) =>
      database.db
        .collection('recovery_links_claims')
        .countDocuments({ _id: { $regex: `^${flowId}#[0-9]+$` } as never }),
    commands,
    async dispose() {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * Every filter is `{_id: <string>}`, what MongoDB and FerretDB both serve as a lookup,
 * alone or with the outstanding set's `generation`, checked on the one document found.
 */
function commandName(command: Document): string {
  const name = Object.keys(command)[0]!;
  return `${name} ${command[name]}`;
}

function filtersOf(command: Document): Document[] {
  if (command.find !== undefined) return [command.filter];
  if (command.findAndModify !== undefined) return [command.query];
  if (command.update !== undefined) return command.updates.map((update: Document) => update.q);
  if (command.delete !== undefined) return command.deletes.map((deletion: Document) => deletion.q);
  return [];
}

describe.each([
  ['embedded store', embedded, 20_000, 50_000],
  ['MongoDB', mongo, 2_000, 5_000],
] as const)('on the %s', (_name, open, creations, failures) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await open();
  });
  afterAll(async () => {
    await subject.dispose();
  });

  it(`leaves one outstanding link and a small outstanding set after ${creations} creations for one identity`, async () => {
    const service = serviceOver(subject.store);
    for (let i = 0; i < creations; i++) {
      const outcome = await service.createRecoveryLink({
        identityId: subject.identity.id,
        origin: testOrigin(`c${i}`),
      });
      expect(outcome.kind).toBe('created');
    }
    expect(await subject.store.listOutstandingRecoveryLinks(subject.identity.id, NOW)).toHaveLength(1);
    // Each creation drops the entries it claimed: the set holds the one outstanding link.
    expect(await subject.outstandingSetSize()).toBe(1);
  }, 300_000);

  it(`keeps failure entries bounded after ${failures} failed redemptions from one client`, async () => {
    const service = serviceOver(subject.store, 30);
    const before = await subject.failureEntries();
    let refused = 0;
    for (let i = 0; i < failures; i++) {
      const outcome = await service.redeemRecoveryLink({
        flowId: randomUUID(),
        token: 'guess',
        origin: { ...testOrigin(`f${i}`), clientAddress: '203.0.113.9' },
      });
      if (outcome.kind === 'rate_limited') refused++;
    }
    expect(refused).toBe(failures - 30);
    // One entry for this client, error and window, counting its 30 admitted attempts.
    expect((await subject.failureEntries()) - before).toBe(1);
  }, 300_000);

  it(`keeps a code flow's attempts at the maximum after ${failures / 10} wrong submissions`, async () => {
    const service = serviceOver(subject.store);
    const created = await service.createRecoveryCode({ identityId: subject.identity.id, origin: testOrigin('k') });
    if (created.kind !== 'created') throw new Error(created.kind);
    const { flowId, recoveryCode } = created.code;
    const wrong = recoveryCode === '00000000' ? '11111111' : '00000000';
    const kinds = new Map<string, number>();
    for (let i = 0; i < failures / 10; i++) {
      const outcome = await service.redeemRecoveryCode({ flowId, code: wrong, origin: testOrigin(`w${i}`) });
      kinds.set(outcome.kind, (kinds.get(outcome.kind) ?? 0) + 1);
    }
    expect(kinds.get('recovery_code_invalid')).toBe(5);
    // Exhausted submissions write nothing more: the attempts stay at the maximum.
    expect(await subject.attemptEntries(flowId)).toBe(5);
  }, 300_000);
});

describe('MongoDB commands per operation', () => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await mongo();
  });
  afterAll(async () => {
    await subject.dispose();
  });

  async function counted<T>(operation: () => Promise<T>): Promise<{ result: T; commands: Document[] }> {
    subject.commands.length = 0;
    const result = await operation();
    return { result, commands: subject.commands.map(({ command }) => command) };
  }

  it('creates in 4 with one write, redeems in at most 7 and revokes in at most 4, each a key-value command', async () => {
    const service = serviceOver(subject.store);
    const create = () => service.createRecoveryLink({ identityId: subject.identity.id, origin: testOrigin('c') });
    await create(); // the identity's form of _id is learned once
    const creations: { result: Awaited<ReturnType<typeof create>>; commands: Document[] }[] = [];
    for (let i = 0; i < 16; i++) creations.push(await counted(create));
    const last = creations.at(-1)!.result;
    if (last.kind !== 'created') throw new Error(last.kind);
    const url = new URL(last.link.recoveryLink);
    const redemption = await counted(() =>
      service.redeemRecoveryLink({
        flowId: url.searchParams.get('flow')!,
        token: url.searchParams.get('token')!,
        origin: testOrigin('r'),
      }),
    );
    expect(redemption.result.kind).toBe('redeemed');
    await create();
    const revocation = await counted(() =>
      service.revokeRecoveryLinks({ identityId: subject.identity.id, origin: testOrigin('v') }),
    );
    expect(revocation.result).toEqual({ kind: 'revoked', count: 1 });

    // Identity, set, one insert (rate slot, decision, the claim of the link before, the
    // new flow), set update: on FerretDB one transaction writes it all.
    const flowOf = (result: Awaited<ReturnType<typeof create>>) =>
      result.kind === 'created' ? result.link.flowId : result.kind;
    creations.forEach(({ commands, result }, index) => {
      expect(commands.map(commandName)).toEqual([
        'find identities',
        'find recovery_links_outstanding',
        'insert recovery_links_claims',
        'update recovery_links_outstanding',
      ]);
      const written = (commands[2]!.documents as { _id: string }[]).map(({ _id }) => _id);
      expect(written).toHaveLength(4);
      expect(written[0]).toMatch(/^create_per_identity\|/);
      expect(written[1]).toMatch(new RegExp(`^${subject.identity.id}#[0-9]+$`));
      if (index > 0) expect(written[2]).toBe(flowOf(creations[index - 1]!.result));
      expect(written[3]).toBe(`${flowOf(result)}#created`);
    });
    expect(redemption.commands.length).toBeLessThanOrEqual(7);
    expect(revocation.commands.length).toBeLessThanOrEqual(4);
    for (const command of [
      ...creations.flatMap(({ commands }) => commands),
      ...redemption.commands,
      ...revocation.commands,
    ]) {
      for (const filter of filtersOf(command)) {
        expect(
          Object.keys(filter).filter((key) => key !== 'generation'),
          JSON.stringify(command),
        ).toEqual(['_id']);
        expect(typeof filter._id, JSON.stringify(command)).toBe('string');
      }
    }
  });

  it('admits concurrent requests of one process with one slot insert each, and refuses with none', async () => {
    const limit = { limit: 10, windowMilliseconds: 60_000, text: '10/1m' };
    subject.commands.length = 0;
    const decisions = await Promise.all(
      Array.from({ length: 30 }, () => subject.store.consumeRateLimit('redeem_per_client', 'one-client', limit, NOW)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    const slotInserts = subject.commands.filter(({ command }) => command.insert === 'recovery_links_claims');
    expect(slotInserts).toHaveLength(10);
  });
});
