/** Suggestions, criticism, complaints and questions from NGOs; the office's inbox, answers and reminders. */
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { feedbackFeature, feedbackForms } from './bot.js';

export { createFeedbackService } from './service.js';

export const feedbackModule: FeatureModule<Services> = {
  name: 'feedback',
  composer: feedbackFeature,
  forms: feedbackForms,
  jobs: [
    // On working mornings in Tehran (not Friday): unanswered items, and the daily digest.
    { name: 'feedback-reminders', cron: '0 9 * * 0-4,6', run: (s, { slot }) => s.feedback.remindUnanswered(slot) },
    { name: 'feedback-digest', cron: '30 8 * * 0-4,6', run: (s, { slot }) => s.feedback.sendDigests(slot) },
  ],
  commands: { member: ['feedback', 'my_feedback'], admin: ['inbox', 'feedback_settings'] },
};
