/**
 * `npm run sandbox`: the whole bot on this machine, with a chat page in the browser instead of Telegram.
 *
 *   SANDBOX_PORT  the page's port (default 8377; 0 = any free port)
 *   SANDBOX_HOST  where the page listens (default 127.0.0.1); anything but loopback is said loudly
 *   SANDBOX_DIR   the sandbox's data folder (default ./data/sandbox): its own embedded database
 *
 * It reads no .env and needs no token; a BOT_TOKEN in the environment that points at a real Bot API
 * makes it refuse to start (safety.ts).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../platform/logger.js';
import type { StartEmulator } from './emulator.js';
import { listenAddress, refuseRealBot, SandboxRefused } from './safety.js';
import { startSandbox } from './sandbox.js';

let address: ReturnType<typeof listenAddress>;
try {
  refuseRealBot(process.env);
  address = listenAddress(process.env);
} catch (error) {
  if (!(error instanceof SandboxRefused)) throw error;
  process.stderr.write(`\n${error.message}\n\n`);
  process.exit(1);
}
process.env.TZ = 'Asia/Tehran';

// The emulator is the one the e2e tests use (see emulator.ts for why it is loaded by path); the sandbox
// runs from the sources through tsx, so the TypeScript file loads as it is.
const emulatorPath = path.resolve(import.meta.dirname, '../../test/support/fake-bot-api/index.ts');
const { FakeBotApi } = (await import(pathToFileURL(emulatorPath).href)) as { FakeBotApi: { start: StartEmulator } };

const logger = createLogger({ level: process.env.LOG_LEVEL?.trim() || 'warn' });
const dataDir = path.resolve(process.env.SANDBOX_DIR?.trim() || 'data/sandbox');
const sandbox = await startSandbox({
  startEmulator: (options) => FakeBotApi.start(options),
  dataDir,
  host: address.host,
  port: address.port,
  logger,
}).catch((error: unknown) => {
  if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
  process.stderr.write(
    `\nدرگاه ${address.port} در دسترس نیست؛ با SANDBOX_PORT درگاه دیگری بدهید.\nPort ${address.port} is taken: choose another with SANDBOX_PORT.\n\n`,
  );
  process.exit(1);
});

process.stdout.write(
  [
    '',
    'محیط آزمایشی ربات آماده است — The sandbox is ready:',
    `  ${sandbox.url}`,
    `داده‌ها — data: ${dataDir}`,
    address.exposed
      ? `هشدار: صفحه روی ${address.host} باز است و از شبکه دیده می‌شود — WARNING: the page listens on ${address.host}, reachable from the network.`
      : 'فقط از همین رایانه — loopback only.',
    'برای پایان Ctrl+C — Ctrl+C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  await sandbox.close().catch((err: unknown) => logger.error({ err }, 'sandbox did not stop cleanly'));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
