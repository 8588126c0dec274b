/** Training: needs declared by NGOs, courses with eligibility, enrolment, waitlist, reminders and ratings. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { courseAdminFeature, courseAdminForms } from './course-admin-bot.js';
import { ngoCourseForms, ngoCoursesFeature } from './courses-bot.js';
import { needForm, trainingNeedsFeature } from './needs-bot.js';
import { Handlers } from '../../platform/bot/handlers.js';

export { createCourseServices, type CourseDraft, type CourseView } from './courses-service.js';

export const trainingModule: FeatureModule<Services> = {
  name: 'training',
  composer: new Handlers<BotContext>(trainingNeedsFeature, courseAdminFeature, ngoCoursesFeature),
  forms: [needForm, ...courseAdminForms, ...ngoCourseForms],
  jobs: [
    // Reminders a day and two hours before the start.
    { name: 'course-reminders', cron: '* * * * *', run: (s, { now }) => s.courses.remindersTick(now) },
    // Finishing courses and asking for ratings.
    { name: 'course-follow-up', cron: '*/5 * * * *', run: (s, { now }) => s.courses.followUpTick(now) },
  ],
  commands: { member: ['courses', 'my_courses', 'request_course', 'my_requests'], admin: ['needs', 'new_course', 'manage_courses', 'course'] },
};
