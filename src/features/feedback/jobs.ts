/** The cron jobs of feedback, on working mornings in Tehran (not Friday): unanswered items, then the digest. */
import type { FeatureJob } from '../../platform/bot/feature.js';
import type { FeedbackService } from './service.js';

export const feedbackJobs: readonly FeatureJob<{ feedback: FeedbackService }>[] = [
  { name: 'feedback-reminders', cron: '0 9 * * 0-4,6', run: (s, { slot }) => s.feedback.remindUnanswered(slot) },
  { name: 'feedback-digest', cron: '30 8 * * 0-4,6', run: (s, { slot }) => s.feedback.sendDigests(slot) },
];
