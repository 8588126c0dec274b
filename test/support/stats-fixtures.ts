/**
 * A small province whose statistics were worked out by hand (see the comments): NGOs of three counties in
 * every status, activity events placed in chosen weeks of the last 90 days, courses with seats,
 * enrolments, attendance and ratings, feedback answered across a Friday and an official holiday,
 * announcements with sent, failed and unreachable deliveries, and deadlines reported on time, late or
 * not at all. Rows go straight into the database, at exact times, as the use cases would have left them.
 */
import type { PrismaClient } from '../../src/platform/db/client.js';
import type { Outbox } from '../../src/platform/delivery/outbox.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { countyId, createNgo } from './ngo-fixtures.js';

type Db = { prisma: PrismaClient };

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

/** Thursday 1405/10/10 12:00 Tehran. 1405/10/02 (Wednesday) is a seeded official holiday, 10/04 a Friday. */
export const STATS_NOW = jalaliToDate({ jy: 1405, jm: 10, jd: 10 }, { hour: 12, minute: 0 });
const ago = (days: number, hours = 0) => new Date(STATS_NOW.getTime() - days * DAY - hours * HOUR);
const tehran = (jm: number, jd: number, hour: number) => jalaliToDate({ jy: 1405, jm, jd }, { hour, minute: 0 });

export const STATS_PROVINCE_ADMIN = 1001;
/** The county admin of بم. */
export const STATS_COUNTY_ADMIN = 3003;

const FIELD = { env: 'محیط زیست', youth: 'ورزش و جوانان', health: 'بهداشت و سلامت' } as const;

/**
 * The NGOs, by county. Approved: K1 active (5 weeks), K2 semi-active (2 weeks), K3 inactive; B1 active,
 * B2 semi-active (2 weeks: its anonymous feedback would make a third); R1 inactive (all its events are
 * older than 90 days). K4 is pending, B3 rejected, R2 suspended.
 */
export const STATS_NGOS = {
  K1: { managerId: 2101, name: 'انجمن سبز کرمان', countyName: 'کرمان', status: 'APPROVED', fieldNames: [FIELD.env], members: [{ id: 2111 }] },
  K2: { managerId: 2102, name: 'کانون جوانان کرمان', countyName: 'کرمان', status: 'APPROVED', fieldNames: [FIELD.env, FIELD.youth] },
  K3: { managerId: 2103, name: 'خانه سلامت کرمان', countyName: 'کرمان', status: 'APPROVED', fieldNames: [FIELD.health] },
  K4: { managerId: 2104, name: 'انجمن تازه کرمان', countyName: 'کرمان', status: 'PENDING' },
  B1: { managerId: 2201, name: 'جمعیت یاوران بم', countyName: 'بم', status: 'APPROVED', fieldNames: [FIELD.health], members: [{ id: 2211 }] },
  B2: { managerId: 2202, name: 'انجمن نخل بم', countyName: 'بم', status: 'APPROVED', fieldNames: [FIELD.env] },
  B3: { managerId: 2203, name: 'گروه ردشده بم', countyName: 'بم', status: 'REJECTED' },
  R1: { managerId: 2301, name: 'کانون پسته رفسنجان', countyName: 'رفسنجان', status: 'APPROVED', fieldNames: [FIELD.youth], members: [{ id: 2311 }] },
  R2: { managerId: 2302, name: 'انجمن معلق رفسنجان', countyName: 'رفسنجان', status: 'SUSPENDED' },
} as const;

type NgoKey = keyof typeof STATS_NGOS;

