import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsSubgraph } from '../../examples/accounts/server.mjs';
import { identityFixture } from '../support/fixtures.js';
import { launchChromium } from '../support/browser.js';
import { CREATE_RECOVERY_LINK, TEST_ADMIN_KEY } from '../support/app.js';
import {
  GATEWAYS,
  startGateway,
  startRecoveryOn,
  type RecoveryOnStore,
  type RunningGateway,
} from './gateway-support.js';

/**
 * The recovery page of a subgraph that answers only its router: served by the subgraph,
 * it redeems through the gateway's public URL (RECOVERY_PAGE_GRAPHQL_URL), cross-origin,
 * in a real headless Chromium.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
const ROUTER_SECRET = 'page-router-secret-of-32-characters!!';

const launched = await launchChromium();
if (launched.browser === null) {
  console.warn(`\n*** SKIPPING the recovery page through a gateway: ${launched.unavailable} ***\n`);
}
const browser = launched.browser as Browser;

afterAll(async () => {
  await browser?.close();
});

/** A free loopback port for the gateway, known before the subgraph that names it starts. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(launched.browser === null).each(GATEWAYS)('the recovery page behind %s', (gatewayKind) => {
  const identity = identityFixture();
  let recovery: RecoveryOnStore;
  let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
  let gateway: RunningGateway;
  /** The gateway's public endpoint, as the page is configured with it. */
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}/graphql`;
    recovery = await startRecoveryOn('embedded', [identity], {
      ROUTER_SECRET,
      TRUSTED_PROXIES: '127.0.0.1, ::1',
      RECOVERY_PAGE_GRAPHQL_URL: publicUrl,
    });
    accounts = await startAccountsSubgraph({ accounts: [] });
    gateway = await startGateway(
      gatewayKind,
      [
        {
          name: 'recovery',
          url: `${recovery.app.url}/graphql`,
          sdl: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
        },
        {
          name: 'accounts',
          url: accounts.url,
          sdl: readFileSync(new URL('../../examples/accounts/schema.graphql', import.meta.url), 'utf8'),
        },
      ],
      { routerSecret: ROUTER_SECRET, port },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await accounts?.stop();
    await recovery?.stop();
  });

  it('redeems through the gateway on Continue, allowed by the page CSP', async () => {
    const created = await fetch(publicUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId: identity.id } } }),
    });
    const link = ((await created.json()) as { data: { createRecoveryLink: { recoveryLink: string } } }).data
      .createRecoveryLink.recoveryLink;
    const pageUrl = `${recovery.app.url}/recovery${new URL(link).search}`;
    const csp = (await fetch(pageUrl)).headers.get('content-security-policy');
    expect(csp).toContain(`connect-src 'self' ${new URL(publicUrl).origin}`);

    const context = await browser.newContext();
    const page = await context.newPage();
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posted.push(request.url());
    });
    await page.goto(pageUrl);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your identity is confirmed' }).waitFor();
    expect(posted).toEqual([publicUrl]);
    await context.close();

    // Used: a second redemption through the gateway is refused with the page's own message.
    const again = await browser.newContext();
    const second = await again.newPage();
    await second.goto(pageUrl);
    await second.getByRole('button', { name: 'Continue' }).click();
    await second.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
    await again.close();
  });
});
