/**
 * The scheduler's side of courses: reminders before the start, and after the end the course is
 * finished (the needs it met are closed) and its participants are asked to rate it. A repeated or
 * late tick is harmless: each message has a natural key, and keys already queued are skipped.
 */
import { recordAudit } from '../../platform/db/audit.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { courseEnd, dueReminder, RATING_WINDOW_DAYS, ratingAudience, reminderWanted } from './rules.js';
import { createAnnouncements } from './course-announcements.js';
import { ratingRequest, reminderNotice } from './course-notices.js';
import { contactsOf, type CourseMessenger } from './course-recipients.js';
import { courseInclude, DAY_MS, lockCourse, viewsOf, type CourseDeps } from './course-store.js';

/**
 * Announcements held back for the head start are written again this long before they are due, so they
 * show the seats left then rather than at publication. More than the minute between ticks, so one tick
 * always falls in it.
 */
const REFRESH_AHEAD_MS = 90_000;
/** Quiet hours can move a held-back announcement this far past the end of the head start (Thursday night to Saturday morning). */
const QUIET_HOURS_SPAN_MS = 3 * DAY_MS;

/** A factory that only binds the dependencies: each tick in it is a short function of its own. */
export function createCourseJobs(deps: CourseDeps, messenger: CourseMessenger) {
  const { prisma, outbox } = deps;
  const { refreshPendingAnnouncements } = createAnnouncements(deps);

  /** The NGOs among `candidates` whose message `keyOf` has not been queued yet. */
  async function notYetTold<E extends { ngoId: number }>(candidates: readonly E[], keyOf: (ngoId: number) => string): Promise<E[]> {
    const done = await outbox.existingKeys(candidates.map((e) => keyOf(e.ngoId)));
    return candidates.filter((e) => !done.has(keyOf(e.ngoId)));
  }

  /** Closes a course whose end has passed, once; the open needs its attendees had on its topic are met. */
  async function finish(course: { id: number; topicId: number | null; startsAt: Date }): Promise<boolean> {
    return prisma.$transaction(async (tx) => {
      const { count } = await tx.course.updateMany({ where: { id: course.id, status: 'PUBLISHED' }, data: { status: 'FINISHED' } });
      if (count === 0) return false;
      if (course.topicId !== null) {
        const ngoIds = (await tx.enrollment.findMany({ where: { courseId: course.id, status: 'ENROLLED', attended: { not: false } }, select: { ngoId: true } })).map((e) => e.ngoId);
        await tx.trainingNeed.updateMany({ where: { ngoId: { in: ngoIds }, topicId: course.topicId, status: 'OPEN', createdAt: { lte: course.startsAt } }, data: { status: 'FULFILLED' } });
      }
      await recordAudit(tx, { actorId: null, action: 'course.finished', entityType: 'course', entityId: String(course.id) });
      return true;
    });
  }

  /**
   * Rewrites the announcements still held back for the head start of courses whose head start ends
   * within REFRESH_AHEAD_MS (as quiet hours move it), with the course as it is now: its seats left.
   */
  async function refreshDueAnnouncements(now: Date): Promise<void> {
    const ending = await prisma.course.findMany({
      where: {
        status: 'PUBLISHED',
        headStartUntil: { gt: new Date(now.getTime() - QUIET_HOURS_SPAN_MS), lte: new Date(now.getTime() + REFRESH_AHEAD_MS) },
      },
      select: { id: true, headStartUntil: true },
    });
    for (const c of ending) {
      const due = nextAllowedTime(c.headStartUntil!).getTime();
      if (now.getTime() <= due - REFRESH_AHEAD_MS || now.getTime() > due) continue;
      await prisma.$transaction(async (tx) => {
        await lockCourse(tx, c.id);
        const [course] = await viewsOf(tx, await tx.course.findMany({ where: { id: c.id, status: 'PUBLISHED' }, include: courseInclude }));
        if (course) await refreshPendingAnnouncements(tx, course, now.getTime());
      });
    }
  }

  return {
    /**
     * Every minute: the reminder whose window the course is in, once per NGO. Reminders are tied to the
     * course's own time, so quiet hours do not apply. Announcements about to end their head start are
     * brought up to date first.
     */
    async remindersTick(now: Date): Promise<number> {
      await refreshDueAnnouncements(now);
      const rows = await prisma.course.findMany({
        where: { status: 'PUBLISHED', startsAt: { gt: now, lte: new Date(now.getTime() + DAY_MS) } },
        include: courseInclude,
      });
      let sent = 0;
      for (const row of rows) {
        const kind = dueReminder(row.startsAt, now);
        if (!kind) continue;
        const enrolled = await prisma.enrollment.findMany({ where: { courseId: row.id, status: 'ENROLLED' } });
        const keyOf = (ngoId: number) => `course-reminder:${row.id}:${ngoId}:${kind}`;
        const due = await notYetTold(
          enrolled.filter((e) => reminderWanted(kind, row.startsAt, e.updatedAt)),
          keyOf,
        );
        if (due.length === 0) continue;
        const [course] = await viewsOf(prisma, [row]);
        await prisma.$transaction(async (tx) => {
          await messenger.notifyNgos(tx, await contactsOf(tx, due), (reader) => reminderNotice(reader, course!, kind), (c) => keyOf(c.ngoId), { courseId: row.id });
        });
        sent += due.length;
      }
      return sent;
    },

    /**
     * Every few minutes: courses whose end has passed are finished, and participants are asked to rate
     * them (see ratingAudience for who counts as a participant).
     */
    async followUpTick(now: Date): Promise<{ finished: number; asked: number }> {
      let finished = 0;
      const started = await prisma.course.findMany({ where: { status: 'PUBLISHED', startsAt: { lte: now } } });
      for (const course of started.filter((c) => courseEnd(c).getTime() <= now.getTime())) {
        if (await finish(course)) finished += 1;
      }

      let asked = 0;
      const recent = await prisma.course.findMany({
        where: { status: 'FINISHED', startsAt: { gte: new Date(now.getTime() - (RATING_WINDOW_DAYS + 1) * DAY_MS) } },
      });
      for (const row of recent) {
        const enrolments = await prisma.enrollment.findMany({ where: { courseId: row.id, status: { in: ['ENROLLED', 'WAITLISTED'] } } });
        const keyOf = (ngoId: number) => `course-rating:${row.id}:${ngoId}`;
        const due = await notYetTold(ratingAudience(enrolments, courseEnd(row), now), keyOf);
        if (due.length === 0) continue;
        await prisma.$transaction(async (tx) => {
          // Asking for an opinion is never urgent: not at night or on Friday.
          await messenger.notifyNgos(tx, await contactsOf(tx, due), (reader) => ratingRequest(reader, row), (c) => keyOf(c.ngoId), {
            courseId: row.id,
            notBefore: nextAllowedTime(now),
          });
        });
        asked += due.length;
      }
      return { finished, asked };
    },
  };
}
