import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kind, parse, print, visit } from 'graphql';
import { DEMO_IDENTITY } from '../../src/stores/index.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  REVOKE_RECOVERY_LINKS,
  TEST_ADMIN_KEY,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';

/**
 * The compiled engine (src/graphql/compiled-execution.ts) against graphql-js's execute,
 * through the whole HTTP answer: two apps, COMPILED_EXECUTION=true and =false, each on an
 * embedded store that the same requests bring into the same state, get the same request
 * (the same X-Request-Id) and must give the same status, headers, body, log lines and
 * metric changes. What differs by nature (tokens, flows, instants, durations, ports) is
 * replaced by its shape before comparing. Requests vary the document's text (own, router,
 * Apollo Client), variables (valid, invalid, missing, wrong types, nulls, extra fields),
 * Accept headers (none included), operation names and extensions.
 */
let compiled: TestApp;
let graphqlJs: TestApp;

beforeAll(async () => {
  [compiled, graphqlJs] = await Promise.all([
    startTestApp({ COMPILED_EXECUTION: 'true' }),
    startTestApp({ COMPILED_EXECUTION: 'false' }),
  ]);
});
afterAll(async () => {
  await Promise.all([compiled?.stop(), graphqlJs?.stop()]);
});

const routerText = (document: string) => {
  const operation = parse(document).definitions[0]!;
  if (operation.kind !== Kind.OPERATION_DEFINITION) throw new Error('not an operation');
  return print({ ...operation, name: { kind: Kind.NAME, value: `${operation.name!.value}__recovery__0` } })
    .replace(/\s+/g, ' ')
    .replace(/ ?([{}():,!$]) ?/g, '$1');
};
const apolloClientText = (document: string) =>
  print(
    visit(parse(document), {
      Field(field) {
        if (field.selectionSet === undefined) return undefined;
        const selections = [
          ...field.selectionSet.selections,
          { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } },
        ];
        return { ...field, selectionSet: { ...field.selectionSet, selections } };
      },
    }),
  );

const DOCUMENTS = {
  create: CREATE_RECOVERY_LINK,
  redeem: REDEEM_RECOVERY_LINK,
  revoke: REVOKE_RECOVERY_LINKS,
  // A default value (graphql-jit cannot compile a Duration literal among arguments; one in a
  // variable's default it can).
  createWithDefault: `mutation Create($input: CreateRecoveryLinkInput! = { identityId: "${DEMO_IDENTITY.id}", expiresIn: "45m" }) { createRecoveryLink(input: $input) { expiresAt recoveryLink } }`,
} as const;
type DocumentName = keyof typeof DOCUMENTS;

const anything = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 8 }),
  fc.constant(DEMO_IDENTITY.id),
  fc.constant(DEMO_IDENTITY.id.toUpperCase()),
  fc.constant('not-a-uuid'),
  fc.constantFrom('1h', '10m', '0s', '-1h', '9999h', 'soon'),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.constant({}),
);
/** A field of an input object: absent, or some value (valid or not). */
const field = (valid: fc.Arbitrary<unknown>) =>
  fc.option(fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: anything, weight: 1 }), { nil: undefined, freq: 6 });
const createInput = fc.record({
  identityId: field(fc.constant(DEMO_IDENTITY.id)),
  expiresIn: field(fc.constantFrom('1h', '30m')),
});
/** `link` stands for the flow and token of a link created on the app being asked. */
const redeemInput = fc.record({
  flow: field(fc.constant('link')),
  token: field(fc.constant('link')),
  extra: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: anything, weight: 1 }),
});
const input = (shape: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: shape, weight: 5 }, { arbitrary: anything, weight: 1 });
const variablesFor: Record<DocumentName, fc.Arbitrary<unknown>> = {
  create: fc.option(fc.record({ input: input(createInput) }), { nil: undefined, freq: 8 }),
  redeem: fc.option(fc.record({ input: input(redeemInput) }), { nil: undefined, freq: 8 }),
  revoke: fc.option(fc.record({ identityId: field(fc.constant(DEMO_IDENTITY.id)) }), {
    nil: undefined,
  }),
  createWithDefault: fc.option(fc.record({ input: fc.option(input(createInput), { nil: undefined, freq: 2 }) }), {
    nil: undefined,
    freq: 3,
  }),
};

const requestArbitrary = fc
  .constantFrom<DocumentName>('create', 'redeem', 'revoke', 'createWithDefault')
  .chain((name) =>
    fc.record({
      name: fc.constant(name),
      shape: fc.constantFrom('own', 'router', 'Apollo Client'),
      variables: variablesFor[name],
      operationName: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        { arbitrary: fc.constant('own'), weight: 3 },
        fc.constant(null),
        fc.constant('Other'),
        fc.constant(5),
      ),
      extensions: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        { arbitrary: fc.constant({}), weight: 2 },
        fc.constant({ custom: 1 }),
        fc.constant({ persistedQuery: { version: 1, sha256Hash: 'abc' } }),
      ),
      accept: fc.constantFrom(
        undefined,
        'application/json',
        'application/graphql-response+json',
        '*/*',
        'application/json, application/graphql-response+json;q=0.9',
        'text/html',
        'foo/bar',
      ),
      anonymous: fc.boolean(),
    }),
  );
