/**
 * For the county-scope sweep (issue 14's "Tests"): a province of two counties, بم and کرمان, with NGOs
 * of every status in both, and in Kerman alone a project deadline, a reporting deadline with a report
 * in, a course held for Kerman only with an enrolment, a training need, a named and an anonymous
 * complaint, a registration under review, an announcement and a recurring announcement to Kerman,
 * and the office's audit rows about them; and a province-wide reporting deadline that Bam's NGO owes
 * too, with Kerman's report in. What the use cases would tell the office is told (through them). The sweep then acts as Bam's county admin and looks for any of Kerman's things
 * (`KERMAN_SECRETS`) in what the bot shows them, and for any change in the rows (`scopeSnapshot`).
 */
import type { Services } from '../../src/features/index.js';
import type { PrismaClient } from '../../src/platform/db/client.js';
import { toPersianDigits } from '../../src/platform/text/index.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import type { FakeUser, RecordedCall } from './fake-bot-api/index.js';
import { startOffice, testClock } from './fixtures.js';
import type { Harness } from './harness.js';
import type { StorageMode } from './database.js';
import { countyId, createUser, registrationDraft } from './ngo-fixtures.js';

type Db = { prisma: PrismaClient };

/** Sunday 1405/09/09 10:30 Tehran: a working day, outside quiet hours. */
export const NOW = jalaliToDate({ jy: 1405, jm: 9, jd: 9 }, { hour: 10, minute: 30 });
const DAY = 86_400_000;

export const SUPER = 1001;
export const PROVINCE = 1002;
export const BAM_ADMIN = 3005;
export const KERMAN_ADMIN = 3006;

export const KERMAN = {
  approved: { name: 'کانون قنات‌داران کرمان', registration: '61001', manager: 2001, managerName: 'فرامرز', member: 2011, memberName: 'گلنار' },
  pending: { name: 'انجمن نوای کویر کرمان', registration: '61002', manager: 2002, managerName: 'تهمینه' },
  suspended: { name: 'مؤسسه باغ‌های پسته کرمان', registration: '61003', manager: 2003, managerName: 'سیاوش' },
  projectTitle: 'طرح لایروبی رشته‌قنات',
  reportingTitle: 'گزارش فصلی سمن‌های کرمان',
  reportText: 'گزارش مرمت کوره‌های قنات',
  /** The report to the province-wide deadline, which Bam's NGO owes too. */
  sharedReportText: 'شرح کارهای سالانه در لایروبی کاریزها',
  /** Registered through the form's use case, so that the reviewers are told. */
  registered: { name: 'انجمن تازه‌نفس کرمان', registration: '61004', manager: 2004 },
  courseTitle: 'کارگاه آبیاری سنتی کرمان',
  courseCapacity: 17,
  needText: 'آموزش مرمت کاریز و آب‌انبار',
  needParticipants: 7,
  namedFeedback: 'پیشنهاد ساخت آب‌انبار در محله شهداد',
  anonymousFeedback: 'شکایت محرمانه از کارمند فرمانداری درباره پرونده سیرچ',
  staffName: 'کیوان',
} as const;

/** The title of the province-wide deadline: Bam's admin may see it, but not Kerman's part in it. */
export const SHARED_DEADLINE_TITLE = 'گزارش سالانه سمن‌های استان';

export const BAM = {
  approved: { name: 'خیریه ارگ بم', registration: '62001', manager: 2101, managerName: 'بهرام', member: 2111, memberName: 'نسترن' },
  pending: { name: 'انجمن نخلستان بم', registration: '62002', manager: 2102, managerName: 'رستم' },
  suspended: { name: 'کانون جوانان بم', registration: '62003', manager: 2103, managerName: 'مهرناز' },
} as const;

