/** Debian's Chromium through playwright-core (a browser download is not possible here). */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from './server';

const CHROMIUM = process.env.LOOPSCOPE_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = join(repoRoot, 'e2e', 'artifacts');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * A page of 1440x900 that records console errors (with the URL they are about) and uncaught
 * exceptions. The browser's own request for `/favicon.ico` (the app has none) is not an error of
 * the app and is left out.
 */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    if (/\/favicon\.ico$/.test(url)) return;
    errors.push(url ? `${m.text()} (${url})` : m.text());
  });
  return { page, errors };
}

/** Saves a screenshot under e2e/artifacts (kept by CI). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
