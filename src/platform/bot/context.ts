/** What every handler can rely on: the user's record, their language, the use cases, and a session. */
import type { Context } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Language } from '../i18n/index.js';
import type { Logger } from '../logger.js';
import type { KnownUser } from './users.js';
import type { Services } from '../../features/services.js';

/** Half-filled forms live here; stored in Redis or the database so a restart loses nothing. */
export interface SessionData {
  form?: { name: string; step: string; data: Record<string, unknown>; startedAt: string };
}

export interface BotContext<U extends Update = Update> extends Context<U> {
  session: SessionData;
  services: Services;
  /** https://t.me or https://ble.ir: where deep links to this bot point. */
  deepLinkRoot: string;
  log: Logger;
  user: KnownUser;
  lang: Language;
  t(key: string, options?: Record<string, unknown>): string;
}