/** Everything of Kerman's that must never reach Bam's county admin, by what it is (the name says what leaked). */
export const KERMAN_SECRETS: Record<string, string> = {
  'approved NGO name': KERMAN.approved.name,
  'pending NGO name': KERMAN.pending.name,
  'suspended NGO name': KERMAN.suspended.name,
  'approved NGO registration number': KERMAN.approved.registration,
  'approved NGO registration number (Persian digits)': toPersianDigits(KERMAN.approved.registration),
  'pending NGO registration number (Persian digits)': toPersianDigits(KERMAN.pending.registration),
  'suspended NGO registration number (Persian digits)': toPersianDigits(KERMAN.suspended.registration),
  "approved NGO manager's name": KERMAN.approved.managerName,
  "approved NGO member's name": KERMAN.approved.memberName,
  "pending NGO manager's name": KERMAN.pending.managerName,
  "suspended NGO manager's name": KERMAN.suspended.managerName,
  'project deadline title': KERMAN.projectTitle,
  'reporting deadline title': KERMAN.reportingTitle,
  'report text': KERMAN.reportText,
  'report text to the province-wide deadline': KERMAN.sharedReportText,
  'newly registered NGO name': KERMAN.registered.name,
  'course title': KERMAN.courseTitle,
  'training need text': KERMAN.needText,
  'named feedback text': KERMAN.namedFeedback,
  'anonymous feedback text': KERMAN.anonymousFeedback,
};

export interface ScopeWorld {
  h: Harness;
  kerman: { approved: number; pending: number; suspended: number; county: number };
  bam: { approved: number; pending: number; suspended: number; county: number };
  projectDeadline: number;
  reportingDeadline: number;
  /** For every approved NGO of the province: Bam's admin sees it, counted over Bam's NGO alone. */
  sharedDeadline: number;
  registered: number;
  course: number;
  need: number;
  namedFeedback: number;
  anonymousFeedback: number;
  broadcast: number;
  recurring: number;
}

