/**
 * `prisma generate` needs no engine, but the CLI looks for the native schema engine first and tries
 * to download it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at a file that exists satisfies that check
 * without any network; generation itself never runs it. Migrations use the WebAssembly engine instead.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const prismaCli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [prismaCli, 'generate', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
process.exit(result.status ?? 1);
