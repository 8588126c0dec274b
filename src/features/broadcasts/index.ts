/** Announcements to NGOs: composed by staff, sent now or later, recurring, with a live progress card and a report. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { broadcastFeature } from './bot.js';
import { broadcastForm } from './forms.js';
import { recurringParts } from './recurring/index.js';
import { Handlers } from '../../platform/bot/handlers.js';

export { createBroadcastService, type BroadcastService, type NewBroadcast } from './service.js';
export {
  AUDIENCE_STATUSES,
  DEFAULT_AUDIENCE,
  isDefaultAudience,
  parseAudience,
  scopeAudience,
  type Audience,
  type AudienceStatus,
} from './audience.js';
export { audienceWhere } from './audience-query.js';
export { startTimeText } from './notices.js';
export { createRecurringService, type RecurringService } from './recurring/index.js';

export const broadcastsModule: FeatureModule<Services> = {
  name: 'broadcasts',
  composer: new Handlers<BotContext>(broadcastFeature, recurringParts.composer),
  forms: [broadcastForm, ...recurringParts.forms],
  jobs: [
    { name: 'broadcast-start', cron: '* * * * *', run: (s) => s.broadcasts.startDue() },
    // Every few seconds: progress cards stay fresh without editing on every sent message.
    { name: 'broadcast-progress', cron: '*/5 * * * * *', run: (s) => s.broadcasts.progressTick() },
    ...recurringParts.jobs,
  ],
  commands: { admin: ['broadcast', 'broadcasts', ...recurringParts.commands.admin] },
};
