/**
 * Debian's Chromium, headless, driven by playwright-core (no downloaded browser). `.ci/run`
 * installs the chromium package when it is missing; CHROMIUM_PATH points elsewhere.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { disposeLater } from './disposal';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  disposeLater(() => browser.close());
  return browser;
}

/** Every request a context makes, pages and their workers alike, by origin. */
export class RequestLog {
  readonly requests: string[] = [];

  constructor(context: BrowserContext) {
    context.on('request', (r: Request) => this.requests.push(r.url()));
  }

  /** Requests to any origin but `origin` (data: and blob: URLs are not requests to anyone). */
  elsewhere(origin: string): string[] {
    const ws = origin.replace(/^http/, 'ws');
    return this.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith(`${ws}/`) && !/^(data|blob):/.test(u));
  }
}

/** Signs in on the console's sign-in form. */
export async function signIn(page: Page, origin: string, key: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
