import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimit } from '../../src/recovery/index.js';
import type { MongoRecoveryStore } from '../../src/stores/index.js';
import { RateSlotHints } from '../../src/stores/mongo/rate-limits.js';
import { identityFixture } from '../support/fixtures.js';
import {
  connectMongoStore,
  insertIdentity,
  openScratchDatabase,
  storedFlowCount,
  type ScratchDatabase,
} from '../support/mongo.js';
import { testOrigin, testRecoveryService } from '../support/service.js';

/**
 * How the MongoDB store finds rate-limit slots when it does not know a window: after a
 * restart, or for a window another replica filled. Counts of commands, never timings.
 */
const LIMIT: RateLimit = { limit: 10, windowMilliseconds: 3_600_000, text: '10/1h' };
const NOW = new Date('2026-06-01T12:00:00.000Z');

let database: ScratchDatabase;
const stores: MongoRecoveryStore[] = [];

/** A store as a freshly started process has it, with its commands recorded. */
async function freshProcess(): Promise<{ store: MongoRecoveryStore; commands: Document[] }> {
  const commands: Document[] = [];
  const store = await connectMongoStore(database, { onCommand: (_name, command) => commands.push(command) });
  stores.push(store);
  return { store, commands };
}

beforeAll(async () => {
  database = await openScratchDatabase();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await database.drop();
});

const consume = (store: MongoRecoveryStore, key: string) =>
  store.consumeRateLimit('create_per_identity', key, LIMIT, NOW);
const onSlots = (commands: Document[], verb: 'insert' | 'find') =>
  commands.filter((command) => command[verb] === 'recovery_links_claims');

