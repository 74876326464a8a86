import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRecoveryLinkDocument } from '../../operations/generated/graphql.js';
import { TEST_ADMIN_KEY, errorBody, startTestApp, type TestApp } from '../support/app.js';

const manifest = (await import('../../operations/persisted-operations.json', { with: { type: 'json' } })).default as {
  operations: { id: string; name: string }[];
};
const DEMO_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const createId = manifest.operations.find((operation) => operation.name === 'CreateRecoveryLink')!.id;
const identityId = manifest.operations.find((operation) => operation.name === 'Identity')!.id;
const ROUTER_SECRET = 'router-secret-of-at-least-32-characters';
/** A frontend's own document, as Apollo Client sends it (with __typename), in a codegen-style sha1 map. */
const FRONTEND_DOCUMENT = 'query Frontend($id: UUID!) { identity(id: $id) { __typename id state } }';
const frontendSha1 = createHash('sha1').update(FRONTEND_DOCUMENT).digest('hex');

let app: TestApp;
let routed: TestApp;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'persisted-'));
  const file = join(directory, 'persisted-documents.json');
  writeFileSync(file, JSON.stringify({ [frontendSha1]: FRONTEND_DOCUMENT }));
  app = await startTestApp({ PERSISTED_OPERATIONS_ONLY: 'true', PERSISTED_OPERATIONS_FILE: file });
  routed = await startTestApp({ PERSISTED_OPERATIONS_ONLY: 'true', ROUTER_SECRET });
});