/** The office and both counties' rows, the app running on them. */
export async function startScopeWorld(mode?: StorageMode): Promise<ScopeWorld> {
  const { h, ngos } = await startOffice({
    ...(mode ? { mode } : {}),
    adminIds: [SUPER],
    clock: testClock(NOW),
    staff: [
      { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'رضا' },
      { id: BAM_ADMIN, role: 'COUNTY_ADMIN', countyName: 'بم', firstName: 'بهمن' },
      { id: KERMAN_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان', firstName: KERMAN.staffName },
    ],
    ngos: [
      ngoSpec(KERMAN.approved, 'کرمان', 'APPROVED'),
      ngoSpec(KERMAN.pending, 'کرمان', 'PENDING'),
      ngoSpec(KERMAN.suspended, 'کرمان', 'SUSPENDED'),
      ngoSpec(BAM.approved, 'بم', 'APPROVED'),
      ngoSpec(BAM.pending, 'بم', 'PENDING'),
      ngoSpec(BAM.suspended, 'بم', 'SUSPENDED'),
    ],
  });
  const [kApproved, kPending, kSuspended, bApproved, bPending, bSuspended] = ngos;
  const kermanCounty = await countyId(h.db, 'کرمان');
  const bamCounty = await countyId(h.db, 'بم');
  const rows = await seedKerman(h.db, h.app.services, kApproved.id, kSuspended.id, kermanCounty);
  await h.waitForIdle();
  return {
    h,
    kerman: { approved: kApproved.id, pending: kPending.id, suspended: kSuspended.id, county: kermanCounty },
    bam: { approved: bApproved.id, pending: bPending.id, suspended: bSuspended.id, county: bamCounty },
    ...rows,
  };
}

function ngoSpec(
  ngo: { name: string; registration: string; manager: number; managerName: string; member?: number; memberName?: string },
  countyName: string,
  status: 'APPROVED' | 'PENDING' | 'SUSPENDED',
) {
  return {
    managerId: ngo.manager,
    name: ngo.name,
    countyName,
    status,
    registrationNumber: ngo.registration,
    managerFirstName: ngo.managerName,
    submittedAt: new Date(NOW.getTime() - 20 * DAY),
    statusReason: status === 'SUSPENDED' ? 'گزارش سالانه نرسیده است' : null,
    reviewedBy: status === 'PENDING' ? null : PROVINCE,
    members: ngo.member === undefined ? [] : [{ id: ngo.member, firstName: ngo.memberName }],
  };
}

/** Kerman's deadlines (through the use cases, as an admin makes them), course, need, feedback, announcements and audit rows. */
async function seedKerman(db: Db, services: Services, approved: number, suspended: number, county: number) {
  const p = db.prisma;
  const office = BigInt(PROVINCE);
  const project = await services.deadlines.createProject(office, {
    ngoId: approved,
    title: KERMAN.projectTitle,
    amountToman: 250_000_000,
    startDate: { jy: 1405, jm: 9, jd: 1 },
    dueDate: { jy: 1405, jm: 12, jd: 1 },
    reminderDays: [7],
  });
  const reporting = await services.deadlines.createGeneral(office, {
    title: KERMAN.reportingTitle,
    description: null,
    audience: { countyIds: [county], fieldIds: [] },
    dueDate: { jy: 1405, jm: 10, jd: 1 },
    dueTime: { hour: 12, minute: 0 },
    reminderDays: [1],
  });
  await services.deadlines.submitReport(BigInt(KERMAN.approved.manager), reporting.id, { text: KERMAN.reportText });
  const shared = await services.deadlines.createGeneral(office, {
    title: SHARED_DEADLINE_TITLE,
    description: null,
    audience: { countyIds: [], fieldIds: [] },
    dueDate: { jy: 1405, jm: 10, jd: 15 },
    dueTime: { hour: 12, minute: 0 },
    reminderDays: [1],
  });
  await services.deadlines.submitReport(BigInt(KERMAN.approved.manager), shared.id, { text: KERMAN.sharedReportText });
  await createUser(db, KERMAN.registered.manager, 'تازه‌وارد');
  const registered = await services.ngos.register(
    BigInt(KERMAN.registered.manager),
    await registrationDraft(services.ngos, { countyName: 'کرمان', name: KERMAN.registered.name, registrationNumber: KERMAN.registered.registration }),
  );

  // For Kerman alone, begun an hour ago and on all day: its page offers every button (attendance too),
  // and the follow-up job does not finish it while the test runs.
  const course = await p.course.create({
    data: {
      title: KERMAN.courseTitle,
      startsAt: new Date(NOW.getTime() - 3_600_000),
      durationMinutes: 600,
      format: 'IN_PERSON',
      place: 'سالن اجتماعات فرمانداری کرمان',
      capacity: KERMAN.courseCapacity,
      perNgoLimit: 3,
      registrationDeadline: new Date(NOW.getTime() - 2 * DAY),
      eligibility: { countyIds: [county], fieldIds: [] },
      createdBy: office,
    },
  });
  await p.enrollment.create({ data: { courseId: course.id, ngoId: approved, participants: 2, status: 'ENROLLED', createdBy: BigInt(KERMAN.approved.manager) } });
  const need = await p.trainingNeed.create({
    data: { ngoId: approved, otherTopic: KERMAN.needText, description: KERMAN.needText, participants: KERMAN.needParticipants, format: 'ONLINE', createdBy: BigInt(KERMAN.approved.manager) },
  });

  // Through the sender's use case, so that the office is told as it would be.
  const feedback = (anonymous: boolean, text: string, userId: number) =>
    services.feedback.submit(BigInt(userId), { type: 'COMPLAINT', parts: [text], attachments: [], anonymous }).then((item) => item.id);
  const namedFeedback = await feedback(false, KERMAN.namedFeedback, KERMAN.approved.manager);
  const anonymousFeedback = await feedback(true, KERMAN.anonymousFeedback, KERMAN.approved.member);

  const audience = { countyIds: [county], fieldIds: [], statuses: ['APPROVED'], managersOnly: false };
  // Scheduled for next week: the list offers its cancel button.
  const broadcast = await p.broadcast.create({
    data: { createdBy: office, sourceChatId: office, sourceMessageId: 1, contentKind: 'text', audience, status: 'SCHEDULED', requestedAt: new Date(NOW.getTime() + 7 * DAY), startAt: new Date(NOW.getTime() + 7 * DAY) },
  });
  // NGO Week, 20 Mordad, already sent this year (as a rule made after the date is): the job leaves it be.
  const recurring = await p.recurringBroadcast.create({
    data: { createdBy: office, sourceChatId: office, sourceMessageId: 2, contentKind: 'text', audience, rule: 'YEARLY', month: 5, day: 20, lastPeriod: '1405' },
  });
  await p.auditLog.create({ data: { actorId: office, action: 'ngo.suspended', entityType: 'ngo', entityId: String(suspended), details: { reason: 'گزارش سالانه نرسیده است' } } });
  return { projectDeadline: project.id, reportingDeadline: reporting.id, sharedDeadline: shared.id, registered: registered.id, course: course.id, need: need.id, namedFeedback, anonymousFeedback, broadcast: broadcast.id, recurring: recurring.id };
}

/** Every text, caption and button the bot sent or edited in a chat since `after` (press answers carry no chat: see `shown`). */
export function shownTo(h: Harness, chatId: number, after: number): { texts: string[]; buttons: string[]; calls: RecordedCall[] } {
  const calls = h.api.calls().filter((c) => c.seq >= after && c.chatId === chatId && c.response.ok);
  const texts = calls.map((c) => String(c.text ?? c.params.text ?? c.params.caption ?? '')).filter((s) => s !== '');
  const buttons = calls.flatMap((c) => ((c.replyMarkup ?? {}) as { inline_keyboard?: { callback_data?: string; text: string }[][] }).inline_keyboard ?? []).flat();
  return { texts: [...texts, ...buttons.map((b) => b.text)], buttons: buttons.flatMap((b) => (b.callback_data ? [b.callback_data] : [])), calls };
}

/**
 * What a person does and everything the bot showed them in return (messages, edits, captions, button
 * labels): waits for the first answer, then until the chat has been quiet for a moment, since some
 * screens come as several messages.
 */
export async function shown(w: ScopeWorld, user: FakeUser, act: () => void): Promise<string[]> {
  const { h } = w;
  const mark = h.api.mark();
  act();
  const forUser = (c: RecordedCall) => c.chatId === user.id || c.method === 'answerCallbackQuery';
  const toUser = () => h.api.calls().filter((c) => c.seq >= mark && forUser(c)).length;
  await h.api.waitFor(forUser, { after: mark, timeoutMs: 15_000, description: `an answer to ${user.id}` });
  for (let seen = -1; seen !== toUser(); ) {
    seen = toUser();
    await new Promise((resolve) => setTimeout(resolve, 120));
  }
  await h.waitForIdle();
  // The test acts as one person at a time, so every press answered since the mark was theirs.
  const answers = h.api.calls('answerCallbackQuery').filter((c) => c.seq >= mark && typeof c.params.text === 'string');
  return [...shownTo(h, user.id, mark).texts, ...answers.map((c) => String(c.params.text))];
}

/** The names of the secrets that appear in any of the texts. */
export function leaksIn(texts: readonly string[], secrets: Record<string, string> = KERMAN_SECRETS): string[] {
  return Object.entries(secrets)
    .filter(([, secret]) => texts.some((text) => text.includes(secret)))
    .map(([what]) => what);
}

/** The rows a forged press could change, as comparable text (users, sessions and job runs aside: they move by themselves). */
export async function scopeSnapshot(db: Db): Promise<Record<string, string>> {
  const p = db.prisma;
  const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const byId = { orderBy: { id: 'asc' as const } };
  return {
    ngos: json(await p.ngo.findMany(byId)),
    'NGO members': json(await p.ngoMember.findMany({ orderBy: [{ ngoId: 'asc' }, { userId: 'asc' }] })),
    admins: json(await p.admin.findMany({ orderBy: { userId: 'asc' } })),
    'staff invites': json(await p.staffInvite.findMany(byId)),
    deadlines: json(await p.deadline.findMany(byId)),
    'deadline targets': json(await p.deadlineTarget.findMany({ orderBy: [{ deadlineId: 'asc' }, { ngoId: 'asc' }] })),
    courses: json(await p.course.findMany(byId)),
    enrolments: json(await p.enrollment.findMany(byId)),
    'training needs': json(await p.trainingNeed.findMany(byId)),
    'feedback items': json(await p.feedbackItem.findMany(byId)),
    'feedback messages': json(await p.feedbackMessage.count()),
    broadcasts: json(await p.broadcast.findMany(byId)),
    'recurring broadcasts': json(await p.recurringBroadcast.findMany(byId)),
    'outbox messages': json(await p.outboxMessage.count()),
    'outbox deliveries': json(await p.outboxDelivery.count()),
    'audit rows': json(await p.auditLog.findMany({ orderBy: { id: 'asc' } })),
  };
}

/** The names of the tables whose rows differ between two snapshots. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((table) => before[table] !== after[table]);
}
