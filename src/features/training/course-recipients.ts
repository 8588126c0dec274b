/**
 * Who hears about an NGO's seat, and the queuing of what they hear: one message per NGO and event,
 * in the manager's language, written to the outbox in the caller's transaction (invariant 1).
 */
import type { Outbox } from '../../platform/delivery/outbox.js';
import { type Language, type Translator, languageOr } from '../../platform/i18n/index.js';
import { readerFor, type Notice, type Reader } from './course-notices.js';
import type { CourseView, Db } from './course-store.js';

/** Source of the messages about one course's seats (promotions, changes, reminders, ratings). */
export const NOTICE_SOURCE = 'course';


export interface NgoContact {
  ngoId: number;
  userIds: bigint[];
  lang: Language;
}

/** An NGO's manager and the member who enrolled it (one message each per NGO and event). */
export async function contactsOf(db: Db, enrolments: readonly { ngoId: number; createdBy: bigint }[]): Promise<NgoContact[]> {
  if (enrolments.length === 0) return [];
  const ngoIds = [...new Set(enrolments.map((e) => e.ngoId))];
  const members = await db.ngoMember.findMany({ where: { ngoId: { in: ngoIds } }, include: { user: { select: { language: true } } } });
  return ngoIds.map((ngoId) => {
    const of = members.filter((m) => m.ngoId === ngoId);
    const manager = of.find((m) => m.role === 'MANAGER');
    const enrollers = enrolments.filter((e) => e.ngoId === ngoId).map((e) => e.createdBy);
    const userIds = [...new Set([...(manager ? [manager.userId] : []), ...of.filter((m) => enrollers.includes(m.userId)).map((m) => m.userId)])];
    return { ngoId, userIds, lang: languageOr(manager?.user.language) };
  });
}

export function createCourseMessenger(deps: { outbox: Outbox; translator: Translator }) {
  const { outbox, translator } = deps;

  async function notifyNgos(
    db: Db,
    contacts: readonly NgoContact[],
    render: (reader: Reader, contact: NgoContact) => Notice,
    dedupeKey: (contact: NgoContact) => string,
    options: { notBefore?: Date; courseId: number },
  ): Promise<void> {
    for (const contact of contacts) {
      if (contact.userIds.length === 0) continue;
      const { text, replyMarkup } = render(readerFor(translator, contact.lang), contact);
      await outbox.enqueue(
        {
          payload: { kind: 'TEXT', parseMode: 'HTML', text, ...(replyMarkup ? { replyMarkup } : {}) },
          recipients: contact.userIds,
          dedupeKey: dedupeKey(contact),
          ...(options.notBefore ? { notBefore: options.notBefore } : {}),
          source: { type: NOTICE_SOURCE, id: String(options.courseId) },
        },
        db,
      );
    }
  }

  /** Every NGO holding a seat or a place on the waitlist, told about a change to the course; returns how many. */
  async function notifyParticipants(db: Db, course: CourseView, event: string, render: (reader: Reader) => Notice, stamp: number): Promise<number> {
    const enrolments = await db.enrollment.findMany({ where: { courseId: course.id, status: { in: ['ENROLLED', 'WAITLISTED'] } } });
    const contacts = await contactsOf(db, enrolments);
    await notifyNgos(db, contacts, render, (c) => `course-${event}:${course.id}:${c.ngoId}:${stamp}`, { courseId: course.id });
    return contacts.length;
  }

  return { notifyNgos, notifyParticipants };
}

export type CourseMessenger = ReturnType<typeof createCourseMessenger>;
