import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { launchChromium } from '../support/browser.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * The recovery page in a real headless browser (Debian's chromium through playwright-core)
 * against the real service and database. Screenshots land in .artifacts/screenshots.
 */
const SCREENSHOTS = new URL('../../.artifacts/screenshots/', import.meta.url);
const SESSION_SIGNING_KEY = 'browser-test-signing-key-with-32-chars!!';

const launched = await launchChromium();
if (launched.browser === null) {
  console.warn(`\n*** SKIPPING the recovery page browser tests: ${launched.unavailable} ***\n`);
}
const browser = launched.browser as Browser;

let database: ScratchDatabase;
let app: TestApp;
let settings: Server;
let settingsUrl: string;
/** An allowlisted return URL on the same stand-in server, under a path of its own. */
let returnUrl: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A stand-in for the settings UI the page continues to.
  settings = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>Settings</title><h1>Set a new password</h1>');
  }).listen(0, '127.0.0.1');
  await once(settings, 'listening');
  settingsUrl = `http://127.0.0.1:${(settings.address() as AddressInfo).port}/settings`;
  returnUrl = `http://127.0.0.1:${(settings.address() as AddressInfo).port}/return/done?step=2`;
  database = await openScratchDatabase();
  app = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
    SESSION_SIGNING_KEY,
    SETTINGS_UI_URL: settingsUrl,
    RECOVERY_RETURN_TO_ALLOWLIST: new URL('/return/', settingsUrl).toString(),
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
  settings?.close();
});

async function seededIdentity() {
  const identity = identityFixture();
  await insertIdentity(database.db, identity);
  return identity;
}

async function newLink(expiresIn?: string, returnTo?: string): Promise<string> {
  const identity = await seededIdentity();
  const { body } = await app.graphql(CREATE_RECOVERY_LINK, {
    input: { identityId: identity.id, expiresIn, returnTo },
  });
  return body.data?.createRecoveryLink.recoveryLink;
}

/** The link as the person's browser opens it: on this server, whatever the base URL says. */
const onServer = (link: string) => `${app.url}/recovery${new URL(link).search}`;

async function openPage(): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

describe.skipIf(launched.browser === null)('the recovery page in a browser', () => {
  it('hides the token, redeems on Continue, and without a returnTo continues to the settings UI with the session', async () => {
    const page = await openPage();
    await page.goto(onServer(await newLink()));
    expect(page.url()).not.toContain('token=');
    await expect(page.getByRole('heading', { name: 'Recover your account' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: new URL('1-opened.png', SCREENSHOTS).pathname });

    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${settingsUrl}#session_token=*`);
    const sessionToken = decodeURIComponent(new URL(page.url()).hash.replace('#session_token=', ''));
    const { payload } = await jwtVerify(sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY));
    expect(payload.amr).toEqual(['recovery_link']);
    expect(payload).not.toHaveProperty('return_to');
    await page.screenshot({ path: new URL('2-settings.png', SCREENSHOTS).pathname });
    await page.context().close();
  });

  it('continues to the link’s allowed returnTo instead of the settings UI, with the session in the fragment', async () => {
    const page = await openPage();
    await page.goto(onServer(await newLink(undefined, returnUrl)));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${returnUrl}#session_token=*`);
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}${landed.search}`).toBe(returnUrl);
    const sessionToken = decodeURIComponent(landed.hash.replace('#session_token=', ''));
    const { payload } = await jwtVerify(sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY));
    expect(payload.return_to).toBe(returnUrl);
    await page.screenshot({ path: new URL('2c-return-to.png', SCREENSHOTS).pathname });
    await page.context().close();
  });

  it('shows the outcome itself when no settings UI is configured', async () => {
    const standalone = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name });
    try {
      const { body } = await standalone.graphql(CREATE_RECOVERY_LINK, {
        input: { identityId: (await seededIdentity()).id },
      });
      const page = await openPage();
      await page.goto(`${standalone.url}/recovery${new URL(body.data?.createRecoveryLink.recoveryLink).search}`);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Your identity is confirmed' }).waitFor();
      expect(await page.getByText('Contact support to finish').isVisible()).toBe(true);
      expect(await page.content()).not.toContain('eyJ');
      await page.screenshot({ path: new URL('2b-confirmed.png', SCREENSHOTS).pathname });
      await page.context().close();
    } finally {
      await standalone.stop();
    }
  });

  it('says plainly when the link has expired', async () => {
    const link = await newLink('100ms');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const page = await openPage();
    await page.goto(onServer(link));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    expect(await page.getByText('Ask for a new recovery link').isVisible()).toBe(true);
    expect(await page.getByText('Reference for support:').isVisible()).toBe(true);
    await page.screenshot({ path: new URL('3-expired.png', SCREENSHOTS).pathname });
    await page.context().close();
  });

  it('is not consumed by scanners and previews opening the link: it still works after', async () => {
    const link = await newLink();
    for (let i = 0; i < 3; i++) {
      const page = await openPage();
      await page.goto(onServer(link));
      await page.context().close();
    }
    for (let i = 0; i < 3; i++) expect((await fetch(onServer(link))).status).toBe(200);

    const page = await openPage();
    await page.goto(onServer(link));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${settingsUrl}#session_token=*`);
    // And now it is used: a second redemption is refused.
    const again = await app.graphql(REDEEM_RECOVERY_LINK, { input: linkParameters(link) });
    expect(again.body.errors?.[0]?.extensions.error.id).toBe('recovery_link_invalid');
    await page.context().close();
  });

  it('explains a damaged link without calling the server', async () => {
    // Without its token a link's flow would show the code form: the flow is what is missing here.
    const link = new URL(onServer(await newLink()));
    link.searchParams.delete('flow');
    const page = await openPage();
    const graphqlRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/graphql')) graphqlRequests.push(request.url());
    });
    await page.goto(link.toString());
    await page.getByRole('heading', { name: 'This link is incomplete' }).waitFor();
    expect(graphqlRequests).toEqual([]);
    await page.screenshot({ path: new URL('4-damaged.png', SCREENSHOTS).pathname });
    await page.context().close();
  });
});

describe('the recovery page over HTTP', () => {
  it('is sent with a strict CSP, a fresh nonce, no caching and no referrer', async () => {
    const first = await fetch(`${app.url}/recovery?flow=x&token=y`);
    const second = await fetch(`${app.url}/recovery`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(await first.text()).toContain(`<script nonce="${nonce}">`);
    expect(second.headers.get('content-security-policy')).not.toBe(csp);
  });

  it('refuses anything but GET and HEAD', async () => {
    const response = await fetch(`${app.url}/recovery`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
