/**
 * Memory settings of the embedded database (PGlite), measured by test/bench/pglite-memory/measure.ts.
 * Placeholder: settled from the measurements.
 */
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

export type PostgresSettings = Record<string, string>;

export const embeddedSettings: PostgresSettings = {};

/** PGlite's own start parameters (single-user mode, fsync off as PGlite ships) plus `-c name=value` per setting. */
export function pgliteStartParams(settings: PostgresSettings = embeddedSettings): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

export function pgliteMemoryOptions(settings: PostgresSettings = embeddedSettings): Pick<PGliteOptions, 'startParams'> {
  return { startParams: pgliteStartParams(settings) };
}
