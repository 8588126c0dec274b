/**
 * A course's announcements: requesters (NGOs that asked for its topic) hear at once, everyone else when
 * the head start ends. Those still held back are rewritten when the course changes, or stopped when it
 * is cancelled, so nobody reads an outdated course.
 */
import { languageOr, type Language } from '../../platform/i18n/index.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { requesterNgoIds } from './needs-service.js';
import { announcementNotice, readerFor } from './course-notices.js';

import type { CourseDeps, CourseView, Db } from './course-store.js';

/** Source of the announcements of a course (held back for non-requesters during the head start). */
export const ANNOUNCEMENT_SOURCE = 'course-announcement';

export function createAnnouncements(deps: Pick<CourseDeps, 'outbox' | 'translator'>) {
  const { outbox, translator } = deps;

  /**
   * Requesters now, everyone else when the head start ends (both moved out of quiet hours: an
   * announcement is not urgent). Returns how many NGOs each group has.
   */
  async function announce(db: Db, course: CourseView, now: Date): Promise<{ first: number; later: number }> {
    const e = course.eligibility;
    const members = await db.ngoMember.findMany({
      where: {
        user: { reachable: true },
        ngo: {
          status: 'APPROVED',
          ...(e.countyIds.length ? { countyId: { in: e.countyIds } } : {}),
          ...(e.fieldIds.length ? { fields: { some: { fieldId: { in: e.fieldIds } } } } : {}),
        },
      },
      select: { userId: true, ngoId: true, user: { select: { language: true } } },
    });
    const requesters = await requesterNgoIds(db, course.topicId, course.createdAt, e);
    const groups = [
      { name: 'first', requester: true, notBefore: nextAllowedTime(now) },
      { name: 'rest', requester: false, notBefore: nextAllowedTime(course.headStartUntil ?? now) },
    ] as const;
    for (const group of groups) {
      const of = members.filter((m) => requesters.has(m.ngoId) === group.requester);
      for (const lang of new Set(of.map((m) => languageOr(m.user.language)))) {
        const { text, replyMarkup } = announcementNotice(readerFor(translator, lang), course, group.requester);
        await outbox.enqueue(
          {
            payload: { kind: 'TEXT', parseMode: 'HTML', text, replyMarkup },
            recipients: of.filter((m) => languageOr(m.user.language) === lang).map((m) => m.userId),
            dedupeKey: `course-published:${course.id}:${group.name}:${lang}`,
            notBefore: group.notBefore,
            source: { type: ANNOUNCEMENT_SOURCE, id: String(course.id) },
          },
          db,
        );
      }
    }
    const ngoIds = new Set(members.map((m) => m.ngoId));
    const first = [...ngoIds].filter((id) => requesters.has(id)).length;
    return { first, later: ngoIds.size - first };
  }

  /**
   * Announcements not sent yet (the head start) carry the course as it was: they are stopped and,
   * unless the course is cancelled, written again with its current details for the same people and time.
   */
  async function refreshPendingAnnouncements(tx: Db, course: CourseView, stamp: number, cancelledCourse = false): Promise<void> {
    const stopped = await outbox.cancelBySource({ type: ANNOUNCEMENT_SOURCE, ids: [String(course.id)] }, tx);
    if (cancelledCourse) return;
    const groups = new Map<string, { requester: boolean; lang: Language; notBefore: Date; chats: bigint[] }>();
    for (const row of stopped) {
      // Keys read `course-published:<course>:<first|rest>:<lang>[:...]`.
      const [, , group, lang] = (row.dedupeKey ?? '').split(':');
      const key = `${group}:${lang}:${row.notBefore.getTime()}`;
      const entry = groups.get(key) ?? { requester: group === 'first', lang: languageOr(lang), notBefore: row.notBefore, chats: [] };
      entry.chats.push(row.chatId);
      groups.set(key, entry);
    }
    for (const g of groups.values()) {
      const { text, replyMarkup } = announcementNotice(readerFor(translator, g.lang), course, g.requester);
      await outbox.enqueue(
        {
          payload: { kind: 'TEXT', parseMode: 'HTML', text, replyMarkup },
          recipients: g.chats,
          dedupeKey: `course-published:${course.id}:${g.requester ? 'first' : 'rest'}:${g.lang}:${g.notBefore.getTime()}:v${stamp}`,
          notBefore: g.notBefore,
          source: { type: ANNOUNCEMENT_SOURCE, id: String(course.id) },
        },
        tx,
      );
    }
  }

  return { announce, refreshPendingAnnouncements };
}
