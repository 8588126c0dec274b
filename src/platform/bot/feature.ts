/**
 * What a feature hands the platform: its bot handlers, its forms, its cron jobs and its entries in the
 * command menu. The app reads one registry of these (src/features/index.ts), so adding a feature is a
 * folder and a line there; the platform itself never names a feature.
 */
import type { BotContext } from './context.js';
import type { Handlers } from './handlers.js';
import type { JobContext } from '../scheduler/scheduler.js';
import type { AnyFormRunner } from './forms/engine.js';

export interface FeatureJob<S> {
  /** Unique across features: it names the job's rows in job_runs. */
  name: string;
  /** Cron expression in Asia/Tehran time (node-cron syntax, seconds optional). */
  cron: string;
  run(services: S, tick: JobContext): Promise<unknown>;
}

export interface FeatureModule<S = unknown> {
  name: string;
  /** Commands, buttons and callbacks, in the order they are tried (before the form router). */
  composer?: Handlers<BotContext>;
  /** Tried after every feature and after the form being filled in: the catch-all. */
  fallback?: Handlers<BotContext>;
  forms?: readonly AnyFormRunner[];
  jobs?: readonly FeatureJob<S>[];
  /** Entries of the command menu, in the order shown: `member` for everyone, `admin` added for staff. */
  commands?: { member?: readonly string[]; admin?: readonly string[] };
}

export function memberCommands(features: readonly FeatureModule<never>[]): string[] {
  return features.flatMap((f) => f.commands?.member ?? []);
}

export function adminCommands(features: readonly FeatureModule<never>[]): string[] {
  return features.flatMap((f) => f.commands?.admin ?? []);
}
