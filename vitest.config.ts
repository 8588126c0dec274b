import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.js';

/**
 * Five projects, run together by `npm test` (`vitest run`) or alone (`npm run test:unit` ...):
 * - unit: pure rules, no I/O;
 * - service: use cases on the embedded database, no Telegram;
 * - integration: storage, outbox, kv and session contracts on embedded PGlite and (with
 *   TEST_DATABASE_URL / TEST_REDIS_URL) on PostgreSQL and Redis servers;
 * - e2e: the real app through the fake Bot API over HTTP, on one storage mode (test/support/database.ts);
 * - browser: the sandbox (src/sandbox) in a real headless Chromium, the `npm run sandbox` command, its clock.
 *
 * Test files run in parallel, each in its own process: each opens its own databases (named per file on
 * the server), Redis namespaces and fake Bot API port, so files never share state. The global setup
 * migrates the database templates once per run, before any file starts.
 */
const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks',
} satisfies TestProjectInlineConfiguration['test'];

const project = (name: string): TestProjectInlineConfiguration => ({
  test: { name, include: [`test/${name}/**/*.test.ts`], ...shared },
});

export default defineConfig({
  test: {
    // Two cores: three files at a time keeps both busy while e2e files wait on HTTP and the database.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirstSequencer },
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [project('unit'), project('service'), project('integration'), project('e2e'), project('browser')],
  },
});
