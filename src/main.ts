/** Entry point: read the configuration, build the app, run it until a signal says stop. */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import v8 from 'node:v8';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './platform/logger.js';

// A .env file beside package.json is read if present; real environment variables win.
if (existsSync('.env')) {
  for (const [key, value] of Object.entries(parseEnv(readFileSync('.env', 'utf8')))) process.env[key] ??= value;
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`\n${err.message}\n\n`);
    process.exit(1);
  }
  throw err;
}
process.env.TZ = config.TZ;
// Prisma's query compiler is WebAssembly; V8 compiles it a second time with its optimising tier, which
// costs about 45 MiB that stays for the life of the process. Its plans are cached per query shape, so
// the baseline tier is plenty. Not with the embedded database: PostgreSQL itself runs as WebAssembly
// there, and its speed is the bot's. Set before any WebAssembly is compiled (the database opens below).
if (config.DATABASE_URL) v8.setFlagsFromString('--liftoff-only');
// After a busy minute V8 keeps up to four times the live heap committed (measured: 48 MiB live, 233 MiB
// held after 20,000 updates); growing the limit by half the live size instead keeps the process near
// its working set, for a few percent more CPU in collection (npm run bench:updates).
v8.setFlagsFromString('--heap-growing-percent=50');

const logger = createLogger({ level: config.LOG_LEVEL });
const app = await createApp(config, logger);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) {
    // A second signal: the operator does not want to wait. Updates not yet answered are sent again by
    // Telegram, and rows still leased go back when their lease ends.
    logger.warn({ signal }, 'second signal: exiting at once');
    process.exit(130);
  }
  stopping = true;
  // Stops taking updates (webhook: 503), lets the ones being handled and the sends in flight finish,
  // hands back claimed outbox rows, then closes the connections (app.stop).
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  try {
    await app.stop();
  } finally {
    // The wasm schema engine may leave a timer behind after migrating; nothing else is running now.
    process.exit(0);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));

try {
  await app.start();
} catch (err) {
  logger.fatal({ err }, 'could not start the bot');
  await app.stop().catch(() => {});
  process.exit(1);
}