describe('rate-limit slots in a window this process does not know', () => {
  it('after a restart, finds the next free slot with a few lookups, not one failing insert per used slot', async () => {
    const key = randomUUID();
    const before = await freshProcess();
    for (let index = 0; index < 7; index++) expect((await consume(before.store, key)).allowed).toBe(true);

    const after = await freshProcess();
    expect((await consume(after.store, key)).allowed).toBe(true);
    // One insert that finds slot 0 taken, one that takes slot 7; lookups in between
    // (galloping 1, 3, 7, then bisecting 3..7), where probing took 7 failing inserts.
    expect(onSlots(after.commands, 'insert')).toHaveLength(2);
    expect(onSlots(after.commands, 'find').length).toBeLessThanOrEqual(6);
    // From then on it knows the window: one insert per admission, none for a refusal.
    after.commands.length = 0;
    expect((await consume(after.store, key)).allowed).toBe(true);
    expect((await consume(after.store, key)).allowed).toBe(true);
    expect(await consume(after.store, key)).toMatchObject({ allowed: false });
    expect(await consume(after.store, key)).toMatchObject({ allowed: false });
    expect(after.commands.filter((command) => command.insert === 'recovery_links_claims')).toHaveLength(2);
    expect(onSlots(after.commands, 'find')).toHaveLength(0);
    expect(
      await database.db.collection('recovery_links_claims').countDocuments({ _id: { $regex: key } as never }),
    ).toBe(10);
  });

  it('starts each creation at its identity’s next free slot in whichever process makes it: one insert, none failing', async () => {
    const identity = identityFixture();
    await insertIdentity(database.db, identity, 'string');
    // Two replicas (or one process and itself restarted) taking turns with one identity.
    const processes = [await freshProcess(), await freshProcess()];
    const services = processes.map(({ store }) =>
      testRecoveryService({ store, now: () => NOW, newFlowId: randomUUID, createLimitPerIdentity: LIMIT }),
    );
    for (let turn = 0; turn < 6; turn++) {
      const { commands } = processes[turn % 2]!;
      commands.length = 0;
      const outcome = await services[turn % 2]!.createRecoveryLink({
        identityId: identity.id,
        origin: testOrigin('turns'),
      });
      expect(outcome.kind).toBe('created');
      // The slot the other process took last is read with the outstanding set: no insert
      // meets a taken slot, and no lookup looks for a free one.
      expect(onSlots(commands, 'insert'), `turn ${turn}`).toHaveLength(1);
      expect(onSlots(commands, 'find'), `turn ${turn}`).toHaveLength(0);
      expect(commands, `turn ${turn}`).toHaveLength(4);
    }
    // The hint never admits past the limit: 6 taken, 4 left, then refused.
    for (let turn = 0; turn < 4; turn++)
      expect(
        (await services[turn % 2]!.createRecoveryLink({ identityId: identity.id, origin: testOrigin('turns') })).kind,
      ).toBe('created');
    for (const service of services)
      expect(await service.createRecoveryLink({ identityId: identity.id, origin: testOrigin('turns') })).toMatchObject({
        kind: 'rate_limited',
      });
    expect(await storedFlowCount(database.db, identity.id)).toBe(LIMIT.limit);
  });

  it('two replicas taking turns in one window: a failing insert each to learn it is shared, then lookups instead', async () => {
    const key = randomUUID();
    // One client's redemptions, say, spread over two replicas by a load balancer.
    const replicas = [await freshProcess(), await freshProcess()];
    for (let turn = 0; turn < 8; turn++)
      expect((await consume(replicas[turn % 2]!.store, key)).allowed, `turn ${turn}`).toBe(true);
    const inserts = replicas.flatMap(({ commands }) => onSlots(commands, 'insert'));
    // 8 admitted, each its own insert. The second replica's first try only tells it the
    // window was used before it came; then each tried one slot the other had taken once
    // it had taken slots there itself, and never again (one failing insert per turn before).
    expect(inserts).toHaveLength(8 + 3);
    // A lookup for each slot found taken, and one that finds the next free: 1 in each of
    // turns 1-3, 2 in each of turns 4-7.
    expect(replicas.flatMap(({ commands }) => onSlots(commands, 'find'))).toHaveLength(3 + 4 * 2);
    expect(
      await database.db.collection('recovery_links_claims').countDocuments({ _id: { $regex: key } as never }),
    ).toBe(8);
    // Still exactly the limit: 2 more admitted, then refused in both.
    expect((await consume(replicas[0]!.store, key)).allowed).toBe(true);
    expect((await consume(replicas[1]!.store, key)).allowed).toBe(true);
    for (const { store } of replicas) expect(await consume(store, key)).toMatchObject({ allowed: false });
    expect(replicas.flatMap(({ commands }) => onSlots(commands, 'insert'))).toHaveLength(13);
  });

  it('refuses a window another process filled after lookups alone, then with no command at all', async () => {
    const key = randomUUID();
    const filler = await freshProcess();
    for (let index = 0; index < LIMIT.limit; index++) expect((await consume(filler.store, key)).allowed).toBe(true);
    const other = await freshProcess();
    expect(await consume(other.store, key)).toMatchObject({ allowed: false });
    expect(onSlots(other.commands, 'insert')).toHaveLength(1);
    other.commands.length = 0;
    expect(await consume(other.store, key)).toMatchObject({ allowed: false });
    expect(other.commands.filter((command) => command.insert ?? command.find)).toHaveLength(0);
  });

  it('admits exactly the limit across processes racing for one window', async () => {
    const key = randomUUID();
    const [first, second, third] = [await freshProcess(), await freshProcess(), await freshProcess()];
    const decisions = await Promise.all(
      [first, second, third].flatMap(({ store }) => Array.from({ length: 6 }, () => consume(store, key))),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(LIMIT.limit);
  });

  it('admits exactly the limit of creations for one identity across processes, the slot taken in the insert that stores each', async () => {
    const identity = identityFixture();
    await insertIdentity(database.db, identity, 'string');
    const processes = [await freshProcess(), await freshProcess(), await freshProcess()];
    const services = processes.map(({ store }) =>
      testRecoveryService({ store, now: () => NOW, newFlowId: randomUUID, createLimitPerIdentity: LIMIT }),
    );
    const outcomes = await Promise.all(
      services.flatMap((service) =>
        Array.from({ length: 6 }, () =>
          service.createRecoveryLink({ identityId: identity.id, origin: testOrigin('racing') }),
        ),
      ),
    );
    const kinds = outcomes.map((outcome) => outcome.kind);
    expect(kinds.filter((kind) => kind === 'created')).toHaveLength(LIMIT.limit);
    expect(kinds.filter((kind) => kind === 'rate_limited')).toHaveLength(18 - LIMIT.limit);
    // Every admitted creation stored its flow, and the refused ones nothing: one slot per flow.
    expect(await storedFlowCount(database.db, identity.id)).toBe(LIMIT.limit);
    const slots = { _id: { $regex: `^create_per_identity\\|${identity.id}\\|` } as never };
    expect(await database.db.collection('recovery_links_claims').countDocuments(slots)).toBe(LIMIT.limit);
    // An existing identity's slot is never inserted on its own: always with its decision and flow.
    for (const { commands } of processes)
      for (const command of commands.filter((c) => c.insert === 'recovery_links_claims')) {
        const ids = (command.documents as { _id: string }[]).map(({ _id }) => _id);
        expect(
          ids.every((id) => id.startsWith('create_per_identity|')),
          ids.join(),
        ).toBe(false);
      }
  });
});

describe('creations over a limit this process knows is used up', () => {
  it('are refused without a command', async () => {
    const identity = identityFixture();
    await insertIdentity(database.db, identity, 'string');
    const { store, commands } = await freshProcess();
    const service = testRecoveryService({
      store,
      now: () => NOW,
      newFlowId: randomUUID,
      createLimitPerIdentity: LIMIT,
    });
    const create = () => service.createRecoveryLink({ identityId: identity.id, origin: testOrigin('flood') });
    for (let index = 0; index < LIMIT.limit; index++) expect((await create()).kind).toBe('created');
    commands.length = 0;
    expect(await create()).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(await create()).toMatchObject({ kind: 'rate_limited' });
    expect(commands).toHaveLength(0);
  });
});

describe('RateSlotHints', () => {
  it('hands out slots in order, a given-back one again first, and continues past known-taken ones', () => {
    const hints = new RateSlotHints();
    const until = Date.now() + 60_000;
    expect([hints.reserve('w', until), hints.reserve('w', until), hints.reserve('w', until)]).toEqual([0, 1, 2]);
    hints.giveBack('w', 1);
    expect(hints.reserve('w', until)).toBe(1);
    expect(hints.reserve('w', until)).toBe(3);
    hints.skipTo('w', 7);
    expect(hints.reserve('w', until)).toBe(7);
    // Never backwards: knowing less than this process already does changes nothing.
    hints.skipTo('w', 2);
    expect(hints.reserve('w', until)).toBe(8);
    expect(hints.reserve('other', until)).toBe(0);
  });
});
