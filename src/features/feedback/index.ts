/** Suggestions, criticism, complaints and questions from NGOs; the office's inbox, answers and reminders. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { memberFeature } from './bot.js';
import { feedbackForms } from './forms.js';
import { inboxFeature } from './inbox-bot.js';
import { feedbackJobs } from './jobs.js';
import { Handlers } from '../../platform/bot/handlers.js';

export { createFeedbackService, type FeedbackDeps, type FeedbackService } from './service.js';

export const feedbackModule: FeatureModule<Services> = {
  name: 'feedback',
  composer: new Handlers<BotContext>(memberFeature, inboxFeature),
  forms: feedbackForms,
  jobs: feedbackJobs,
  commands: { member: ['feedback', 'my_feedback'], admin: ['inbox', 'feedback_settings'] },
};