export async function seedStatsProvince(db: Db, outbox: Outbox): Promise<Record<NgoKey, number>> {
  const { prisma } = db;
  const ids = {} as Record<NgoKey, number>;
  for (const [key, spec] of Object.entries(STATS_NGOS) as [NgoKey, (typeof STATS_NGOS)[NgoKey]][]) {
    ids[key] = (await createNgo(db, { ...spec, fieldNames: 'fieldNames' in spec ? [...spec.fieldNames] : undefined, members: 'members' in spec ? [...spec.members] : [], submittedAt: ago(200) })).id;
  }
  const manager = (key: NgoKey) => BigInt(STATS_NGOS[key].managerId);
  // Members the platform refused (blocked the bot): B1's member, B2's manager, R1's member, and R2's manager (suspended NGO).
  await prisma.user.updateMany({ where: { id: { in: [2211n, 2202n, 2311n, 2302n] } }, data: { reachable: false } });
  const admin = BigInt(STATS_PROVINCE_ADMIN);
  const kerman = await countyId(db, 'کرمان');
  const bam = await countyId(db, 'بم');

  // Courses: C1 coming (20 seats, all), C2 held 20 days ago (10, Kerman only), C5 held 30 days ago (15, Bam only);
  // C3 held 100 days ago and C4 cancelled are left out.
  const course = (title: string, startsAt: Date, capacity: number, countyIds: number[], status: 'PUBLISHED' | 'CANCELLED' | 'FINISHED' = 'PUBLISHED') =>
    prisma.course.create({
      data: { title, startsAt, durationMinutes: 90, format: 'IN_PERSON', place: 'دفتر تسهیلگری', capacity, perNgoLimit: 5, registrationDeadline: startsAt, eligibility: { countyIds, fieldIds: [] }, status, createdBy: admin },
    });
  const c1 = await course('دوره آینده', ago(-10), 20, []);
  const c2 = await course('دوره کرمان', ago(20), 10, [kerman], 'FINISHED');
  const c3 = await course('دوره قدیمی', ago(100), 50, [], 'FINISHED');
  await course('دوره لغوشده', ago(-5), 30, [], 'CANCELLED');
  const c5 = await course('دوره بم', ago(30), 15, [bam], 'FINISHED');
  const enrol = (courseId: number, key: NgoKey, participants: number, status: 'ENROLLED' | 'WAITLISTED' | 'CANCELLED', createdAt: Date, attended: boolean | null = null) =>
    prisma.enrollment.create({ data: { courseId, ngoId: ids[key], participants, status, createdAt, attended, createdBy: manager(key) } });
  await enrol(c2.id, 'K1', 3, 'ENROLLED', ago(25), true); // K1 weeks 3 (enrolment) and 2 (attended)
  await enrol(c2.id, 'K2', 2, 'ENROLLED', ago(24), false); // K2 week 3
  await enrol(c1.id, 'K2', 1, 'CANCELLED', ago(23)); // K2 week 3 again
  await enrol(c5.id, 'B1', 4, 'ENROLLED', ago(40), true); // B1 weeks 5 and 4
  await enrol(c1.id, 'B1', 2, 'WAITLISTED', ago(1)); // B1 week 0
  await enrol(c3.id, 'R1', 5, 'ENROLLED', ago(110), true); // outside the window
  const rate = (courseId: number, key: NgoKey, score: number, createdAt: Date) => prisma.courseRating.create({ data: { courseId, userId: manager(key), ngoId: ids[key], score, createdAt } });
  await rate(c2.id, 'K1', 4, ago(19)); // K1 week 2
  await rate(c5.id, 'B1', 5, ago(29)); // B1 week 4
  await rate(c5.id, 'B2', 2, ago(60)); // B2 week 8
  await rate(c3.id, 'R1', 1, ago(105));

  // Training needs: K1 10 people (week 1), B1 6 (week 7), B2 withdrawn (week 5: activity, not demand), old ones outside.
  const need = (key: NgoKey, participants: number, createdAt: Date, status: 'OPEN' | 'WITHDRAWN' | 'FULFILLED' = 'OPEN') =>
    prisma.trainingNeed.create({ data: { ngoId: ids[key], description: 'آموزش نگارش طرح', participants, format: 'IN_PERSON', status, createdBy: manager(key), createdAt } });
  await need('K1', 10, ago(8));
  await need('B1', 6, ago(50), 'FULFILLED');
  await need('B2', 3, ago(40), 'WITHDRAWN');
  await need('K3', 7, ago(91));
  await need('R1', 4, ago(95));
  await need('K4', 2, ago(2)); // pending NGO: never in the activity mix

  // Deadlines. D1 was due 30 days ago at 12:00: K1 reported that evening (on time), B1 27 days ago (late),
  // K2 and R1 owe it (overdue). D2 is due in 10 days: B1 reported (on time), K1 and B2 owe it. D3 is closed.
  // D4 was reported 100 days ago (outside the window).
  const deadline = (title: string, dueAt: Date, status: 'OPEN' | 'CLOSED' = 'OPEN') =>
    prisma.deadline.create({ data: { kind: 'GENERAL', title, dueAt, reminderDays: [1], status, createdBy: admin, audience: { countyIds: [], fieldIds: [] } } });
  const target = (deadlineId: number, key: NgoKey, submittedAt: Date | null, status: 'PENDING' | 'SUBMITTED' | 'ACCEPTED' = submittedAt ? 'SUBMITTED' : 'PENDING') =>
    prisma.deadlineTarget.create({ data: { deadlineId, ngoId: ids[key], status, submittedAt, submittedBy: submittedAt ? manager(key) : null, reportText: submittedAt ? 'گزارش' : null } });
  const d1 = await deadline('گزارش پاییز', ago(30));
  await target(d1.id, 'K1', ago(30, -6)); // K1 week 4
  await target(d1.id, 'B1', ago(27), 'ACCEPTED'); // B1 week 3
  await target(d1.id, 'K2', null);
  await target(d1.id, 'R1', null);
  const d2 = await deadline('گزارش زمستان', ago(-10));
  await target(d2.id, 'B1', ago(2)); // B1 week 0
  await target(d2.id, 'K1', null);
  await target(d2.id, 'B2', null);
  const d3 = await deadline('مهلت بسته', ago(5), 'CLOSED');
  await target(d3.id, 'K3', null);
  const d4 = await deadline('گزارش قدیمی', ago(120));
  await target(d4.id, 'R1', ago(100));

  // Feedback. F1 (K1) came Tuesday 10/01 and was answered Saturday 10/05: Wednesday is a holiday and Friday
  // a day off, so 2 working days. F2 (B1) was answered the same day (0), F3 (anonymous, from B2) the next
  // day (1); F4 (K2) waits. F5 (R1) is older than the window.
  const item = async (key: NgoKey, createdAt: Date, status: 'RECEIVED' | 'ANSWERED' | 'CLOSED', answeredAt: Date | null, anonymous = false) => {
    const created = await prisma.feedbackItem.create({ data: { type: 'SUGGESTION', status, userId: manager(key), ngoId: ids[key], anonymous, createdAt, waitingSince: answeredAt ? null : createdAt } });
    await prisma.feedbackMessage.create({ data: { itemId: created.id, authorId: manager(key), fromOffice: false, text: 'پیشنهاد', createdAt } });
    if (answeredAt) await prisma.feedbackMessage.create({ data: { itemId: created.id, authorId: admin, fromOffice: true, text: 'پاسخ', createdAt: answeredAt } });
    return created;
  };
  const f1 = await item('K1', tehran(10, 1, 10), 'ANSWERED', tehran(10, 5, 9)); // K1 week 1
  await prisma.feedbackMessage.create({ data: { itemId: f1.id, authorId: manager('K1'), fromOffice: false, text: 'پیگیری', createdAt: tehran(10, 6, 10) } }); // K1 week 0
  await prisma.feedbackMessage.create({ data: { itemId: f1.id, authorId: admin, fromOffice: true, text: 'پاسخ دوم', createdAt: tehran(10, 7, 10) } });
  await item('B1', tehran(9, 26, 10), 'CLOSED', tehran(9, 26, 15)); // B1 week 2
  await item('B2', tehran(10, 8, 10), 'ANSWERED', tehran(10, 9, 10), true); // anonymous: no activity for B2
  await item('K2', tehran(10, 9, 10), 'RECEIVED', null); // K2 week 0
  await item('R1', tehran(6, 1, 10), 'ANSWERED', tehran(6, 2, 10));

  // Announcements: BC1 (10 days ago) and BC3 (5 days ago) count; BC2 is older than the window, BC4 not started.
  const broadcast = async (startAt: Date, deliveries: Record<number, 'SENT' | 'FAILED' | 'UNREACHABLE' | 'PENDING' | 'SENDING'>) => {
    const chats = Object.keys(deliveries).map(BigInt);
    const { messageId } = await outbox.enqueue({ payload: { kind: 'TEXT', text: 'اطلاعیه' }, recipients: chats, source: { type: 'broadcast', id: String(startAt.getTime()) } });
    for (const [chat, status] of Object.entries(deliveries)) {
      await prisma.outboxDelivery.updateMany({ where: { messageId, chatId: BigInt(chat) }, data: { status } });
    }
    return prisma.broadcast.create({
      data: { createdBy: admin, sourceChatId: admin, sourceMessageId: 1, contentKind: 'text', audience: {}, status: 'DONE', requestedAt: startAt, startAt, outboxMessageId: messageId },
    });
  };
  await broadcast(ago(10), { 2101: 'SENT', 2111: 'SENT', 2102: 'FAILED', 2201: 'SENT', 2211: 'UNREACHABLE', 2301: 'PENDING', 2311: 'UNREACHABLE' });
  await broadcast(ago(100), { 2101: 'SENT', 2201: 'SENT' });
  await broadcast(ago(5), { 2101: 'SENT', 2103: 'SENDING' });
  await prisma.broadcast.create({
    data: { createdBy: admin, sourceChatId: admin, sourceMessageId: 2, contentKind: 'text', audience: {}, status: 'SCHEDULED', requestedAt: ago(-1), startAt: ago(-1) },
  });
  return ids;
}