afterAll(async () => {
  await app?.stop();
  await routed?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const get = (target: TestApp, search: string, headers: Record<string, string> = {}) =>
  fetch(`${target.url}/graphql?${search}`, {
    headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${TEST_ADMIN_KEY}`, ...headers },
  });

describe('PERSISTED_OPERATIONS_ONLY', () => {
  it('runs a persisted operation sent as its document, however it is formatted', async () => {
    const compact = print(CreateRecoveryLinkDocument).replace(/\s+/g, ' ');
    const { body } = await app.graphql(compact, { input: { identityId: DEMO_ID } });
    expect(body.errors).toBeUndefined();
    expect(body.data?.createRecoveryLink.recoveryLink).toContain('token=');
  });

  it('runs a persisted operation sent by its id', async () => {
    const response = await app.post({
      variables: { input: { identityId: DEMO_ID } },
      extensions: { persistedQuery: { version: 1, sha256Hash: createId } },
    });
    const body = (await response.json()) as { data?: { createRecoveryLink: { recoveryLink: string } } };
    expect(body.data?.createRecoveryLink.recoveryLink).toContain('token=');
  });

  it.each([
    ['any other document', { query: '{ __schema { types { name } } }' }],
    ['an unknown id', { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }],
    [
      'a persisted document with a field added',
      { query: print(CreateRecoveryLinkDocument).replace('recoveryLink\n', 'recoveryLink\n __typename\n') },
    ],
  ])('refuses %s with 400 operation_not_allowed', async (_case, payload) => {
    const response = await app.post(payload);
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      error: { code: 400, id: 'operation_not_allowed' },
    });
  });

  it('admits what the recovery page sends', async () => {
    const page = await (await fetch(`${app.url}/recovery`)).text();
    const config = JSON.parse(/<script type="application\/json" id="config">(.*?)<\/script>/s.exec(page)![1]!) as {
      redeemDocument: string;
    };
    const { body } = await app.graphql(
      config.redeemDocument,
      { input: { flow: '00000000-0000-4000-8000-000000000000', token: 'x' } },
      { authorization: '' },
    );
    expect(body.errors?.[0]?.extensions.error.id).toBe('recovery_link_invalid');
  });

  it('refuses operations in GET query strings', async () => {
    const response = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions.error.id).toBe('operation_not_allowed');
  });

  it.each([
    ['a percent-encoded parameter name', `%71uery=${encodeURIComponent('{ _service { sdl } }')}`],
    [
      'an encoded name of extensions',
      `%65xtensions=${encodeURIComponent('{}')}&query=${encodeURIComponent('{ __typename }')}`,
    ],
  ])('refuses a GET with %s: the gate judges what Apollo parsed', async (_case, search) => {
    const response = await get(app, search, { authorization: '' });
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions.error.id).toBe('operation_not_allowed');
  });

  it('runs a persisted query over GET, with a comment and other whitespace', async () => {
    const document =
      '# from a GET\nquery Identity($id: UUID!) { identity(id: $id) { id, state, schemaId, traits, createdAt, updatedAt, activeRecoveryLinks } }';
    const response = await get(
      app,
      `query=${encodeURIComponent(document)}&variables=${encodeURIComponent(JSON.stringify({ id: DEMO_ID }))}`,
    );
    const body = (await response.json()) as { data?: { identity: { id: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.identity.id).toBe(DEMO_ID);
  });

  it.each([
    ['a bare hash', createId],
    ['sha256:<hash>', `sha256:${createId}`],
  ])('runs a persisted operation named by documentId, as %s', async (_case, documentId) => {
    const response = await app.post({ documentId, variables: { input: { identityId: DEMO_ID } } });
    const body = (await response.json()) as { data?: { createRecoveryLink: { recoveryLink: string } } };
    expect(body.data?.createRecoveryLink.recoveryLink).toContain('token=');
  });

  it('runs a persisted query named by documentId in a GET query string, however its name is encoded', async () => {
    const variables = encodeURIComponent(JSON.stringify({ id: DEMO_ID }));
    for (const name of ['documentId', '%64ocumentId']) {
      const response = await get(app, `${name}=sha256:${identityId}&variables=${variables}`);
      const body = (await response.json()) as { data?: { identity: { id: string } } };
      expect(body.data?.identity.id).toBe(DEMO_ID);
    }
  });

  it('runs a persisted query named by extensions.persistedQuery in a GET query string', async () => {
    const extensions = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: identityId } }));
    const variables = encodeURIComponent(JSON.stringify({ id: DEMO_ID }));
    const response = await get(app, `extensions=${extensions}&variables=${variables}`);
    const body = (await response.json()) as { data?: { identity: { id: string } } };
    expect(body.data?.identity.id).toBe(DEMO_ID);
    const unknown = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } }));
    const refused = await get(app, `extensions=${unknown}`);
    expect(refused.status).toBe(400);
    expect((await errorBody(refused)).errors[0].extensions.error.id).toBe('operation_not_allowed');
  });

  it('refuses an unknown documentId with 400 operation_not_allowed', async () => {
    const response = await app.post({ documentId: `sha256:${'e'.repeat(64)}` });
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors[0].extensions.error).toMatchObject({
      id: 'operation_not_allowed',
      details: { id: `sha256:${'e'.repeat(64)}` },
    });
  });

  it("runs a frontend's documents from PERSISTED_OPERATIONS_FILE, by sha1 documentId or as the document", async () => {
    const byId = await app.post({ documentId: frontendSha1, variables: { id: DEMO_ID } });
    expect(await byId.json()).toEqual({ data: { identity: { __typename: 'Identity', id: DEMO_ID, state: 'ACTIVE' } } });
    const { body } = await app.graphql(FRONTEND_DOCUMENT.replaceAll(' ', '\n  '), { id: DEMO_ID });
    expect(body.data?.identity.state).toBe('ACTIVE');
  });

  it('lets requests carrying the router secret run any document; others still get the safelist', async () => {
    const router = { 'router-authorization': ROUTER_SECRET };
    const renamed = await routed.graphql('query RouterRenamed { __typename _service { sdl } }', {}, router);
    expect(renamed.body.errors).toBeUndefined();
    expect(renamed.body.data?._service.sdl).toContain('type Identity');
    const entities = await routed.graphql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Identity { state } } }',
      { r: [{ __typename: 'Identity', id: DEMO_ID }] },
      router,
    );
    expect(entities.body.data?._entities).toEqual([{ state: 'ACTIVE' }]);
    const unknownId = await routed.post(
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } },
      router,
    );
    // Left to Apollo's automatic persisted queries, as a router's APQ would be.
    expect((await errorBody(unknownId)).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
