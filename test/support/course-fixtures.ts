/** Courses as the office would publish them, for tests of enrolment, waitlists, reminders and ratings. */
import type { CourseDraft } from '../../src/features/training/index.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * A valid in-person course starting at `startsAt`: a 90-minute workshop, 3 seats, at most 2 per NGO,
 * registration closing a day before, open to every county and field. Tests change what matters to them.
 */
export function courseDraft(startsAt: Date, overrides: Partial<CourseDraft> = {}): CourseDraft {
  return {
    title: 'کارگاه نگارش طرح',
    description: null,
    topicId: null,
    startsAt,
    durationMinutes: 90,
    format: 'IN_PERSON',
    place: 'دفتر تسهیلگری محله باهنر',
    onlineLink: null,
    capacity: 3,
    perNgoLimit: 2,
    registrationDeadline: new Date(startsAt.getTime() - DAY),
    eligibility: { countyIds: [], fieldIds: [] },
    ...overrides,
  };
}
