/**
 * Prisma's schema engine compiled to WebAssembly, driven through a driver adapter.
 *
 * Why: Prisma's native schema engine is a binary downloaded from a host that many networks (and
 * these build machines) cannot reach. The same engine ships on npm as WebAssembly. Its package
 * imports the .wasm file as an ES module, which Node 20 allows only behind a flag, so we
 * instantiate it by hand: the result is the same engine on Node 20, 22 and 24 with no flags.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';

// Node has WebAssembly built in; the ES2023 lib this project compiles against does not declare it.
const wasmRuntime = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }> };
}).WebAssembly;

let loaded: Promise<typeof engineGlue> | undefined;

function loadEngineModule(): Promise<typeof engineGlue> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const glueFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(glueFile), 'schema_engine_bg.wasm'));
    const { instance } = await wasmRuntime.instantiate(bytes, { './schema_engine_bg.js': engineGlue });
    const glue = engineGlue as unknown as { __wbg_set_wasm(exports: unknown): void };
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return engineGlue;
  })();
  return loaded;
}

export const emptySchemaFilter = { externalTables: [], externalEnums: [] };

export interface EngineLog {
  (line: string): void;
}

export interface OpenEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes every connection it opened (a pg pool would otherwise keep the process alive). */
  close(): Promise<void>;
}

export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: { path: string; content: string },
  log: EngineLog = () => {},
): Promise<OpenEngine> {
  const glue = await loadEngineModule();
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    adapterName: adapterFactory.adapterName,
    provider: adapterFactory.provider,
    connect: async () => {
      const adapter = await adapterFactory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await adapterFactory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  return {
    engine,
    close: async () => {
      engine.free();
      await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
    },
  };
}

/** Reads prisma/migrations the way Prisma's CLI does (sorted directories, each with migration.sql). */
export async function readMigrationList(migrationsDir: string): Promise<MigrationList> {
  const lockPath = 'migration_lock.toml';
  const lockContent = await readFile(path.join(migrationsDir, lockPath), 'utf8').catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const content = await readFile(path.join(migrationsDir, entry.name, 'migration.sql'), 'utf8').then(
      (value) => ({ tag: 'ok' as const, value }),
      (error: Error) => ({ tag: 'error' as const, value: error.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } });
  }
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockPath, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}
