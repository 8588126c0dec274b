/** Announcements to NGOs: composed by staff, sent now or later, recurring, with a live progress card and a report. */
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { broadcastFeature, broadcastForm } from './bot.js';

export { createBroadcastService } from './service.js';

export const broadcastsModule: FeatureModule<Services> = {
  name: 'broadcasts',
  composer: broadcastFeature,
  forms: [broadcastForm],
  jobs: [
    { name: 'broadcast-start', cron: '* * * * *', run: (s) => s.broadcasts.startDue() },
    // Every few seconds: progress cards stay fresh without editing on every sent message.
    { name: 'broadcast-progress', cron: '*/5 * * * * *', run: (s) => s.broadcasts.progressTick() },
  ],
  commands: { admin: ['broadcast', 'broadcasts', 'recurring'] },
};
