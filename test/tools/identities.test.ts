import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UUID, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_RECOVERY_LINK, startTestApp, type TestApp } from '../support/app.js';
import { openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/** `npm run identities` against the test database, and the service finding what it wrote. */
const TOOL = fileURLToPath(new URL('../../tools/identities.mjs', import.meta.url));
const ADA = '6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f';
const GRACE = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BOB = 'b0b0b0b0-0000-4000-8000-000000000b0b';

let scratch: ScratchDatabase;
let app: TestApp;
let folder: string;

beforeAll(async () => {
  scratch = await openScratchDatabase();
  folder = mkdtempSync(join(tmpdir(), 'identities-tool-'));
  app = await startTestApp({ MONGODB_URI: scratch.uri, MONGODB_DB: scratch.name });
});

afterAll(async () => {
  await app?.stop();
  await scratch?.drop();
  rmSync(folder, { recursive: true, force: true });
});

function identities(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TOOL, ...args],
      { env: { ...process.env, MONGODB_URI: scratch.uri, MONGODB_DB: scratch.name } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

// A BSON UUID (binary subtype 4) `_id` matches only a UUID, not the string form.
const find = (id: string) =>
  scratch.db.collection<{ _id: UUID }>('identities').findOne<Document>({ _id: new UUID(id) });
const createLink = (identityId: string) => app.graphql(CREATE_RECOVERY_LINK, { input: { identityId } });

describe('npm run identities', () => {
  it('adds an identity as a Kratos-style document that the service creates links for', async () => {
    const added = await identities('add', ADA.toUpperCase(), '--email', 'ada@example.com');
    expect(added).toMatchObject({ code: 0, stdout: `${ADA}\tactive\n1 added, 0 updated\n` });

    const document = await find(ADA);
    expect(document).toMatchObject({ state: 'active', schema_id: 'default', traits: { email: 'ada@example.com' } });
    expect(document?.created_at).toBeInstanceOf(Date);
    expect(document?.updated_at).toBeInstanceOf(Date);

    const link = await createLink(ADA);
    expect(link.body.errors).toBeUndefined();
    expect(link.body.data?.createRecoveryLink.recoveryLink).toContain('flow=');
  });

  it('adds an inactive identity, which the service refuses as disabled', async () => {
    expect((await identities('add', BOB, '--inactive')).code).toBe(0);
    expect(await find(BOB)).toMatchObject({ state: 'inactive', traits: {} });
    expect((await createLink(BOB)).body.errors?.[0]?.extensions.error.id).toBe('identity_disabled');
  });

  it('imports the EMBEDDED_IDENTITIES_FILE format, and importing again updates rather than duplicates', async () => {
    const file = join(folder, 'identities.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: GRACE, traits: { email: 'grace@example.com' } },
        { id: ADA, state: 'inactive' },
      ]),
    );
    const first = await identities('import', file);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('1 added, 1 updated') });
    const again = await identities('import', file);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('0 added, 2 updated') });

    expect(await scratch.db.collection('identities').countDocuments()).toBe(3);
    expect(await find(GRACE)).toMatchObject({ state: 'active', traits: { email: 'grace@example.com' } });
    expect(await find(ADA)).toMatchObject({ state: 'inactive' });
    expect((await createLink(GRACE)).body.errors).toBeUndefined();
  });

  it('lists the identities with their state and email', async () => {
    const listed = await identities('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toEqual(
      expect.arrayContaining([`${GRACE}\tactive\tgrace@example.com`, `${BOB}\tinactive`, '3 identities']),
    );
  });

  it('refuses invalid input with one line and writes nothing', async () => {
    const file = join(folder, 'bad.json');
    writeFileSync(file, JSON.stringify([{ id: 'not-a-uuid' }]));
    const results = await Promise.all([
      identities('add', 'not-a-uuid'),
      identities('add', GRACE, '--email', 'not-an-email'),
      identities('import', file),
      identities('remove', GRACE),
    ]);
    expect(results.map(({ code }) => code)).toEqual([2, 2, 2, 2]);
    expect(results[0]?.stderr).toMatch(/^add: id: /);
    expect(results[1]?.stderr).toMatch(/^--email: /);
    expect(results[2]?.stderr).toMatch(/bad\.json: 0\.id: /);
    expect(results[3]?.stderr).toMatch(/^usage: /);
    expect(await scratch.db.collection('identities').countDocuments()).toBe(3);
  });

  it('imports examples/identities.json, the file docs/operations.md names', async () => {
    const example = fileURLToPath(new URL('../../examples/identities.json', import.meta.url));
    const imported = await identities('import', example);
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining('3 added, 0 updated') });
    expect(await find('5b2f3c1a-7e4d-4a9b-8c6f-1d2e3f4a5b6c')).toMatchObject({ traits: { email: 'ada@example.com' } });
    expect(await find('e1d2c3b4-a5f6-4789-9abc-def012345678')).toMatchObject({ state: 'inactive' });
    expect((await createLink('9c8b7a6d-5e4f-4321-a0b9-c8d7e6f5a4b3')).body.errors).toBeUndefined();
  });
});
