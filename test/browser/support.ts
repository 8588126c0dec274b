/**
 * The sandbox in a real headless Chromium: Debian's `chromium` package driven by playwright-core (no
 * browser download). The sandbox runs in this test process, as `npm run sandbox` runs it, on this file's
 * embedded test database, with the e2e tests' Bot API emulator handed in directly (which also checks at
 * compile time that the emulator fits the sandbox's interface).
 *
 * Without chromium the suite fails in CI (it must never be skipped silently there) and is skipped with
 * a visible warning on a developer's machine, like the suites that need database servers.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { StartEmulator } from '../../src/sandbox/emulator.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { createLogger } from '../../src/platform/logger.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import { cleanTestDatabase } from '../support/file-database.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results/sandbox');

export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  if (process.env.CI) throw new Error(`${name}: no Chromium at ${CHROMIUM}; .ci/run installs Debian's chromium package`);
  console.warn(`SKIPPED "${name}": install Chromium (apt-get install chromium) or set CHROMIUM_PATH to run it`);
  describe.skip(name, body);
}

export const startEmulator: StartEmulator = (options) => FakeBotApi.start(options);

export interface SandboxUnderTest {
  sandbox: Sandbox;
  logs: string[];
  close(): Promise<void>;
}

/** The sandbox on a fresh copy of the test database, in a data folder of its own, on any free loopback port. */
export async function startTestSandbox(options: { clockStart?: Date } = {}): Promise<SandboxUnderTest> {
  const db = await cleanTestDatabase('embedded');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ngo-sandbox-'));
  const logs: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void logs.push(line) } });
  const sandbox = await startSandbox({ startEmulator, dataDir, host: '127.0.0.1', port: 0, logger, db, unpaced: true, ...options }).catch(
    async (error: unknown) => {
      await db.close();
      throw error;
    },
  );
  return {
    sandbox,
    logs,
    async close() {
      try {
        await sandbox.close();
      } finally {
        await db.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A phone-sized page (the chat column is the phone) with the sandbox open. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'fa-IR' });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await page.locator('.persona').first().waitFor();
  if (errors.length > 0) throw new Error(`the page failed: ${errors.join('; ')}`);
  return page;
}

export interface SandboxSession {
  under: SandboxUnderTest;
  page: Page;
  chat: ChatPage;
}

/**
 * One sandbox and one Chromium page for the tests of a describe block: started before them, closed after.
 * The fields are there once the block's tests run.
 */
export function sandboxSession(options: { clockStart: Date }): SandboxSession {
  const session = {} as SandboxSession;
  let browser: Browser | undefined;
  beforeAll(async () => {
    session.under = await startTestSandbox(options);
    browser = await launchChromium();
    session.page = await openPage(browser, session.under.sandbox.url);
    session.chat = new ChatPage(session.page);
  });
  afterAll(async () => {
    await browser?.close();
    await session.under?.close();
  });
  return session;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

const exactly = (label: string) => new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/** What a person does and sees in the page, as they would with a mouse and keyboard. */
export class ChatPage {
  constructor(readonly page: Page) {}

  async as(personaId: number): Promise<void> {
    await this.page.locator(`.persona[data-persona="${personaId}"]`).click();
    await this.page.locator(`#messages[data-persona="${personaId}"]`).waitFor({ state: 'attached' });
  }

  async say(text: string): Promise<void> {
    await this.page.locator('#composer-text').fill(text);
    await this.page.locator('#composer-text').press('Enter');
  }

  /** The newest bot message whose text includes `text`, once it is shown. */
  botMessage(text: string): Locator {
    return this.page.locator('.msg.from-bot', { hasText: text }).last();
  }

  async waitFor(text: string, timeout = 15_000): Promise<Locator> {
    const message = this.botMessage(text);
    await message.waitFor({ timeout });
    return message;
  }

  /** Resolves once `locator` shows and its text includes `text`. */
  async expectText(locator: Locator, text: string, timeout = 15_000): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor({ timeout });
  }

  async expectCount(locator: Locator, count: number, timeout = 15_000): Promise<void> {
    await expect.poll(() => locator.count(), { timeout }).toBe(count);
  }

  /** Presses the inline button with this label under the newest message that has one. */
  async press(label: string): Promise<void> {
    await this.page.locator('.inline-btn').filter({ hasText: exactly(label) }).last().click();
  }

  async pressReply(label: string): Promise<void> {
    await this.page.locator('.reply-btn').filter({ hasText: exactly(label) }).click();
  }

  /** Sends `text` and waits for the answer that includes `expected`. */
  async ask(text: string, expected: string): Promise<Locator> {
    const before = await this.page.locator('.msg.from-bot', { hasText: expected }).count();
    await this.say(text);
    await expect.poll(() => this.page.locator('.msg.from-bot', { hasText: expected }).count(), { timeout: 15_000 }).toBeGreaterThan(before);
    return this.botMessage(expected);
  }
}
