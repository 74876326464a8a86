import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium. A browser downloaded by a test tool would not work here. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Launches headless chromium, installing Debian's package first when it is missing and
 * this process may (root). Null, with the reason, only where it cannot be had at all.
 */
export async function launchChromium(): Promise<{ browser: Browser | null; unavailable?: string }> {
  if (!existsSync(CHROMIUM) && process.getuid?.() === 0) {
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (error) {
      return { browser: null, unavailable: `apt-get could not install chromium: ${(error as Error).message}` };
    }
  }
  if (!existsSync(CHROMIUM))
    return { browser: null, unavailable: `${CHROMIUM} is missing and this user cannot install it` };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags chromium keeps dialling out, which this
    // sandbox refuses; the rest keep the run quiet and reproducible.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return { browser };
}
