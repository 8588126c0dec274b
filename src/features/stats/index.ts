/** The office's statistics (/stats): NGOs by status, county and field with their activity level, courses, feedback, announcements, deadlines, and a chart. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import { Handlers } from '../../platform/bot/handlers.js';
import type { Services } from '../index.js';
import { statsFeature } from './bot.js';

export { createStatsService, type StatsService } from './service.js';

export const statsModule: FeatureModule<Services> = {
  name: 'stats',
  composer: new Handlers<BotContext>(statsFeature),
  commands: { admin: ['stats'] },
};
