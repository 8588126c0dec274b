/** Training: needs declared by NGOs, courses with eligibility, enrolment, waitlist, reminders and ratings. */
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { Services } from '../index.js';
import { courseForms, coursesFeature } from './courses-bot.js';

export { createCourseServices } from './courses-service.js';

export const trainingModule: FeatureModule<Services> = {
  name: 'training',
  composer: coursesFeature,
  forms: courseForms,
  jobs: [
    // Reminders a day and two hours before the start.
    { name: 'course-reminders', cron: '* * * * *', run: (s, { now }) => s.courses.remindersTick(now) },
    // Finishing courses and asking for ratings.
    { name: 'course-follow-up', cron: '*/5 * * * *', run: (s, { now }) => s.courses.followUpTick(now) },
  ],
  commands: { member: ['courses', 'my_courses', 'request_course', 'my_requests'], admin: ['needs', 'new_course', 'manage_courses', 'course'] },
};
