/** Project and reporting deadlines: targets, reports, reminders before and after, the overdue digest. */
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { deadlineForms, deadlinesFeature } from './bot.js';

export { createDeadlineService, type DeadlineService } from './service.js';
export { NEW_PROJECT } from './actions.js';

export const deadlinesModule: FeatureModule<Services> = {
  name: 'deadlines',
  composer: deadlinesFeature,
  forms: deadlineForms,
  jobs: [
    // Every minute: idempotent, so a tick missed or repeated changes nothing.
    {
      name: 'deadline-reminders',
      cron: '* * * * *',
      run: async (s, { now, logger }) => {
        const { messages, deliveries } = await s.deadlines.remindersTick(now);
        if (messages > 0) logger.info({ messages, deliveries }, 'deadline reminders enqueued');
      },
    },
    // On working days from 09:00, several times so that a morning outage still gets it sent (its dedupe
    // key holds it to one per admin and day).
    { name: 'deadline-overdue-digest', cron: '*/15 9-20 * * 0-4,6', run: (s, { now }) => s.deadlines.overdueDigest(now) },
  ],
  commands: { member: ['deadlines'], admin: ['new_deadline', 'deadlines_admin', 'deadline'] },
};
