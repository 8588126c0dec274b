/**
 * Recurring announcements (/recurring): part of the broadcasts feature. Its service makes each
 * occurrence through the broadcast service it is given; the module parts are merged into broadcasts'.
 */
import type { FeatureJob } from '../../../platform/bot/feature.js';
import { recurringFeature, recurringForm } from './bot.js';
import type { RecurringService } from './service.js';

export { createRecurringService, type RecurringDeps, type RecurringDraft, type RecurringService } from './service.js';

const jobs: FeatureJob<{ recurring: RecurringService }>[] = [
  { name: 'recurring-broadcasts', cron: '* * * * *', run: (s, { now }) => s.recurring.tick(now) },
];

export const recurringParts = {
  composer: recurringFeature,
  forms: [recurringForm],
  jobs,
  commands: { admin: ['recurring'] },
} as const;
