/**
 * Feedback from NGO members to the office: suggestions, criticism, complaints and questions, each
 * kept as a thread with a tracking number, answered, closed or reopened by the office, and never
 * left to rot: unanswered items are reminded to admins every working day.
 *
 * Anonymity: the sender is stored (the answer must reach them) but an anonymous item is shown to
 * admins without the sender or the NGO, and only to province-level admins (see mayRead in rules.ts).
 *
 * The use cases live in three parts: the sender's (member-service.ts), the office's
 * (office-service.ts) and the working mornings' (daily-service.ts); they return data or throw an
 * AppError, and what they send through the outbox is worded in notices.ts.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { SqlReader } from '../../platform/db/reader.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import type { Translator } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { createFeedbackAccess } from './access.js';
import { createDailyFeedback } from './daily-service.js';
import { createMemberFeedback } from './member-service.js';
import { createOfficeFeedback } from './office-service.js';
import { DEFAULT_DAILY_LIMIT, DEFAULT_REMINDER_WORKING_DAYS } from './rules.js';
import type { FeedbackConfig } from './types.js';

export interface FeedbackDeps {
  prisma: PrismaClient;
  sql: SqlReader;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  feedback?: FeedbackConfig;
}

export function createFeedbackService(deps: FeedbackDeps) {
  const access = createFeedbackAccess(deps.prisma, deps.sql, deps.clock, deps.feedback?.dailyLimit ?? DEFAULT_DAILY_LIMIT);
  const parts = { ...deps, access, reminderDays: deps.feedback?.reminderWorkingDays ?? DEFAULT_REMINDER_WORKING_DAYS };
  return {
    ...createMemberFeedback(parts),
    ...createOfficeFeedback(parts),
    ...createDailyFeedback(parts),
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
