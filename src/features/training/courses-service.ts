/**
 * Training courses, composed from their use-case groups: publishing and changing a course
 * (course-publishing), enrolment and the waitlist (course-enrolment), roster, attendance and ratings
 * (course-roster), and the scheduler's reminders and follow-up (course-jobs). Every notice that is not
 * a direct reply is written to the outbox in the transaction of the change it reports (invariant 1).
 */
import { createTrainingService } from './needs-service.js';
import { createCourseMessenger } from './course-recipients.js';
import { createPublishing } from './course-publishing.js';
import { createEnrolment } from './course-enrolment.js';
import { createRoster } from './course-roster.js';
import { createCourseJobs } from './course-jobs.js';
import { loadCourse, type CourseDeps } from './course-store.js';

export type { CourseChange, CourseDraft, CourseView, EnrolResult, NgoCourse, OwnEnrolment, RosterEntry } from './course-store.js';

export function createCourseService(deps: CourseDeps) {
  const messenger = createCourseMessenger(deps);
  return {
    /** The service's clock, so a form judges "in the past" by the same time the service does. */
    now: () => deps.clock.now(),
    loadCourse: (courseId: number) => loadCourse(deps.prisma, courseId),
    ...createPublishing(deps, messenger),
    ...createEnrolment(deps, messenger),
    ...createRoster(deps),
    ...createCourseJobs(deps, messenger),
  };
}

export type CourseService = ReturnType<typeof createCourseService>;

/** Training needs and courses, composed together: the course service reads the needs (who asked first). */
export function createCourseServices(deps: CourseDeps) {
  return { training: createTrainingService(deps), courses: createCourseService(deps) };
}