type GeneratedRequest = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

function textOf(request: GeneratedRequest): string {
  const own = DOCUMENTS[request.name];
  if (request.shape === 'router' && request.name !== 'createWithDefault') return routerText(own);
  if (request.shape === 'Apollo Client') return apolloClientText(own);
  return own;
}

/** The same request for one app: `link` replaced by the flow and token of a link of that app's own. */
async function bodyFor(app: TestApp, request: GeneratedRequest) {
  const text = textOf(request);
  let variables = request.variables as Record<string, unknown> | undefined;
  const redeem = variables?.input as Record<string, unknown> | undefined;
  if (request.name === 'redeem' && typeof redeem === 'object' && redeem !== null && !Array.isArray(redeem)) {
    const created = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_IDENTITY.id } });
    const link = linkParameters(created.body.data!.createRecoveryLink.recoveryLink as string);
    const own = (key: 'flow' | 'token') => (redeem[key] === 'link' ? link[key] : redeem[key]);
    variables = { input: { ...redeem, flow: own('flow'), token: own('token') } };
  }
  const operationName =
    request.operationName === 'own'
      ? (parse(text).definitions[0] as { name?: { value: string } }).name?.value
      : request.operationName;
  return { query: text, variables, operationName, extensions: request.extensions };
}

const metricLines = async (app: TestApp) =>
  new Map(
    (await (await fetch(`${app.url}/metrics`)).text())
      .split('\n')
      .filter((line) =>
        /^(graphql_requests_total|recovery_|store_errors_total|graphql_request_duration_seconds_count)/.test(line),
      )
      .map((line) => {
        const space = line.lastIndexOf(' ');
        return [line.slice(0, space), Number(line.slice(space + 1))] as const;
      }),
  );

/** What differs by nature between two processes answering the same request. */
const normalise = (text: string, app: TestApp) =>
  text
    .replaceAll(new URL(app.url).port, '<port>')
    .replace(/flow=[0-9a-f-]{36}&token=[\w-]+/g, 'flow=<flow>&token=<token>')
    .replace(/"sessionToken":"[\w.-]+"/g, '"sessionToken":"<jwt>"')
    // Link tokens (256 bits, base64url), also where an error message prints a variable.
    .replace(/(?<![\w-])[\w-]{43}(?![\w-])/g, '<token>')
    // Flows are random ids; the identities are the same on both sides.
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) =>
      id === DEMO_IDENTITY.id ? id : '<flow>',
    )
    // Instants as minutes from now: a default lifespan that differs still shows.
    .replace(
      /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g,
      (instant) => `<now+${Math.round((Date.parse(instant) - Date.now()) / 60_000)}m>`,
    )
    .replace(/"(time|durationMs|pid)":\d+/g, '"$1":0');

async function answer(app: TestApp, request: GeneratedRequest, requestId: string) {
  const body = await bodyFor(app, request);
  const before = await metricLines(app);
  const logsBefore = app.logs.length;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': requestId,
    ...(request.accept === undefined ? {} : { accept: request.accept }),
    ...(request.anonymous ? {} : { authorization: `Bearer ${TEST_ADMIN_KEY}` }),
  };
  const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  const after = await metricLines(app);
  const deltas = [...after].flatMap(([key, value]) =>
    value !== (before.get(key) ?? 0) ? [`${key} +${value - (before.get(key) ?? 0)}`] : [],
  );
  const responseHeaders = [...response.headers].filter(
    ([name]) => !['date', 'x-request-id', 'keep-alive', 'connection'].includes(name),
  );
  return {
    status: response.status,
    headers: responseHeaders,
    body: normalise(text, app),
    logs: app.logs.slice(logsBefore).map((line) => normalise(line, app)),
    metrics: deltas,
  };
}

describe('compiled execution against graphql-js, through the whole HTTP answer', () => {
  it('answers every generated request exactly as graphql-js does', async () => {
    let n = 0;
    let created = 0;
    let redeemed = 0;
    let resolverErrors = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (request) => {
        const requestId = `differential-${n++}`;
        const [fromCompiled, fromGraphqlJs] = [
          await answer(compiled, request, requestId),
          await answer(graphqlJs, request, requestId),
        ];
        expect(fromCompiled).toEqual(fromGraphqlJs);
        if (fromCompiled.body.startsWith('{"data":{"createRecoveryLink":{')) created++;
        if (fromCompiled.body.startsWith('{"data":{"redeemRecoveryLink":{')) redeemed++;
        if (/^\{"errors":.*"data":/.test(fromCompiled.body)) resolverErrors++;
      }),
      { numRuns: 150, seed: Number(process.env.FC_SEED ?? 17) },
    );
    // The generator reaches the compiled path, not only graphql-js's refusals of variables.
    expect({ created, redeemed, resolverErrors }).toEqual({
      created: expect.toSatisfy((count: number) => count >= 5),
      redeemed: expect.toSatisfy((count: number) => count >= 2),
      resolverErrors: expect.toSatisfy((count: number) => count >= 5),
    });
  }, 240_000);
});
