/** What every handler can rely on: the user's record, their language, the use cases, and a session. */
import type { Context } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Formatter } from '../i18n/format.js';
import type { Language, Translator } from '../i18n/index.js';
import type { Logger } from '../logger.js';
import type { CommandMenu } from './commands.js';
import type { AnyFormRunner } from './forms/engine.js';
import type { UserService } from './users.js';

/** Half-filled forms live here; stored in Redis or the database so a restart loses nothing. */
export interface SessionData {
  form?: { name: string; step: string; data: Record<string, unknown>; startedAt: string };
}

/**
 * The use cases handlers call. The platform knows only its own; src/features/index.ts adds every
 * feature's through declaration merging, so the platform never imports a feature.
 */
export interface AppServices {
  translator: Translator;
  users: UserService;
}

export interface BotContext<U extends Update = Update> extends Context<U> {
  session: SessionData;
  services: AppServices;
  /** Every form of every feature, by name: for the router and for /start resuming a form left half-way. */
  forms: ReadonlyMap<string, AnyFormRunner>;
  commandMenu: CommandMenu;
  /** https://t.me or https://ble.ir: where deep links to this bot point. */
  deepLinkRoot: string;
  log: Logger;
  user: KnownUser;
  lang: Language;
  /** Numbers, dates and times in the reader's language. */
  fmt: Formatter;
  t(key: string, options?: Record<string, unknown>): string;
}

export type { KnownUser } from './users.js';
import type { KnownUser } from './users.js';
