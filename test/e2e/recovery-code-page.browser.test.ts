import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { launchChromium } from '../support/browser.js';
import { CREATE_RECOVERY_CODE, REDEEM_RECOVERY_CODE, startTestApp, type TestApp } from '../support/app.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * The recovery page's code form in headless chromium against the real service and
 * database, beside recovery-page.browser.test.ts (links). Screenshots land in
 * .artifacts/screenshots.
 */
const SCREENSHOTS = new URL('../../.artifacts/screenshots/', import.meta.url);
const SESSION_SIGNING_KEY = 'browser-code-signing-key-with-32-chars!!';
const MAX_ATTEMPTS = 3;

const launched = await launchChromium();
if (launched.browser === null) {
  console.warn(`\n*** SKIPPING the recovery code page browser tests: ${launched.unavailable} ***\n`);
}
const browser = launched.browser as Browser;

let database: ScratchDatabase;
let app: TestApp;
let settings: Server;
let settingsUrl: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  settings = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>Settings</title><h1>Set a new password</h1>');
  }).listen(0, '127.0.0.1');
  await once(settings, 'listening');
  settingsUrl = `http://127.0.0.1:${(settings.address() as AddressInfo).port}/settings`;
  database = await openScratchDatabase();
  app = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
    SESSION_SIGNING_KEY,
    SETTINGS_UI_URL: settingsUrl,
    RECOVERY_CODE_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
  settings?.close();
});

async function newCode(): Promise<{ link: string; code: string; flow: string }> {
  const identity = identityFixture();
  await insertIdentity(database.db, identity);
  const { body } = await app.graphql(CREATE_RECOVERY_CODE, { input: { identityId: identity.id } });
  const { recoveryLink, recoveryCode } = body.data?.createRecoveryCode;
  const link = `${app.url}/recovery${new URL(recoveryLink).search}`;
  return { link, code: recoveryCode, flow: new URL(recoveryLink).searchParams.get('flow') ?? '' };
}

/** A page that records the GraphQL requests it sends. */
async function openPage(): Promise<{ page: Page; posted: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const posted: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/graphql')) posted.push(request.postData() ?? '');
  });
  return { page, posted };
}

const wrongCodeFor = (code: string) => (code === '00000000' ? '11111111' : '00000000');

describe.skipIf(launched.browser === null)('the recovery page code form in a browser', () => {
  it('takes a pasted code with spaces and dashes, and continues to the settings UI as links do', async () => {
    const { link, code, flow } = await newCode();
    const { page, posted } = await openPage();
    await page.goto(link);
    const input = page.getByLabel('Recovery code');
    expect(await input.getAttribute('inputmode')).toBe('numeric');
    expect(await input.getAttribute('autocomplete')).toBe('one-time-code');
    await page.screenshot({ path: new URL('code-1-form.png', SCREENSHOTS).pathname });
    await input.focus();
    await page.evaluate(
      (text) => {
        const data = new DataTransfer();
        data.setData('text', text);
        document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
      },
      `${code.slice(0, 4)} - ${code.slice(4)}`,
    );
    expect(await input.inputValue()).toBe(code);
    // Nothing is sent by filling the field: only the person's submit sends the code.
    expect(posted).toEqual([]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${settingsUrl}#session_token=*`);
    const sessionToken = decodeURIComponent(new URL(page.url()).hash.replace('#session_token=', ''));
    const { payload } = await jwtVerify(sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY));
    expect(payload).toMatchObject({ amr: ['recovery_code'], jti: flow });
    expect(posted).toHaveLength(1);
    await page.context().close();
  });

  it('keeps only digits as they are typed, and never puts the code in the URL or the history', async () => {
    const { link, code } = await newCode();
    const { page } = await openPage();
    await page.goto(link);
    const input = page.getByLabel('Recovery code');
    await input.pressSequentially(`ab${wrongCodeFor(code).slice(0, 4)}-x`);
    expect(await input.inputValue()).toBe(wrongCodeFor(code).slice(0, 4));
    expect(await page.getByRole('button', { name: 'Continue' }).isDisabled()).toBe(true);
    await input.pressSequentially(wrongCodeFor(code).slice(4));
    const entries = await page.evaluate(() => history.length);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('attempts left').waitFor();
    expect(page.url()).not.toContain(wrongCodeFor(code));
    // A submit adds no history entry: the form never navigates, the code goes by POST only.
    expect(await page.evaluate(() => history.length)).toBe(entries);
    expect(await input.inputValue()).toBe('');
    await page.context().close();
  });

  it('counts the attempts left from the maximum and says when the code is used up', async () => {
    const { link, code } = await newCode();
    const { page } = await openPage();
    await page.goto(link);
    const input = page.getByLabel('Recovery code');
    for (let left = MAX_ATTEMPTS - 1; left >= 1; left--) {
      await input.fill(wrongCodeFor(code));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText(`${left} attempt${left === 1 ? '' : 's'} left.`).waitFor();
    }
    await page.screenshot({ path: new URL('code-2-wrong.png', SCREENSHOTS).pathname });
    await input.fill(wrongCodeFor(code));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Too many wrong codes' }).waitFor();
    await page.screenshot({ path: new URL('code-3-exhausted.png', SCREENSHOTS).pathname });
    // The server agrees: the flow is dead, even for the right code.
    const again = await app.graphql(REDEEM_RECOVERY_CODE, {
      input: { flow: new URL(link).searchParams.get('flow'), code },
    });
    expect(again.body.errors?.[0]?.extensions.error.id).toBe('recovery_code_attempts_exhausted');
    await page.context().close();
  });

  it('is not consumed by scanners and previews opening the link', async () => {
    const { link, code } = await newCode();
    for (let i = 0; i < 3; i++) {
      const { page, posted } = await openPage();
      await page.goto(link);
      await page.getByLabel('Recovery code').waitFor();
      expect(posted).toEqual([]);
      await page.context().close();
    }
    const { page } = await openPage();
    await page.goto(link);
    await page.getByLabel('Recovery code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${settingsUrl}#session_token=*`);
    await page.context().close();
  });
});

describe('the recovery page of a code over HTTP', () => {
  it('is sent with the same strict CSP as for links, and names the code operation', async () => {
    const response = await fetch(`${app.url}/recovery?flow=3fa85f64-5717-4562-b3fc-2c963f66afa6`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('autocomplete="one-time-code"');
    expect(html).toContain('mutation RedeemRecoveryCode');
    expect(html).toContain(`"codeMaxAttempts":${MAX_ATTEMPTS}`);
  });
});
